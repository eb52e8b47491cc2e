"""Retention: the personal data of hires and claims past the period an admin sets (``RetentionPolicy``) is anonymised.

What goes: a hire's name, ID number (and its keyed digest, so the one-person-per-programme-year rule no longer counts
the row), work experience and other conditions, and the name, phone and statement of objections to it; a claim's bank
account, payee phone, the employer's contact and phone (the payee's name too when the payee is a person), its
signed scans (files and rows) and the stored copies of its papers (``portal.documents``); the stored copies of the
publicity notices that name an anonymised hire. What stays: every count, amount, status, date, district, employer,
programme, education and major, so roll-ups (``rollups.tenday.compute_figures``) and the year-end evaluation give the same
figures; and the audit trail, whose entries for those records keep who did what and when but have the personal
values replaced by 「（已匿名）」.

When:
- a claim closed (paid, rejected or withdrawn) more than ``claim_years`` before today, or left as a draft or returned
  for correction and untouched that long (abandoned: it keeps its status, loses its personal data and scans, and no
  longer holds its hires back);
- a hire whose programme year ended more than ``hire_years`` before today, unless a claim still needs it (a claim not
  itself past its period: live, or closed too recently);
- a person a third party declared whom the employer never confirmed (declined, withdrawn, or still pending), under
  the hires' rule: when the year of arrival, of the declaration and of the employer's answer all ended more than
  ``hire_years`` before today. (A confirmed one goes with the hire it became.)

An individual who recommends talent (a third party of kind 个人) goes too once nothing needs them: no claim of theirs
within its period, no hire they recommended within its period, registered and last signed in before the claims' cut-off.
Their name, ID number (and digest), phone, contact and bank account go, their accounts are deactivated with the name,
e-mail and phone on them, and their API tokens deleted; the hires and claims still point at the (anonymised) record.

Beside the records, what was said about them goes after the shorter of the two periods: inbox notifications and
e-mails (their titles and bodies name hires and claims), and finished background imports (their error lists quote
the sheet's cells), are deleted when older than that.

Who does what: this module is the core's part and imports no domain app. It holds the policy, the cut-offs, the run,
the individual third parties and their accounts, the old messages and imports, and ``scrub_trail`` for the audit
trail. Each domain app registers its records in its ``AppConfig.ready()``: a ``RetentionStep`` (``register_step``:
which records are due, and how they are anonymised), and what still holds an individual third party
(``register_third_party_hold``).
- ``subsidies.retention``: the claims and their scans (a step run first); a claim within its period holds its hires
  (through ``referrals.retention.register_hire_hold``) and its third party.
- ``referrals.retention``: the hires and the objections to them (a step run after the claims'), then the declared
  people never confirmed; a hire or a declaration within its period holds the third party who recommended it.

One run is one transaction, serialised on the policy row, so the scheduled task and ``manage.py anonymise_expired``
never interleave; files go only after the commit. Idempotent: anonymised records carry ``anonymised_at`` and are
never picked again, so a second run changes nothing (it is recorded, with zeros).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any, Protocol

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, Exists, Model, OuterRef, QuerySet, Value, When
from django.utils import timezone

from portal.calendar.tenday import end_of_day
from portal.constants import ThirdPartyKind
from portal.models import AnonymisationRun, RetentionPolicy, User

#: What a person's name becomes.
ANONYMISED_NAME = "已匿名"
#: What a personal value becomes in the audit trail.
REDACTED = "（已匿名）"

#: The personal fields of each record, and what they become. Everything else of the record stays. (The domain apps'
#: records list theirs in their own ``retention`` modules.)
THIRD_PARTY_FIELDS: dict[str, Any] = {
    "name": ANONYMISED_NAME,
    "id_number": "",
    "id_number_digest": None,
    "contact_name": "",
    "phone": "",
    "bank_account": "",
    # An officer's reason for a return may quote the person's numbers; a returned registration keeps a reason.
    "return_reason": Case(When(return_reason="", then=Value("")), default=Value(ANONYMISED_NAME)),
}
USER_FIELDS: dict[str, Any] = {
    "display_name": ANONYMISED_NAME,
    "first_name": "",
    "last_name": "",
    "email": "",
    "phone": "",
    "is_active": False,
}


@dataclass(frozen=True)
class Cutoffs:
    """What is due on ``today`` under ``policy``."""

    hires_up_to_year: int
    claims_closed_before: datetime.date
    #: Notifications, e-mails and finished imports made before this day go (the shorter of the two periods).
    messages_before: datetime.date

    @classmethod
    def of(cls, policy: RetentionPolicy, today: datetime.date) -> Cutoffs:
        return cls(
            # Year Y ends on 31 December Y: its data is kept through 31 December Y + hire_years.
            hires_up_to_year=today.year - policy.hire_years - 1,
            claims_closed_before=_years_before(today, policy.claim_years),
            messages_before=_years_before(today, min(policy.hire_years, policy.claim_years)),
        )


def start_of(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in Asia/Shanghai: a record made or left "before ``day``" is older than this."""
    return end_of_day(day - datetime.timedelta(days=1))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------------------------------------------------------
