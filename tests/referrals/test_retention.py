"""Retention of the people third parties declared: confirmed ones go with their hire, the others on their own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from portal.models import Employer, User
from portal.retention import ANONYMISED_NAME, anonymise_expired
from referrals.constants import DeclarationStatus
from referrals.declarations import (
    DeclaredPost,
    PersonData,
    declaration_submit,
    declared_person_decide,
    declared_person_withdraw,
)
from referrals.models import DeclaredPerson
from tests.factories import EmployerFactory, PositionFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

#: Seven years on: this year's declarations are past the default period (as hires of this year are).
LATER = timezone.now() + datetime.timedelta(days=7 * 366)


def _person(n: int) -> PersonData:
    year = timezone.localdate().year
    return PersonData(
        name=f"申报人{n}",
        id_number=make_id_number(8100 + n),
        mode="full_time",
        contract_term="3年",
        arrived_on=datetime.date(year, 1, 2),
        graduated_on=datetime.date(year - 1, 6, 30),
    )


@pytest.fixture
def declared(db: None) -> dict[str, Any]:
    employer: Employer = EmployerFactory()
    position = PositionFactory(batch__district=employer.district, employer=employer, published=True)
    headhunter: User = UserFactory(third_party_user=True, third_party__verified=True)
    hr: User = UserFactory(employer_user=True, employer=employer)
    declaration = declaration_submit(
        post=DeclaredPost(employer=employer, position=position),
        people=[_person(1), _person(2), _person(3), _person(4)],
        by=headhunter,
    )
    pending, declined, withdrawn, confirmed = declaration.people.order_by("pk")
    declared_person_decide(person=declined, confirmed=False, by=hr, reason="并非该机构推荐")
    declared_person_withdraw(person=withdrawn, by=headhunter)
    declared_person_decide(person=confirmed, confirmed=True, by=hr)
    return {"pending": pending, "declined": declined, "withdrawn": withdrawn, "confirmed": confirmed}


def test_declared_people_never_confirmed_are_anonymised_after_the_hires_period(declared: dict[str, Any]) -> None:
    assert anonymise_expired(dry_run=True, now=LATER).declared_people == 3
    run = anonymise_expired(now=LATER)
    assert run.declared_people == 3 and run.hires == 1
    for key in ("pending", "declined", "withdrawn", "confirmed"):
        person = DeclaredPerson.objects.get(pk=declared[key].pk)
        assert person.name == ANONYMISED_NAME and person.id_number == "" and person.id_number_digest is None
        assert person.anonymised_at is not None
    # What the person was stays: the status, the decline reason's record, the programme.
    assert DeclaredPerson.objects.get(pk=declared["declined"].pk).status == DeclarationStatus.DECLINED
    trail = LogEntry.objects.get_for_object(declared["pending"])
    assert all(declared["pending"].name not in str(entry.changes) for entry in trail)
    # Idempotent: the second run finds nothing.
    assert anonymise_expired(now=LATER).declared_people == 0


def test_nothing_is_due_within_the_period(declared: dict[str, Any]) -> None:
    assert anonymise_expired(now=timezone.now() + datetime.timedelta(days=366)).declared_people == 0
    assert not DeclaredPerson.objects.filter(anonymised_at__isnull=False).exists()


def test_a_recent_answer_keeps_an_old_declaration(declared: dict[str, Any]) -> None:
    """A declaration answered (or still pending) in a year within the period is kept, whatever its arrival date."""
    DeclaredPerson.objects.filter(pk=declared["declined"].pk).update(decided_at=LATER - datetime.timedelta(days=30))
    run = anonymise_expired(now=LATER)
    assert run.declared_people == 2
    assert DeclaredPerson.objects.get(pk=declared["declined"].pk).anonymised_at is None
