"""A hire is subsidised at most once, even when fifty submissions that include it arrive at the same moment
(docs/subsidies.md, "Once per hire"): the database's partial unique index decides, under real concurrent connections.

PostgreSQL only: SQLite lets one writer at a time, so a race there proves nothing.
Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest tests/subsidies/test_concurrency.py``.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest
from django.db import connection
from pytest_django.live_server_helper import LiveServer
from rest_framework.authtoken.models import Token

from portal.errors import PortalError
from portal.models import IdempotencyKey, SubsidyCap, ThirdParty, User
from referrals.models import Hire
from subsidies.constants import ClaimStatus
from subsidies.models import Claim, ClaimEvent, ClaimItem
from subsidies.services import ClaimData, ClaimLine, claim_create, claim_submit
from tests.factories import (
    SIGNED_SCAN,
    EmployerFactory,
    ThirdPartyFactory,
    UserFactory,
    attach_signed_annexes,
    claimable_hire,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers, so no real race happens",
    ),
]
SUBMISSIONS = 50
ACCOUNTS = 5  # the same third party signs in with several accounts, as an agency's staff would
P = TypeVar("P")
PDF = SIGNED_SCAN


def _race(prepare: Callable[[int], P], act: Callable[[P], object]) -> list[object]:
    """On each of 50 threads, ``prepare(i)``, then wait for all the others, then ``act`` at the same moment.
    Returns each thread's result or exception."""
    barrier = threading.Barrier(SUBMISSIONS)
    outcomes: list[object] = [None] * SUBMISSIONS

    def run(i: int) -> None:
        try:
            prepared = prepare(i)
            barrier.wait(timeout=60)
            outcomes[i] = act(prepared)
        except BaseException as error:  # every outcome is asserted on below, exceptions included
            outcomes[i] = error
        finally:
            # Each thread had its own database connection: close it, or the test database cannot be dropped.
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _setup() -> tuple[ThirdParty, list[User], Hire, list[Hire]]:
    SubsidyCap.objects.create(
        channel="bounty_list",
        amount=Decimal(30000),
        effective_from=datetime.date(2022, 1, 1),
        policy_reference="渝人社发〔2022〕50号",
    )
    party = ThirdPartyFactory(verified=True)
    accounts = [UserFactory(third_party_user=True, third_party=party) for _ in range(ACCOUNTS)]
    employer = EmployerFactory()
    shared = claimable_hire(party, employer)
    # Each submission also carries a hire of its own: a refused submission must leave no trace of it either.
    own = [claimable_hire(party, employer) for _ in range(SUBMISSIONS)]
    return party, accounts, shared, own


def _assert_one_live_claim(shared: Hire, own: list[Hire]) -> Claim:
    assert ClaimItem.objects.filter(hire=shared, live=True).count() == 1
    claim = Claim.objects.get()
    lines = set(claim.items.values_list("hire_id", flat=True))
    assert shared.pk in lines and len(lines) == 2 and lines - {shared.pk} <= {hire.pk for hire in own}
    assert ClaimItem.objects.count() == 2  # the refused submissions' own hires are on no claim
    return claim


def test_fifty_concurrent_submissions_of_one_hire_leave_exactly_one_live_claim() -> None:
    _party, accounts, shared, own = _setup()

    def prepare(i: int) -> tuple[ClaimData, User]:
        # Everything but the race itself is read before the barrier: the threads collide on the claim's lines.
        user = User.objects.select_related("third_party").get(pk=accounts[i % ACCOUNTS].pk)
        hires = Hire.objects.select_related("position").in_bulk([shared.pk, own[i].pk])
        data = ClaimData(
            employer=hires[shared.pk].employer,
            employer_contact="张经理",
            employer_phone="023-45678901",
            lines=(
                ClaimLine(hire=hires[shared.pk], requested_amount=Decimal("30000.00")),
                ClaimLine(hire=hires[own[i].pk], requested_amount=Decimal("1000.00")),
            ),
            declares_introduced=True,
            declares_good_credit=True,
            declares_truthful=True,
        )
        return data, user

    outcomes = _race(prepare, lambda prepared: _create_and_submit(*prepared))

    winners = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, PortalError)]
    others = [outcome for outcome in outcomes if not isinstance(outcome, int | PortalError)]
    assert others == []
    assert len(winners) == 1 and len(refusals) == SUBMISSIONS - 1
    for refusal in refusals:
        assert refusal.code == "hire_already_claimed"
        assert f"{shared.name}已在其他有效申报中" in refusal.message
    claim = _assert_one_live_claim(shared, own)
    assert claim.pk == winners[0] and claim.status == ClaimStatus.SUBMITTED
    assert list(ClaimEvent.objects.values_list("action", flat=True).order_by("pk")) == ["create", "submit"]


