"""我推荐的人才: a third party follows every hire it introduced, from recorded to claimed, and its workspace counts the
hires it can claim now."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from portal.models import Employer, ThirdParty, User
from referrals.constants import IntroductionStage
from referrals.models import PublicityNotice
from referrals.selectors import hires_introduced
from subsidies import selectors
from subsidies.constants import ClaimStatus
from subsidies.queues import claimant_queues
from tests.factories import (
    ClaimFactory,
    HireFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import WithAnnotations

    from referrals.models import Hire
    from subsidies.models import ClaimItem


class _Introduced(TypedDict):
    """What ``referrals.selectors.hires_introduced`` adds to each hire."""

    introduction_stage: str


class _Staged(TypedDict):
    """What ``subsidies.selectors.introduced_hires`` adds to each hire."""

    stage: str
    live_claim_items: list[ClaimItem]


pytestmark = pytest.mark.django_db

PAGE = "/claims/hires/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _introduced(party: ThirdParty, employer: Any, **fields: Any) -> Any:
    values = {
        "third_party": party,
        "employer_confirmation": "pending",
        "position__employer": employer,
        "position__batch__district": employer.district,
    }
    return HireFactory(**(values | fields))


def _notice(hire: Any, days_left: int) -> PublicityNotice:
    clerk = UserFactory(clerk=True, district=hire.district)
    return PublicityNotice.objects.create(
        district=hire.district,
        reference=f"GS-T-{hire.pk:03d}",
        title="公示",
        published_on=timezone.localdate() - datetime.timedelta(days=2),
        closes_at=timezone.now() + datetime.timedelta(days=days_left),
        published_by=clerk,
    )


@pytest.fixture
def world(headhunter: User, employer: Any, centre: User, bureau: User) -> dict[str, Any]:
    """One hire of the headhunter at every stage, and one of another third party."""
    party = headhunter.third_party
    assert party is not None
    hires: dict[str, Any] = {
        "recorded": _introduced(party, employer, name="甲登记"),
        "returned_by_district": _introduced(party, employer, name="乙退回", status="returned"),
        "audited": _introduced(party, employer, name="丙审核", status="audited"),
        "awaiting_employer": _introduced(
            party, employer, name="戊待确认", status="confirmed", confirmed_at=timezone.now()
        ),
        "declined": _introduced(
            party,
            employer,
            name="己不予确认",
            status="confirmed",
            confirmed_at=timezone.now(),
            employer_confirmation="declined",
            employer_decline_reason="该员工系本单位自行招聘。",
        ),
        "failed": _introduced(party, employer, name="庚异议成立", status="failed"),
        "claimable": claimable_hire(party, employer, name="辛可申报"),
        "claimed": claimable_hire(party, employer, name="壬已申报"),
    }
    in_publicity = _introduced(party, employer, name="丁公示中", status="audited")
    notice = _notice(in_publicity, days_left=3)
    in_publicity.status, in_publicity.notice = "in_publicity", notice
    in_publicity.save()
    hires["in_publicity"] = in_publicity
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, hires=[hires["claimed"]])
    other = claimable_hire(ThirdPartyFactory(verified=True), employer, name="他机构人才")
    return {"hires": hires, "claim": claim, "other": other}


def test_the_referrals_selector_gives_each_hire_its_stage_for_its_third_party_only(
    headhunter: User, world: dict[str, Any]
) -> None:
    introduced = cast("QuerySet[WithAnnotations[Hire, _Introduced]]", hires_introduced(user=headhunter))
    stages = {hire.name: hire.introduction_stage for hire in introduced}
    assert stages == {
        "甲登记": IntroductionStage.RECORDED,
        "乙退回": IntroductionStage.RECORDED,
        "丙审核": IntroductionStage.AUDITED,
        "丁公示中": IntroductionStage.IN_PUBLICITY,
        "戊待确认": IntroductionStage.AWAITING_EMPLOYER,
        "己不予确认": IntroductionStage.EMPLOYER_DECLINED,
        "庚异议成立": IntroductionStage.FAILED,
        "辛可申报": IntroductionStage.CONFIRMED,
        "壬已申报": IntroductionStage.CONFIRMED,
    }
    for nobody in (UserFactory(clerk=True), UserFactory(centre=True), UserFactory(employer_user=True)):
        assert not hires_introduced(user=nobody).exists()


def test_subsidies_adds_claimable_and_claimed_and_counts_each_stage_in_one_query(
    headhunter: User, world: dict[str, Any], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        staged = cast("QuerySet[WithAnnotations[Hire, _Staged]]", selectors.introduced_hires(user=headhunter))
        hires = {hire.name: hire for hire in staged}
    assert hires["辛可申报"].stage == "claimable" and hires["壬已申报"].stage == "claimed"
    assert [item.claim for item in hires["壬已申报"].live_claim_items] == [world["claim"]]
    assert "他机构人才" not in hires
    with django_assert_num_queries(1):
        counts = {key: n for key, _, n in selectors.introduced_hire_counts(user=headhunter)}
    assert counts == {
        "recorded": 2,
        "audited": 1,
        "in_publicity": 1,
        "awaiting_employer": 1,
        "confirmed": 0,
        "claimable": 1,
        "claimed": 1,
        "employer_declined": 1,
        "failed": 1,
    }
    assert [h.name for h in selectors.introduced_hires(user=headhunter, stage="claimable")] == ["辛可申报"]
    # What the page calls claimable is exactly what a claim may include.
    assert {h.pk for h in selectors.claimable_hires(user=headhunter)} == {world["hires"]["claimable"].pk}


def test_an_unverified_third_party_sees_its_confirmed_hires_as_confirmed_not_claimable(
    caps: None, employer: Employer
) -> None:
    party = ThirdPartyFactory()
    user = UserFactory(third_party_user=True, third_party=party)
    claimable_hire(party, employer, name="待核验机构人才")
    [hire] = cast("QuerySet[WithAnnotations[Hire, _Staged]]", selectors.introduced_hires(user=user))
    assert hire.stage == "confirmed"
    page = _client(user).get(PAGE).content.decode()
    assert "已确认" in page and "注册信息核验通过后可申报" in page and "去申报" not in page


def test_the_page_shows_every_stage_masked_with_the_publicity_close_and_the_claim(
    headhunter: User, world: dict[str, Any]
) -> None:
    response = _client(headhunter).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    hires = world["hires"]
    for hire in hires.values():
        assert hire.name in page and hire.id_number_masked in page and hire.id_number not in page
    notice = hires["in_publicity"].notice
    assert f"公示至{notice.last_day:%Y年%-m月%-d日}（{notice.reference}）" in page
    for label in ("已登记", "已审核", "公示中", "待单位确认", "可申报", "已申报", "单位不予确认", "异议成立"):
        assert f">{label}</span>" in page, label
    assert "区县核对中" in page and "该员工系本单位自行招聘。" in page
    claim = world["claim"]
    assert reverse("subsidies:claim_detail", args=[claim.pk]) in page and claim.reference in page
    assert f">{ClaimStatus.SUBMITTED.label}</span>" in page
    assert f"?employer={hires['claimable'].position.employer_id}" in page and "去申报" in page
    assert "他机构人才" not in page


def test_the_page_filters_by_stage(headhunter: User, world: dict[str, Any]) -> None:
    page = _client(headhunter).get(PAGE, {"stage": "in_publicity"}).content.decode()
    assert "丁公示中" in page and "甲登记" not in page
    everything = _client(headhunter).get(PAGE, {"stage": "nonsense"}).content.decode()
    assert "丁公示中" in everything and "甲登记" in everything


def test_the_page_is_the_third_partys_only(headhunter: User, world: dict[str, Any]) -> None:
    for user in (UserFactory(clerk=True), UserFactory(centre=True), UserFactory(employer_user=True)):
        assert _client(user).get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302


def test_the_page_costs_the_same_queries_for_3_or_30_hires(
    caps: None, employer: Employer, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    party = ThirdPartyFactory(verified=True)
    user = UserFactory(third_party_user=True, third_party=party)
    client = _client(user)
    numbers = []
    for total in (3, 30):
        while party.hires.count() < total:
            claimable_hire(party, employer)
        with django_assert_max_num_queries(12) as captured:
            assert client.get(PAGE).status_code == 200
        numbers.append(len(captured))
    assert numbers[0] == numbers[1]


def test_the_workspace_counts_the_hires_claimable_now(headhunter: User, world: dict[str, Any]) -> None:
    [card] = [q for q in claimant_queues(headhunter) if q.title == "可申报补助的人才"]
    assert card.count == 1 and "可申报 1 人" in card.description
    assert card.url == f"{PAGE}?stage=claimable"
    page = _client(headhunter).get(reverse("portal:workspace")).content.decode()
    assert "可申报 1 人" in page and "我推荐的人才" in page
