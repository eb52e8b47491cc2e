"""A person brings a referral subsidy once (元/人), under any hire, year or programme: a second live line for the same
ID number is refused naming the earlier claim, unless the bureau recorded an exception; a rejected or withdrawn claim
releases the person."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.errors import PermissionDenied, PortalError
from portal.models import Employer, User
from referrals.models import Hire, PublicityExemptionRule
from subsidies.models import ClaimItem, PersonException
from subsidies.services import (
    ClaimData,
    ClaimLine,
    claim_create,
    claim_review,
    claim_submit,
    claim_withdraw,
    person_exception_record,
)
from tests.factories import ClaimFactory, claimable_hire, make_id_number

pytestmark = pytest.mark.django_db


def _data(employer: Employer, hire: Hire, amount: str = "1000") -> ClaimData:
    return ClaimData(
        employer=employer,
        employer_contact="张经理",
        employer_phone="023-45678901",
        lines=(ClaimLine(hire=hire, requested_amount=Decimal(amount)),),
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
    )


def _same_person_again(first: Hire, headhunter: User, employer: Employer, **extra: Any) -> Hire:
    """The same person under a new hire: another programme and year (the hires' own uniqueness allows it)."""
    return claimable_hire(
        headhunter.third_party,
        employer,
        id_number=first.id_number,
        name=first.name,
        programme="haiju",
        year=first.year + 1,
        **extra,
    )


def test_the_same_person_under_a_new_hire_is_refused_naming_the_earlier_claim(
    headhunter: User, employer: Employer
) -> None:
    first_hire = claimable_hire(headhunter.third_party, employer, programme="qihang")
    first = claim_create(data=_data(employer, first_hire), by=headhunter)
    second_hire = _same_person_again(first_hire, headhunter, employer)
    with pytest.raises(PortalError) as refused:
        claim_create(data=_data(employer, second_hire), by=headhunter)
    assert refused.value.code == "person_already_claimed" and refused.value.field == "lines"
    assert refused.value.message == (
        f"{first_hire.name}（身份证号码尾号{first_hire.id_number[-4:]}）已在申报 {first.reference} 中申请过引才补助，"
        "每人只补助一次。如属例外，请联系市人社局流动处登记。"
    )
    assert not second_hire.claim_items.exists()


def test_the_bureaus_exception_allows_one_more(headhunter: User, employer: Employer, bureau: User) -> None:
    first_hire = claimable_hire(headhunter.third_party, employer)
    claim_create(data=_data(employer, first_hire), by=headhunter)
    second_hire = _same_person_again(first_hire, headhunter, employer)
    with pytest.raises(PermissionDenied):
        person_exception_record(id_number=first_hire.id_number, name=first_hire.name, reason="x", by=headhunter)
    with pytest.raises(PortalError, match="例外原因"):
        person_exception_record(id_number=first_hire.id_number, name=first_hire.name, reason=" ", by=bureau)
    exception = person_exception_record(
        id_number=first_hire.id_number, name=first_hire.name, reason="重大项目二次引进，经局务会研究同意", by=bureau
    )
    second = claim_create(data=_data(employer, second_hire), by=headhunter)
    assert second.items.get().person_exception == exception
    # One exception, one more: a third hire of the same person is refused again.
    third_hire = claimable_hire(
        headhunter.third_party, employer, id_number=first_hire.id_number, programme="qihang", year=first_hire.year + 2
    )
    with pytest.raises(PortalError, match="每人只补助一次"):
        claim_create(data=_data(employer, third_hire), by=headhunter)


@pytest.mark.parametrize("release", ["withdraw", "reject"])
def test_a_rejected_or_withdrawn_claim_releases_the_person(
    headhunter: User, employer: Employer, centre: User, release: str
) -> None:
    first_hire = claimable_hire(headhunter.third_party, employer)
    first = ClaimFactory(by=headhunter, employer=employer, hires=[first_hire], submitted=True, centre=centre)
    with pytest.raises(PortalError, match=first.reference):
        claim_create(data=_data(employer, _same_person_again(first_hire, headhunter, employer)), by=headhunter)
    if release == "withdraw":
        claim_withdraw(claim=first, by=headhunter, reason="重新申报")
    else:
        claim_review(claim=first, action="first_reject", opinion="材料不实", by=centre)
    again = Hire.objects.get(id_number_digest=first_hire.id_number_digest, programme="haiju")
    second = claim_create(data=_data(employer, again), by=headhunter)
    assert second.items.get().live and not first.items.get().live


def test_the_database_refuses_a_second_live_line_for_the_person(headhunter: User, employer: Employer) -> None:
    first_hire = claimable_hire(headhunter.third_party, employer)
    claim_create(data=_data(employer, first_hire), by=headhunter)
    other_hire = _same_person_again(first_hire, headhunter, employer)
    other = ClaimFactory(by=headhunter, employer=employer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimItem.objects.create(
            claim=other,
            hire=other_hire,
            cap=Decimal(30000),
            requested_amount=Decimal(1),
            person_digest=other_hire.id_number_digest,
        )


def test_submission_checks_lines_written_before_the_rule(headhunter: User, employer: Employer) -> None:
    first_hire = claimable_hire(headhunter.third_party, employer)
    claim_create(data=_data(employer, first_hire), by=headhunter)
    legacy_hire = _same_person_again(first_hire, headhunter, employer)
    legacy = ClaimFactory(by=headhunter, employer=employer, attached=True)
    # A line from before the rule carries no digest: the database lets it be, the submission does not.
    ClaimItem.objects.create(claim=legacy, hire=legacy_hire, cap=Decimal(30000), requested_amount=Decimal(1))
    with pytest.raises(PortalError, match="每人只补助一次"):
        claim_submit(claim=legacy, by=headhunter)


def test_the_api_refuses_the_same_person_with_the_earlier_reference(headhunter: User, employer: Employer) -> None:
    first_hire = claimable_hire(headhunter.third_party, employer)
    first = claim_create(data=_data(employer, first_hire), by=headhunter)
    second_hire = _same_person_again(first_hire, headhunter, employer)
    client = APIClient()
    client.force_authenticate(headhunter)
    payload = {
        "employer": employer.pk,
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "lines": [{"hire": second_hire.pk, "requested_amount": "1000.00"}],
        "declarations": {"introduced": True, "good_credit": True, "truthful": True},
    }
    response = client.post("/api/v1/claims/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "person_already_claimed" and first.reference in response.json()["detail"]


def test_the_bureau_records_an_exception_on_its_page(bureau: User, centre: User, headhunter: User) -> None:
    url = reverse("subsidies:person_exceptions")
    for outsider in (centre, headhunter):
        client = Client()
        client.force_login(outsider)
        assert client.get(url).status_code == 403
    client = Client()
    client.force_login(bureau)
    number = make_id_number(515, birthday="19950101")
    refused = client.post(url, {"name": "王五", "id_number": number, "reason": " "}).content.decode()
    assert "请填写例外原因" in refused
    assert not PersonException.objects.exists()
    response = client.post(url, {"name": "王五", "id_number": number, "reason": "重点项目二次引进，经研究同意。"})
    assert response.status_code == 302
    exception = PersonException.objects.get()
    assert (exception.recorded_by, exception.id_number_digest is not None) == (bureau, True)
    page = client.get(url).content.decode()
    assert "重点项目二次引进" in page and "尚未使用" in page and number not in page


def test_the_review_screen_shows_the_exemption_rule(headhunter: User, employer: Employer, centre: User) -> None:
    rule = PublicityExemptionRule.objects.create(name="涉密岗位（测试）", basis="保密规定")
    hire = claimable_hire(headhunter.third_party, employer, exemption_rule=rule, exemption_note="经批准")
    claim = ClaimFactory(by=headhunter, employer=employer, hires=[hire], submitted=True, centre=centre)
    client = Client()
    client.force_login(centre)
    screen = client.get(reverse("subsidies:review_claim", args=[claim.pk])).content.decode()
    assert "按规定不公示：涉密岗位（测试）；经批准" in screen and "依据：保密规定" in screen
    api = APIClient()
    api.force_authenticate(centre)
    body = api.get(f"/api/v1/claims/{claim.pk}/").json()
    record = body["lines"][0]["review_record"]
    assert (record["exemption_rule"], record["exemption_note"]) == ("涉密岗位（测试）", "经批准")
