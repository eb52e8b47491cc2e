"""tests.factories.ClaimFactory: each trait leaves a claim as the workflow would, with its events and decisions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subsidies.constants import ClaimStatus
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

EVENTS = {
    ClaimStatus.DRAFT: ["create"],
    ClaimStatus.SUBMITTED: ["create", "submit"],
    ClaimStatus.RETURNED: ["create", "submit", "first_return"],
    ClaimStatus.FIRST_PASSED: ["create", "submit", "first_pass"],
    ClaimStatus.APPROVED: ["create", "submit", "first_pass", "approve"],
    ClaimStatus.PAID: ["create", "submit", "first_pass", "approve", "pay"],
}


@pytest.mark.parametrize("status", list(EVENTS))
def test_each_state_comes_through_the_services(status: str) -> None:
    traits = {} if status == ClaimStatus.DRAFT else {status: True}
    claim = ClaimFactory(amounts=("30000", "4000"), approved_amounts=("25000", "4000"), **traits)
    claim.refresh_from_db()
    assert claim.status == status
    assert list(claim.events.order_by("pk").values_list("action", flat=True)) == EVENTS[ClaimStatus(status)]
    assert claim.requested_total == Decimal("34000")
    assert claim.attachments.count() == (0 if status == ClaimStatus.DRAFT else 2)
    if status in (ClaimStatus.APPROVED, ClaimStatus.PAID):
        assert claim.approved_total == Decimal("29000") and claim.first_reviewer != claim.second_reviewer


def test_a_returned_claim_carries_the_centres_reason() -> None:
    claim = ClaimFactory(returned=True, first_opinion="请补充盖章页。")
    assert claim.first_opinion == "请补充盖章页。" and claim.status == ClaimStatus.RETURNED


def test_a_misspelt_argument_is_refused() -> None:
    with pytest.raises(TypeError, match="approved_amount"):
        ClaimFactory(approved=True, approved_amount=("1",))