# What the domain apps register (in their AppConfig.ready())
# ---------------------------------------------------------------------------------------------------------------


class Anonymise(Protocol):
    def __call__(self, ids: list[int], /, *, run: AnonymisationRun, now: datetime.datetime) -> None: ...


@dataclass(frozen=True)
class RetentionStep:
    """One domain app's records under retention."""

    #: Steps run in ascending order, in the run's one transaction (the claims' before the hires').
    order: int
    #: The run's count (an ``AnonymisationRun`` field) that a dry run fills with how many records are due.
    counts_as: str
    #: The records due under the cut-offs and not anonymised yet.
    due: Callable[[Cutoffs], QuerySet[Any]]
    #: Anonymises the records with these ids (never none), scrubs their audit trail (``scrub_trail``) and fills the
    #: run's counts.
    anonymise: Anonymise


#: fn(cutoffs) → ``Exists(...)`` over ``OuterRef("pk")`` of a ``ThirdParty``: true while something of the domain
#: app still needs that individual.
ThirdPartyHold = Callable[[Cutoffs], Exists]

_steps: list[RetentionStep] = []
_third_party_holds: list[ThirdPartyHold] = []


def register_step(step: RetentionStep) -> None:
    AnonymisationRun._meta.get_field(step.counts_as)  # a count the run records, or FieldDoesNotExist
    if step not in _steps:
        _steps.append(step)
        _steps.sort(key=operator.attrgetter("order"))


def register_third_party_hold(hold: ThirdPartyHold) -> None:
    if hold not in _third_party_holds:
        _third_party_holds.append(hold)


def registered_steps() -> list[RetentionStep]:
    """The registered steps, in the order a run takes them."""
    return list(_steps)


# ---------------------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------------------


