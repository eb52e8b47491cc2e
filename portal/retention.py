"""Retention: the personal data of hires and claims past the period an admin sets (``RetentionPolicy``) is anonymised.

What goes: a hire's name, ID number (and its keyed digest, so the one-person-per-programme-year rule no longer counts
the row), work experience and other conditions, and the name, phone and statement of objections to it; a claim's bank
account, payee phone, the employer's contact and phone (the payee's name too when the payee is a person), and its
signed scans (files and rows). What stays: every count, amount, status, date, district, employer, programme,
education and major, so roll-ups (``rollups.tenday.compute_figures``) and the year-end evaluation give the same
figures; and the audit trail, whose entries for those records keep who did what and when but have the personal
values replaced by 「（已匿名）」.

When:
- a claim closed (paid, rejected or withdrawn) more than ``claim_years`` before today, or left as a draft or returned
  for correction and untouched that long (abandoned: it keeps its status, loses its personal data and scans, and no
  longer holds its hires back);
- a hire whose programme year ended more than ``hire_years`` before today, unless a claim still needs it (a claim not
  itself past its period: live, or closed too recently).

An individual who recommends talent (a third party of kind 个人) goes too once nothing needs them: no claim of theirs
within its period, no hire they recommended within its period, registered and last signed in before the claims' cut-off.
Their name, ID number (and digest), phone, contact and bank account go, their accounts are deactivated with the name,
e-mail and phone on them, and their API tokens deleted; the hires and claims still point at the (anonymised) record.

Beside the records, what was said about them goes after the shorter of the two periods: inbox notifications and
e-mails (their titles and bodies name hires and claims), and finished background imports (their error lists quote
the sheet's cells), are deleted when older than that.

One run is one transaction, serialised on the policy row, so the scheduled task and ``manage.py anonymise_expired``
never interleave; files go only after the commit. Idempotent: anonymised records carry ``anonymised_at`` and are
never picked again, so a second run changes nothing (it is recorded, with zeros).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, Exists, Model, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from portal.calendar.tenday import end_of_day
from portal.constants import ThirdPartyKind
from portal.models import AnonymisationRun, RetentionPolicy, User

#: What a person's name becomes.
ANONYMISED_NAME = "已匿名"
#: What a personal value becomes in the audit trail.
REDACTED = "（已匿名）"

#: The personal fields of each record, and what they become. Everything else of the record stays.
HIRE_FIELDS: dict[str, Any] = {
    "name": ANONYMISED_NAME,
    "id_number": "",
    "id_number_digest": None,
    "work_experience": "",
    "other_conditions": "",
}
OBJECTION_FIELDS: dict[str, Any] = {"name": ANONYMISED_NAME, "phone": "", "statement": REDACTED}
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
CLAIM_FIELDS: dict[str, Any] = {
    "payee_phone": "",
    "bank_account": "",
    "employer_contact": ANONYMISED_NAME,
    "employer_phone": "",
}
#: Only when the payee is a person: an organisation's name is public.
CLAIM_PERSON_FIELDS: dict[str, Any] = {"payee_name": ANONYMISED_NAME}
ATTACHMENT_FIELDS = ("original_name", "file", "stored_name", "sha256")


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


def _start_of(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in Asia/Shanghai: a record made or left "before ``day``" is older than this."""
    return end_of_day(day - datetime.timedelta(days=1))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------------------------------------------------------
# What is due
# ---------------------------------------------------------------------------------------------------------------


def claims_past_retention(cutoffs: Cutoffs) -> QuerySet[Any]:
    """Claims closed before the cut-off, or abandoned as a draft or returned claim since before it (anonymised
    already or not)."""
    from subsidies.constants import ClaimStatus
    from subsidies.models import Claim

    since_before = _start_of(cutoffs.claims_closed_before)
    closed_before = Q(status=ClaimStatus.PAID, paid_on__lt=cutoffs.claims_closed_before) | Q(
        status__in=[ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN], status_since__lt=since_before
    )
    abandoned = Q(status__in=[ClaimStatus.DRAFT, ClaimStatus.RETURNED], status_since__lt=since_before)
    return Claim.objects.filter(closed_before | abandoned)


def claims_due(cutoffs: Cutoffs) -> QuerySet[Any]:
    return claims_past_retention(cutoffs).filter(anonymised_at__isnull=True)


def hires_due(cutoffs: Cutoffs) -> QuerySet[Any]:
    """Hires of a programme year past its period and on no claim that still needs them."""
    from referrals.models import Hire
    from subsidies.models import ClaimItem

    still_needed = ClaimItem.objects.filter(hire=OuterRef("pk")).exclude(
        claim__in=claims_past_retention(cutoffs).values("pk")
    )
    return Hire.objects.filter(year__lte=cutoffs.hires_up_to_year, anonymised_at__isnull=True).exclude(
        Exists(still_needed)
    )


# ---------------------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------------------