def _create_and_submit(data: ClaimData, user: User) -> int:
    claim = claim_create(data=data, by=user)
    attach_signed_annexes(claim, user)
    return claim_submit(claim=claim, by=user).pk


def _body(employer_id: int, *lines: tuple[Hire, str]) -> dict[str, object]:
    return {
        "employer": employer_id,
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "declarations": {"introduced": True, "good_credit": True, "truthful": True},
        "lines": [{"hire": hire.pk, "requested_amount": amount} for hire, amount in lines],
    }


def _request(url: str, token: str, body: dict[str, object], key: str) -> urllib.request.Request:
    return urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{url}/api/v1/claims/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}", "Idempotency-Key": key},
        method="POST",
    )


def _post(request: urllib.request.Request) -> tuple[int, dict[str, object]]:
    # The test server's listen queue is short (10): some of fifty simultaneous connections are reset before they
    # are read. The client retries those with its Idempotency-Key, as a real client should.
    for attempt in range(10):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("the live server did not answer")


def test_fifty_concurrent_api_requests_including_one_hire_create_one_claim(live_server: LiveServer) -> None:
    """The same race through HTTP: fifty machine clients with tokens POST to /api/v1/claims/ at once."""
    _party, accounts, shared, own = _setup()
    tokens = [Token.objects.create(user=user).key for user in accounts]
    employer_id = shared.employer_id

    def prepare(i: int) -> urllib.request.Request:
        body = _body(employer_id, (shared, "30000.00"), (own[i], "1000"))
        return _request(live_server.url, tokens[i % ACCOUNTS], body, key=f"race-{i}")

    outcomes = _race(prepare, _post)

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    statuses = sorted(outcome[0] for outcome in outcomes if isinstance(outcome, tuple))
    assert statuses == [201] + [400] * (SUBMISSIONS - 1)
    for code, body in (outcome for outcome in outcomes if isinstance(outcome, tuple)):
        if code == 400:
            assert body["code"] == "hire_already_claimed" and "已在其他有效申报中" in body["detail"]
    _assert_one_live_claim(shared, own)


def test_fifty_copies_of_one_request_with_one_idempotency_key_act_once(live_server: LiveServer) -> None:
    """A client that fires the same request fifty times at once with one key: one claim, fifty identical replies
    (the copies wait on the key's row until the first commits, then get its reply)."""
    _party, accounts, shared, _own = _setup()
    token = Token.objects.create(user=accounts[0]).key
    body = _body(shared.employer_id, (shared, "30000.00"))

    outcomes = _race(lambda i: _request(live_server.url, token, body, key="one-key"), _post)

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert {outcome[0] for outcome in outcomes if isinstance(outcome, tuple)} == {201}
    claim = Claim.objects.get()
    assert {outcome[1]["id"] for outcome in outcomes if isinstance(outcome, tuple)} == {claim.pk}
    assert ClaimItem.objects.get().hire_id == shared.pk
    assert IdempotencyKey.objects.get().key == "one-key"


def test_reviewers_deciding_one_claim_at_once_give_one_decision_and_clear_refusals() -> None:
    """Decisions on one claim are serialised by its row lock: of fifty first reviews (pass, return or reject) sent at
    the same moment by several officers, exactly one is recorded; the rest are told the claim has moved on."""
    from subsidies.services import claim_review

    _party, accounts, shared, _own = _setup()
    claim_id = _create_and_submit(
        ClaimData(
            employer=shared.employer,
            employer_contact="张经理",
            employer_phone="023-45678901",
            lines=(ClaimLine(hire=shared, requested_amount=Decimal("30000.00")),),
            declares_introduced=True,
            declares_good_credit=True,
            declares_truthful=True,
        ),
        accounts[0],
    )
    officers = [UserFactory(centre=True) for _ in range(5)]
    actions = ("first_pass", "first_return", "first_reject")

    def prepare(i: int) -> tuple[Claim, User, str]:
        return Claim.objects.get(pk=claim_id), User.objects.get(pk=officers[i % len(officers)].pk), actions[i % 3]

    def act(prepared: tuple[Claim, User, str]) -> str:
        claim, officer, action = prepared
        return claim_review(claim=claim, action=action, opinion="审核意见。", by=officer).status

    outcomes = _race(prepare, act)
    decided = [outcome for outcome in outcomes if isinstance(outcome, str)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, PortalError)]
    assert [o for o in outcomes if not isinstance(o, str | PortalError)] == []
    assert len(decided) == 1 and len(refusals) == SUBMISSIONS - 1
    assert all(refusal.code == "invalid_transition" for refusal in refusals)
    claim = Claim.objects.get(pk=claim_id)
    assert claim.status == decided[0]
    reviews = ClaimEvent.objects.filter(claim=claim).exclude(action__in=["create", "submit"])
    assert reviews.count() == 1