def anonymise_expired(
    *, now: datetime.datetime | None = None, dry_run: bool = False, by: User | None = None
) -> AnonymisationRun:
    """Anonymise every record past its retention period (see the module docstring) and record the run: each
    registered step in order, then the individual third parties nothing holds, then the old messages and imports.

    With ``dry_run`` nothing is written: the returned run (unsaved) says what would be anonymised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    RetentionPolicy.current()  # the row exists before it is locked
    with transaction.atomic():
        # Serialises runs: a second one waits, then finds nothing left to do.
        policy = RetentionPolicy.objects.select_for_update().get(pk=1)
        cutoffs = Cutoffs.of(policy, today)
        run = AnonymisationRun(
            started_at=now,
            hire_years=policy.hire_years,
            claim_years=policy.claim_years,
            hires_up_to_year=max(cutoffs.hires_up_to_year, 0),
            claims_closed_before=cutoffs.claims_closed_before,
            by=by,
        )
        if dry_run:
            # What holds a record back is itself judged by its period, not by whether it is anonymised yet, so the
            # counts before the run are the run's.
            for step in _steps:
                setattr(run, step.counts_as, step.due(cutoffs).count())
            run.third_parties = third_parties_due(cutoffs).count()
            run.messages = sum(query.count() for query in _messages_due(cutoffs))
            run.import_jobs = _import_jobs_due(cutoffs).count()
            return run
        for step in _steps:
            ids = list(step.due(cutoffs).order_by("pk").values_list("pk", flat=True))
            if ids:
                step.anonymise(ids, run=run, now=now)
        parties = list(third_parties_due(cutoffs).order_by("pk").values_list("pk", flat=True))
        _anonymise_third_parties(parties, run=run, now=now)
        _delete_what_was_said(cutoffs, run=run)
        run.finished_at = timezone.now()
        run.save()
        _record_in_trail(run)
    return run


def third_parties_due(cutoffs: Cutoffs) -> QuerySet[Any]:
    """Individuals nothing needs any more (see the module docstring): no registered hold, no recent sign-in."""
    from portal.models import ThirdParty

    since_before = start_of(cutoffs.claims_closed_before)
    recent_login = Exists(User.objects.filter(third_party=OuterRef("pk"), last_login__gte=since_before))
    held = reduce(operator.or_, [*(hold(cutoffs) for hold in _third_party_holds), recent_login])
    return ThirdParty.objects.filter(
        kind=ThirdPartyKind.INDIVIDUAL, anonymised_at__isnull=True, created_at__lt=since_before
    ).exclude(held)


def _anonymise_third_parties(party_ids: list[int], *, run: AnonymisationRun, now: datetime.datetime) -> None:
    from rest_framework.authtoken.models import Token

    from portal.models import ThirdParty

    if not party_ids:
        return
    ThirdParty.objects.filter(pk__in=party_ids).update(**THIRD_PARTY_FIELDS, anonymised_at=now)
    users = User.objects.filter(third_party_id__in=party_ids)
    user_ids = list(users.values_list("pk", flat=True))
    users.update(**USER_FIELDS)
    Token.objects.filter(user_id__in=user_ids).delete()
    run.third_parties = len(party_ids)
    run.audit_entries += scrub_trail(ThirdParty, party_ids, THIRD_PARTY_FIELDS)
    run.audit_entries += scrub_trail(User, user_ids, USER_FIELDS)


def _messages_due(cutoffs: Cutoffs) -> list[QuerySet[Any]]:
    from portal.models import Notification, OutboxMessage

    before = start_of(cutoffs.messages_before)
    return [Notification.objects.filter(created_at__lt=before), OutboxMessage.objects.filter(created_at__lt=before)]


def _import_jobs_due(cutoffs: Cutoffs) -> QuerySet[Any]:
    from portal.models import ImportJob
    from portal.models.imports import ACTIVE_STATUSES

    return ImportJob.objects.filter(created_at__lt=start_of(cutoffs.messages_before)).exclude(
        status__in=ACTIVE_STATUSES
    )


def _delete_what_was_said(cutoffs: Cutoffs, *, run: AnonymisationRun) -> None:
    """Old notifications, e-mails and finished imports go; no figure counts them. (An import's uploaded sheet is gone
    already: deleted when the job finished, or by ``portal.imports.uploads``' daily purge.)"""
    for query in _messages_due(cutoffs):
        run.messages += query.delete()[0]
    run.import_jobs = _import_jobs_due(cutoffs).delete()[0]


def scrub_trail(model: type[Model], ids: Iterable[int], fields: Iterable[str]) -> int:
    """Keep the audit entries of these records (who, when, which fields changed) but not the personal values in
    them: each such value, and the record's name as the entry shows it, becomes 「（已匿名）」."""
    keys = [str(pk) for pk in ids]
    if not keys:
        return 0
    personal = set(fields)
    content_type = ContentType.objects.get_for_model(model)
    entries = list(LogEntry.objects.filter(content_type=content_type, object_pk__in=keys))
    for entry in entries:
        entry.object_repr = REDACTED
        if isinstance(entry.changes, dict):
            entry.changes = {
                field: ([REDACTED] * len(values) if field in personal and isinstance(values, list) else values)
                for field, values in entry.changes.items()
            }
        entry.changes_text = ""
        entry.serialized_data = None
    LogEntry.objects.bulk_update(entries, ["object_repr", "changes", "changes_text", "serialized_data"], batch_size=500)
    return len(entries)


def _record_in_trail(run: AnonymisationRun) -> None:
    """One entry per run in the audit trail (under the run's record): the trail of each anonymised record shows its
    values redacted; this says when and under which policy it happened."""
    if not (run.hires or run.claims or run.declared_people or run.third_parties or run.messages or run.import_jobs):
        return
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AnonymisationRun),
        object_pk=str(run.pk),
        object_id=run.pk,
        object_repr=str(run),
        action=LogEntry.Action.CREATE,
        changes={
            "hires": ["0", str(run.hires)],
            "claims": ["0", str(run.claims)],
            "objections": ["0", str(run.objections)],
            "declared_people": ["0", str(run.declared_people)],
            "attachments": ["0", str(run.attachments)],
            "third_parties": ["0", str(run.third_parties)],
            "messages": ["0", str(run.messages)],
            "import_jobs": ["0", str(run.import_jobs)],
        },
        actor=run.by,
        additional_data={
            "reason": "超过个人信息保存期限，匿名化处理",
            "hire_years": run.hire_years,
            "claim_years": run.claim_years,
        },
    )
