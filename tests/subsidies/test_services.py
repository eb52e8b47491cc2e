"""Claims: who may claim which hire, for how much, once; the two reviews by different people; payment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from portal.errors import PermissionDenied, PortalError
from portal.models import Employer, User
from referrals.models import Hire
from subsidies.constants import ClaimStatus
from subsidies.models import Claim, ClaimItem
from subsidies.services import (
    ClaimData,
    ClaimLine,
    claim_create,
    claim_pay,
    claim_review,
    claim_submit,
    claim_update,
    claim_withdraw,
    parse_amount,
)
from tests.factories import (
    ClaimFactory,
    HireFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
)

pytestmark = pytest.mark.django_db


def _data(employer: Employer, *lines: tuple[Hire, str], declared: bool = True) -> ClaimData:
    return ClaimData(
        employer=employer,
        employer_contact="张经理",
        employer_phone="023-45678901",
        lines=tuple(ClaimLine(hire=hire, requested_amount=Decimal(amount)) for hire, amount in lines),
        declares_introduced=declared,
        declares_good_credit=declared,
        declares_truthful=declared,
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("30000", Decimal("30000.00")), ("4,000.5", Decimal("4000.50")), (3e4, Decimal("30000.00"))],
)
def test_amounts_are_decimal_yuan(raw: str | float, expected: Decimal) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["30000.001", "-1", "0", "NaN", "Infinity", "三万", ""])
def test_amounts_that_are_not_money_are_refused(raw: str) -> None:
    with pytest.raises(PortalError):
        parse_amount(raw)


def test_a_claim_goes_from_draft_to_payment(headhunter, employer, centre, bureau) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("30000", "20000"))
    assert claim.status == ClaimStatus.SUBMITTED and claim.requested_total == Decimal("50000")
    assert headhunter.third_party is not None
    assert claim.reference.startswith("BZ-") and claim.bank_account == headhunter.third_party.bank_account
    claim = claim_review(claim=claim, action="first_pass", opinion="材料齐全，同意。", by=centre)
    assert claim.status == ClaimStatus.FIRST_PASSED and claim.first_reviewer == centre
    items = list(claim.items.all())
    claim = claim_review(
        claim=claim,
        action="approve",
        opinion="核定激励金额。",
        by=bureau,
        approved={items[0].pk: "25000", items[1].pk: "20000"},
    )
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total == Decimal("45000")
    claim = claim_pay(claim=claim, paid_on=datetime.date.today(), reference="ZF2026-001", by=bureau)  # noqa: DTZ011
    assert claim.status == ClaimStatus.PAID
    assert [event.action for event in claim.events.all()] == ["create", "submit", "first_pass", "approve", "pay"]


def test_the_cap_of_each_channel_is_enforced(headhunter: User, employer: Employer) -> None:
    bounty = claimable_hire(headhunter.third_party, employer, channel="bounty_list")
    special = claimable_hire(headhunter.third_party, employer, channel="special_recruitment")
    with pytest.raises(PortalError, match="30,000"):
        claim_create(data=_data(employer, (bounty, "30000.01")), by=headhunter)
    with pytest.raises(PortalError, match="4,000"):
        claim_create(data=_data(employer, (special, "4001")), by=headhunter)
    assert not Claim.objects.exists()
    claim_create(data=_data(employer, (bounty, "30000"), (special, "4000")), by=headhunter)


def test_only_confirmed_hires_of_the_employer_introduced_by_the_claimant(headhunter: User, employer: Employer) -> None:
    party = headhunter.third_party
    cases = {
        "not_confirmed": HireFactory(third_party=party, employer_confirmation="confirmed", position__employer=employer),
        "employer_not_confirmed": claimable_hire(party, employer, employer_confirmation="pending"),
        "other_employer": claimable_hire(party),
        "not_introduced": claimable_hire(ThirdPartyFactory(), employer),
        "failed": claimable_hire(party, employer, status="failed"),
    }
    messages = {}
    for case, hire in cases.items():
        with pytest.raises(PortalError) as caught:
            claim_create(data=_data(employer, (hire, "1000")), by=headhunter)
        messages[case] = caught.value.message
    assert "尚未经公示确认" in messages["not_confirmed"] and "尚未经用人单位确认" in messages["employer_not_confirmed"]
    assert "同一用人单位" in messages["other_employer"] and "不是由本机构" in messages["not_introduced"]
    assert "异议成立" in messages["failed"]
    assert all(hire.id_number not in message for hire, message in zip(cases.values(), messages.values(), strict=True))


def test_an_unverified_third_party_cannot_claim(caps: None, employer: Employer) -> None:
    user = UserFactory(third_party_user=True)
    hire = claimable_hire(user.third_party, employer)
    with pytest.raises(PermissionDenied, match="核验"):
        claim_create(data=_data(employer, (hire, "1000")), by=user)


def test_a_hire_is_in_one_live_claim_only_until_released(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    first = claim_create(data=_data(employer, (hire, "1000")), by=headhunter)
    with pytest.raises(PortalError, match="已在其他有效申报中"):
        claim_create(data=_data(employer, (hire, "1000")), by=headhunter)
    claim_withdraw(claim=first, by=headhunter, reason="重新申报")
    second = claim_create(data=_data(employer, (hire, "2000")), by=headhunter)
    assert second.items.get().live and not first.items.get().live


def test_the_database_itself_refuses_a_second_live_line(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    claim = claim_create(data=_data(employer, (hire, "1000")), by=headhunter)
    other = claim_create(
        data=_data(employer, (claimable_hire(headhunter.third_party, employer), "1000")), by=headhunter
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimItem.objects.create(claim=other, hire=hire, cap=Decimal(30000), requested_amount=Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimItem.objects.filter(claim=claim).update(requested_amount=Decimal("30000.01"))


def test_submission_needs_declarations_and_both_signed_annexes(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    claim = claim_create(data=_data(employer, (hire, "1000"), declared=False), by=headhunter)
    with pytest.raises(PortalError, match="承诺"):
        claim_submit(claim=claim, by=headhunter)
    claim = claim_update(claim=claim, data=_data(employer, (hire, "1000")), by=headhunter)
    with pytest.raises(PortalError, match="附件2"):
        claim_submit(claim=claim, by=headhunter)


def test_the_same_person_cannot_review_twice(headhunter, employer, centre) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    claim = claim_review(claim=claim, action="first_pass", opinion="同意。", by=centre)
    with pytest.raises(PermissionDenied):
        claim_review(claim=claim, action="approve", opinion="同意。", by=centre, approved={})
    # Even an account holding the bureau role cannot re-review what it first reviewed (and the database agrees).
    Claim.objects.filter(pk=claim.pk).update(first_reviewer=(bureau := UserFactory(bureau=True)))
    claim.refresh_from_db()
    with pytest.raises(PermissionDenied):
        claim_review(claim=claim, action="approve", opinion="同意。", by=bureau, approved={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(second_reviewer=bureau)


def test_the_approved_amount_is_at_most_the_asked_one(
    headhunter: User, employer: Employer, centre: User, bureau: User
) -> None:
    claim = claim_review(
        claim=ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("10000",)),
        action="first_pass",
        opinion="同意",
        by=centre,
    )
    item = claim.items.get()
    with pytest.raises(PortalError, match="不能超过申请金额"):
        claim_review(claim=claim, action="approve", opinion="核定", by=bureau, approved={item.pk: "10000.01"})
    with pytest.raises(PortalError, match="逐人核定"):
        claim_review(claim=claim, action="approve", opinion="核定", by=bureau, approved={})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FIRST_PASSED


def test_every_decision_needs_an_opinion_and_a_return_can_be_corrected(headhunter, employer, centre) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("10000",))
    with pytest.raises(PortalError, match="须填写原因"):
        claim_review(claim=claim, action="first_return", opinion=" ", by=centre)
    claim = claim_review(claim=claim, action="first_return", opinion="请补充劳动合同。", by=centre)
    assert claim.status == ClaimStatus.RETURNED
    hire = claim.items.get().hire
    claim = claim_update(claim=claim, data=_data(claim.employer, (hire, "9000")), by=headhunter)
    claim = claim_submit(claim=claim, by=headhunter)
    assert claim.status == ClaimStatus.SUBMITTED and claim.requested_total == Decimal("9000")


def test_rejection_releases_the_hires(headhunter: User, employer: Employer, centre: User) -> None:
    claim = claim_review(
        claim=ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",)),
        action="first_reject",
        opinion="不符合条件。",
        by=centre,
    )
    assert claim.status == ClaimStatus.REJECTED and not claim.items.get().live


def test_third_parties_cannot_review_or_touch_others_claims(headhunter, employer) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    stranger = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))
    with pytest.raises(PermissionDenied):
        claim_withdraw(claim=claim, by=stranger)
    with pytest.raises(PermissionDenied):
        claim_review(claim=claim, action="first_pass", opinion="同意", by=headhunter)


def test_payment_needs_a_reference_and_a_sensible_date(headhunter, employer, centre, bureau) -> None:  # type: ignore[no-untyped-def]
    claim = claim_review(
        claim=ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",)),
        action="first_pass",
        opinion="同意",
        by=centre,
    )
    claim = claim_review(
        claim=claim, action="approve", opinion="核定", by=bureau, approved={claim.items.get().pk: "1000"}
    )
    with pytest.raises(PortalError, match="支付凭证号"):
        claim_pay(claim=claim, paid_on=datetime.date.today(), reference="", by=bureau)  # noqa: DTZ011
    with pytest.raises(PortalError, match="晚于今天"):
        claim_pay(claim=claim, paid_on=datetime.date(2099, 1, 1), reference="ZF1", by=bureau)


def test_each_decision_reaches_the_claimants_inbox(headhunter: User, employer: Employer, centre: User) -> None:
    from portal.models import Notification

    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    assert not Notification.objects.exists()  # its own submission is no news to it
    claim_review(claim=claim, action="first_return", opinion="请补充劳动合同。", by=centre)
    notice = Notification.objects.get(recipient=headhunter)
    assert claim.reference in notice.title and "请补充劳动合同。" in notice.body
    assert notice.url.endswith(f"/claims/{claim.pk}/")


def test_a_line_can_be_approved_at_zero_however_written(
    headhunter: User, employer: Employer, centre: User, bureau: User
) -> None:
    claim = claim_review(
        claim=ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000", "2000")),
        action="first_pass",
        opinion="同意",
        by=centre,
    )
    first, second = claim.items.order_by("pk")
    claim = claim_review(
        claim=claim, action="approve", opinion="核定", by=bureau, approved={first.pk: 0.0, second.pk: "0.0"}
    )
    assert claim.approved_total == Decimal(0)


def test_reviewers_do_not_see_unsent_drafts(headhunter: User, employer: Employer, centre: User) -> None:
    from subsidies.selectors import claim_visible

    draft = claim_create(
        data=_data(employer, (claimable_hire(headhunter.third_party, employer), "1000")), by=headhunter
    )
    assert draft not in claim_visible(user=centre) and draft in claim_visible(user=headhunter)


def test_a_new_claim_is_audited_once_as_created_with_its_reference_and_total(
    headhunter: User, employer: Employer
) -> None:
    from auditlog.models import LogEntry

    hires = [claimable_hire(headhunter.third_party, employer) for _ in range(2)]
    claim = claim_create(data=_data(employer, (hires[0], "30000"), (hires[1], "1500.50")), by=headhunter)

    stored = Claim.objects.get()
    assert (stored.reference, stored.requested_total) == (claim.reference, Decimal("31500.50"))
    assert stored.reference.startswith("BZ-") and stored.reference.endswith(f"{stored.pk:06d}")
    entry = LogEntry.objects.get_for_object(stored).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, headhunter)
    assert entry.changes_dict["reference"] == ["None", stored.reference]
    assert entry.changes_dict["requested_total"] == ["None", "31500.50"]


def test_each_new_line_is_audited_as_created_by_the_claimant(headhunter: User, employer: Employer) -> None:
    from auditlog.models import LogEntry

    hires = [claimable_hire(headhunter.third_party, employer) for _ in range(3)]
    claim = claim_create(data=_data(employer, (hires[0], "30000"), (hires[1], "1500.50")), by=headhunter)
    claim_update(claim=claim, data=_data(employer, (hires[0], "30000"), (hires[2], "800")), by=headhunter)

    created = {
        entry.object_pk: entry
        for entry in LogEntry.objects.get_for_model(ClaimItem).filter(action=LogEntry.Action.CREATE)
    }
    lines = ClaimItem.objects.order_by("pk")
    assert {str(line.pk) for line in lines} <= set(created)
    assert len(created) == 3  # both lines of the draft (one since deleted), then the one the correction added
    for line in lines:
        entry = created[str(line.pk)]
        assert entry.actor == headhunter
        assert Decimal(entry.changes_dict["requested_amount"][1]) == line.requested_amount
        assert entry.changes_dict["hire"][1] == str(line.hire_id)


def test_an_update_keeps_the_lines_it_does_not_change(headhunter: User, employer: Employer) -> None:
    """The same form saved again rewrites no line and writes nothing to the audit trail; a changed amount is one
    update of its line, a line dropped is deleted, a hire added gets a new line."""
    from auditlog.models import LogEntry

    hires = [claimable_hire(headhunter.third_party, employer) for _ in range(3)]
    claim = claim_create(data=_data(employer, (hires[0], "30000"), (hires[1], "1500.50")), by=headhunter)
    lines = list(ClaimItem.objects.order_by("pk").values_list("pk", "hire_id", "requested_amount"))
    entries = LogEntry.objects.count()

    claim_update(claim=claim, data=_data(employer, (hires[0], "30000.00"), (hires[1], "1500.5")), by=headhunter)
    assert list(ClaimItem.objects.order_by("pk").values_list("pk", "hire_id", "requested_amount")) == lines
    assert LogEntry.objects.count() == entries

    claim_update(claim=claim, data=_data(employer, (hires[1], "1200"), (hires[2], "800")), by=headhunter)
    after = list(ClaimItem.objects.order_by("pk").values_list("pk", "hire_id", "requested_amount"))
    assert after[0] == (lines[1][0], hires[1].pk, Decimal("1200.00"))
    assert after[1][1:] == (hires[2].pk, Decimal("800.00")) and after[1][0] > lines[1][0]
    assert Claim.objects.get().requested_total == Decimal("2000.00")
    written = {(entry.action, entry.object_pk) for entry in LogEntry.objects.order_by("pk")[entries:]}
    assert (LogEntry.Action.DELETE, str(lines[0][0])) in written
    assert (LogEntry.Action.UPDATE, str(lines[1][0])) in written
