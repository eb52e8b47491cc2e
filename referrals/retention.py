"""The referrals app's part of retention (``portal.retention``, whose docstring says what is kept and when): the
hires and the objections to them (and the stored copies of the notices that name them), the people third parties
declared that never became hires, and the recommender a recent hire or declaration still needs."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from functools import reduce
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal import documents as stored_documents
from portal.models import AnonymisationRun
from portal.retention import (
    ANONYMISED_NAME,
    REDACTED,
    Cutoffs,
    RetentionStep,
    register_step,
    register_third_party_hold,
    scrub_trail,
    start_of,
)
from referrals.models import DeclaredPerson, Hire, Objection, PublicityNotice

#: The personal fields of each record, and what they become. Everything else of the record stays.
HIRE_FIELDS: dict[str, Any] = {
    "name": ANONYMISED_NAME,
    "id_number": "",
    "id_number_digest": None,
    "work_experience": "",
    "other_conditions": "",
}
OBJECTION_FIELDS: dict[str, Any] = {"name": ANONYMISED_NAME, "phone": "", "statement": REDACTED}

#: fn(cutoffs) → ``Exists(...)`` over ``OuterRef("pk")`` of a ``Hire``: true while a record of an app above this one
#: (a claim) still needs the hire past its own period.
HireHold = Callable[[Cutoffs], Exists]

_hire_holds: list[HireHold] = []


def register_hire_hold(hold: HireHold) -> None:
    """Called in the ``AppConfig.ready()`` of an app whose records hold hires back (subsidies: its claims)."""
    if hold not in _hire_holds:
        _hire_holds.append(hold)


def hires_due(cutoffs: Cutoffs) -> QuerySet[Hire]:
    """Hires of a programme year past its period that nothing registered holds back."""
    hires = Hire.objects.filter(year__lte=cutoffs.hires_up_to_year, anonymised_at__isnull=True)
    if not _hire_holds:
        return hires
    return hires.exclude(reduce(operator.or_, [hold(cutoffs) for hold in _hire_holds]))


def anonymise_hires(hire_ids: list[int], *, run: AnonymisationRun, now: datetime.datetime) -> None:
    # QuerySet.update: no save(), so nothing rewrites updated_at (a date the figures may read) and no auditlog
    # entry copies the old values; the digest is set here, with the number (KeyedDigestField's rule for update()).
    Hire.objects.filter(pk__in=hire_ids).update(**HIRE_FIELDS, anonymised_at=now)
    objections = Objection.objects.filter(hire_id__in=hire_ids)
    objection_ids = list(objections.values_list("pk", flat=True))
    objections.update(**OBJECTION_FIELDS)
    # A third party's declaration of the person goes with the hire it became.
    declared = DeclaredPerson.objects.filter(hire_id__in=hire_ids)
    declared_ids = list(declared.values_list("pk", flat=True))
    declared.update(**HIRE_FIELDS, anonymised_at=now)
    run.hires, run.objections = len(hire_ids), len(objection_ids)
    # A stored notice prints the hires' names: the copies of every notice naming one of them go (a later download
    # renders the notice again, with the names anonymised). A claim's papers name hires too; they went with the
    # claim, which a hire never outlives (a claim within its period holds its hires, and an anonymised claim keeps no
    # copy).
    notice_ids = set(Hire.objects.filter(pk__in=hire_ids, notice__isnull=False).values_list("notice_id", flat=True))
    stored_documents.forget(PublicityNotice, notice_ids)
    run.audit_entries += scrub_trail(Hire, hire_ids, HIRE_FIELDS)
    run.audit_entries += scrub_trail(DeclaredPerson, declared_ids, HIRE_FIELDS)
    run.audit_entries += scrub_trail(Objection, objection_ids, OBJECTION_FIELDS)


def _after_the_period(cutoffs: Cutoffs) -> datetime.datetime:
    """The first instant after the last programme year past its period (1 January of the next year, in Chongqing)."""
    return start_of(datetime.date(cutoffs.hires_up_to_year + 1, 1, 1))


def _declared_within_period(cutoffs: Cutoffs) -> Q:
    """A declared person whose arrival, declaration or employer's answer falls in a year still within the hires'
    period (the hires' rule: the programme year is the year of arrival, else of the record)."""
    after = _after_the_period(cutoffs)
    return (
        Q(arrived_on__year__gt=cutoffs.hires_up_to_year)
        | Q(declaration__submitted_at__gte=after)
        | Q(decided_at__gte=after)
    )


def declared_people_due(cutoffs: Cutoffs) -> QuerySet[DeclaredPerson]:
    """Declared people the employer never confirmed (declined, withdrawn, or still pending: no hire), once all their
    years are past the hires' period. A confirmed one goes with its hire (``anonymise_hires``)."""
    return DeclaredPerson.objects.filter(hire__isnull=True, anonymised_at__isnull=True).exclude(
        _declared_within_period(cutoffs)
    )


def anonymise_declared_people(person_ids: list[int], *, run: AnonymisationRun, now: datetime.datetime) -> None:
    # As for hires: QuerySet.update, the digest emptied with the number; the audit trail scrubbed.
    DeclaredPerson.objects.filter(pk__in=person_ids).update(**HIRE_FIELDS, anonymised_at=now)
    run.declared_people = len(person_ids)
    run.audit_entries += scrub_trail(DeclaredPerson, person_ids, HIRE_FIELDS)


def recent_hire_holds_third_party(cutoffs: Cutoffs) -> Exists:
    """An individual who recommended a hire still within its period is kept."""
    return Exists(Hire.objects.filter(third_party=OuterRef("pk"), year__gt=cutoffs.hires_up_to_year))


def recent_declaration_holds_third_party(cutoffs: Cutoffs) -> Exists:
    """An individual who declared a person still within the hires' period is kept."""
    return Exists(
        DeclaredPerson.objects.filter(third_party=OuterRef("pk"), anonymised_at__isnull=True).filter(
            _declared_within_period(cutoffs)
        )
    )


def register() -> None:
    # After the claims' step (order 10). The order changes no outcome: a claim holds its hires back by its period,
    # not by whether it is anonymised yet.
    register_step(RetentionStep(order=20, counts_as="hires", due=hires_due, anonymise=anonymise_hires))
    # The declared people never confirmed: after the hires, whose step empties the confirmed ones with their hire.
    register_step(
        RetentionStep(
            order=30, counts_as="declared_people", due=declared_people_due, anonymise=anonymise_declared_people
        )
    )
    register_third_party_hold(recent_hire_holds_third_party)
    register_third_party_hold(recent_declaration_holds_third_party)