def anonymise_expired(
    *, now: datetime.datetime | None = None, dry_run: bool = False, by: User | None = None
) -> AnonymisationRun:
    """Anonymise every hire and claim past its retention period (see the module docstring) and record the run.

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
        claim_ids = list(claims_due(cutoffs).order_by("pk").values_list("pk", flat=True))
        if dry_run:
            # Hires that only a due claim holds back are due as well once it is anonymised.
            run.claims = len(claim_ids)
            run.hires = hires_due(cutoffs).count()
            run.third_parties = third_parties_due(cutoffs).count()
            run.messages = sum(query.count() for query in _messages_due(cutoffs))
            run.import_jobs = _import_jobs_due(cutoffs).count()
            return run
        _anonymise_claims(claim_ids, run=run, now=now)
        _anonymise_hires(list(hires_due(cutoffs).order_by("pk").values_list("pk", flat=True)), run=run, now=now)
        parties = list(third_parties_due(cutoffs).order_by("pk").values_list("pk", flat=True))
        _anonymise_third_parties(parties, run=run, now=now)
        _delete_what_was_said(cutoffs, run=run)
        run.finished_at = timezone.now()
        run.save()
        _record_in_trail(run)
    return run


def _anonymise_claims(claim_ids: list[int], *, run: AnonymisationRun, now: datetime.datetime) -> None:
    from subsidies.models import Claim, ClaimAttachment

    if not claim_ids:
        return
    claims = Claim.objects.filter(pk__in=claim_ids)
    claims.update(**CLAIM_FIELDS, anonymised_at=now)
    claims.filter(third_party__kind=ThirdPartyKind.INDIVIDUAL).update(**CLAIM_PERSON_FIELDS)
    run.claims = len(claim_ids)

    # The signed scans carry names, ID numbers and signatures: rows and files go. The rows go without auditlog's
    # delete entries (which would copy the file names); the claims' entry below says how many went.
    attachments = ClaimAttachment.objects.filter(claim_id__in=claim_ids)
    files = [name for name in attachments.values_list("file", flat=True) if name]
    attachment_ids = list(attachments.values_list("pk", flat=True))
    with disable_auditlog():
        attachments.delete()
    for name in files:
        transaction.on_commit(partial(default_storage.delete, name))
    run.attachments = len(attachment_ids)
    run.audit_entries += _scrub_trail(ClaimAttachment, attachment_ids, ATTACHMENT_FIELDS)
    run.audit_entries += _scrub_trail(Claim, claim_ids, [*CLAIM_FIELDS, *CLAIM_PERSON_FIELDS])


def _anonymise_hires(hire_ids: list[int], *, run: AnonymisationRun, now: datetime.datetime) -> None:
    from referrals.models import Hire, Objection

    if not hire_ids:
        return
    # QuerySet.update: no save(), so nothing rewrites updated_at (a date the figures may read) and no auditlog
    # entry copies the old values; the digest is set here, with the number (KeyedDigestField's rule for update()).
    Hire.objects.filter(pk__in=hire_ids).update(**HIRE_FIELDS, anonymised_at=now)
    objections = Objection.objects.filter(hire_id__in=hire_ids)
    objection_ids = list(objections.values_list("pk", flat=True))
    objections.update(**OBJECTION_FIELDS)
    run.hires, run.objections = len(hire_ids), len(objection_ids)
    run.audit_entries += _scrub_trail(Hire, hire_ids, HIRE_FIELDS)
    run.audit_entries += _scrub_trail(Objection, objection_ids, OBJECTION_FIELDS)


def third_parties_due(cutoffs: Cutoffs) -> QuerySet[Any]:
    """Individuals nothing needs any more (see the module docstring)."""
    from portal.models import ThirdParty
    from referrals.models import Hire
    from subsidies.models import Claim

    since_before = _start_of(cutoffs.claims_closed_before)
    open_claim = Claim.objects.filter(third_party=OuterRef("pk")).exclude(
        pk__in=claims_past_retention(cutoffs).values("pk")
    )
    recent_hire = Hire.objects.filter(third_party=OuterRef("pk"), year__gt=cutoffs.hires_up_to_year)
    recent_login = User.objects.filter(third_party=OuterRef("pk"), last_login__gte=since_before)
    return ThirdParty.objects.filter(
        kind=ThirdPartyKind.INDIVIDUAL, anonymised_at__isnull=True, created_at__lt=since_before
    ).exclude(Exists(open_claim) | Exists(recent_hire) | Exists(recent_login))


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
    run.audit_entries += _scrub_trail(ThirdParty, party_ids, THIRD_PARTY_FIELDS)
    run.audit_entries += _scrub_trail(User, user_ids, USER_FIELDS)


def _messages_due(cutoffs: Cutoffs) -> list[QuerySet[Any]]:
    from portal.models import Notification, OutboxMessage

    before = _start_of(cutoffs.messages_before)
    return [Notification.objects.filter(created_at__lt=before), OutboxMessage.objects.filter(created_at__lt=before)]


def _import_jobs_due(cutoffs: Cutoffs) -> QuerySet[Any]:
    from portal.models import ImportJob
    from portal.models.imports import ACTIVE_STATUSES

    return ImportJob.objects.filter(created_at__lt=_start_of(cutoffs.messages_before)).exclude(
        status__in=ACTIVE_STATUSES
    )


def _delete_what_was_said(cutoffs: Cutoffs, *, run: AnonymisationRun) -> None:
    """Old notifications, e-mails and finished imports go; no figure counts them. (An import's uploaded sheet is gone
    already: deleted when the job finished, or by ``portal.imports.uploads``' daily purge.)"""
    for query in _messages_due(cutoffs):
        run.messages += query.delete()[0]
    run.import_jobs = _import_jobs_due(cutoffs).delete()[0]


def _scrub_trail(model: type[Model], ids: Iterable[int], fields: Iterable[str]) -> int:
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
    if not (run.hires or run.claims or run.third_parties or run.messages or run.import_jobs):
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
