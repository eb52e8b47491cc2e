"""Competing declarations of one person at one employer, confirmed at the same moment by several of the employer's
accounts (docs/workflows.md, "Declarations by third parties"): one confirmation wins, one hire is made, every other
declaration ends declined. The row locks serialise the decisions; the conditional unique constraint backs them.

PostgreSQL only: SQLite lets one writer at a time, so a race there proves nothing.
Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest tests/referrals/test_declaration_concurrency.py``.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from portal.errors import PortalError
from referrals.constants import DeclarationStatus
from referrals.declarations import DeclaredPost, PersonData, declaration_submit, declared_person_decide
from referrals.models import DeclaredPerson, Hire
from tests.factories import EmployerFactory, UserFactory, make_id_number

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers, so no real race happens",
    ),
]
RIVALS = 8


def test_one_of_many_simultaneous_confirmations_wins() -> None:
    employer = EmployerFactory()
    post = DeclaredPost(employer=employer, post_name="并发岗位", channel="bounty_list")
    person = PersonData(
        name="并发人员",
        id_number=make_id_number(9901),
        mode="full_time",
        contract_term="3年",
        programme="haiju",
        work_experience="2018-2025 某研究院 工程师",
    )
    declared = []
    for _ in range(RIVALS):
        party_user = UserFactory(third_party_user=True, third_party__verified=True)
        declared.append(declaration_submit(post=post, people=[person], by=party_user).people.get())
    accounts = [UserFactory(employer_user=True, employer=employer) for _ in range(RIVALS)]
    barrier = threading.Barrier(RIVALS)
    outcomes: list[object] = [None] * RIVALS

    def confirm(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[i] = declared_person_decide(person=declared[i], confirmed=True, by=accounts[i])
        except BaseException as error:  # every outcome is asserted on below
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(RIVALS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [outcome for outcome in outcomes if isinstance(outcome, DeclaredPerson)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(outcome, PortalError) for outcome in outcomes if outcome not in winners), outcomes
    statuses = list(DeclaredPerson.objects.values_list("status", flat=True))
    assert statuses.count(DeclarationStatus.CONFIRMED) == 1
    assert statuses.count(DeclarationStatus.DECLINED) == RIVALS - 1
    assert Hire.objects.count() == 1
