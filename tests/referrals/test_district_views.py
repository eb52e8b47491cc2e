"""The district's desk in the browser's terms: record, audit, publish, resolve; scoping and the ID-number reveal."""

from __future__ import annotations

import datetime
from contextlib import AbstractContextManager
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries

from portal.models import District, PersonalDataAccess, User
from positions.models import Position
from referrals.constants import HireStatus, ObjectionStatus
from referrals.models import Hire, Objection, PublicityExemptionRule
from referrals.services import objection_lodge
from tests.factories import DistrictFactory, HireFactory, PositionFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db


def _on_publishing_day() -> AbstractContextManager[object]:
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC))


def test_a_notice_cannot_start_in_the_past(clerk: User, position: Position) -> None:
    hire = HireFactory(position=position, audited=True)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = _client(clerk).post(
        reverse("referrals:notice_publish"),
        {"ids": [hire.pk], "published_on": yesterday.isoformat(), "title": "", "action": "publish"},
    )
    assert "公示开始日期不能早于今天" in response.content.decode()
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def position(district: District) -> Position:
    return PositionFactory(batch__district=district, published=True, headcount=1, recruits_graduates=True)


def _form(position: Position, **extra: Any) -> dict[str, Any]:
    return {
        "position": position.pk,
        "name": "李四",
        "id_number": make_id_number(31),
        "mode": "full_time",
        "contract_term": "3年",
        "education": "master",
        "school": "重庆大学",
        "arrived_on": "2026-03-02",
        "graduated_on": "2025-07-01",
        **extra,
    }


def test_the_clerk_records_an_arrival_in_the_form(clerk: User, position: Position) -> None:
    response = _client(clerk).post(reverse("referrals:hire_create"), _form(position))
    assert response.status_code == 302
    hire = Hire.objects.get()
    assert hire.status == HireStatus.RECORDED and hire.year == 2026 and hire.programme == "qihang"


def test_a_wrong_id_number_is_shown_on_its_field_and_nothing_is_saved(clerk: User, position: Position) -> None:
    response = _client(clerk).post(reverse("referrals:hire_create"), _form(position, id_number="500103200001010001"))
    assert response.status_code == 200
    assert "身份证" in str(response.context["form"].errors["id_number"])
    assert not Hire.objects.exists()


def test_the_same_person_in_another_district_is_named(clerk: User, position: Position) -> None:
    other = HireFactory(id_number=make_id_number(31), year=2026, programme="qihang")
    response = _client(clerk).post(reverse("referrals:hire_create"), _form(position))
    errors = str(response.context["form"].errors["id_number"])
    assert other.district is not None and other.district.name in errors and make_id_number(31) not in errors


def test_a_hire_past_the_posts_headcount_is_flagged_to_the_reviewer(reviewer: User, position: Position) -> None:
    HireFactory(position=position)
    HireFactory(position=position)
    page = _client(reviewer).get(reverse("referrals:hire_list")).content.decode()
    assert "超出需求人数（2/1）" in page


def test_the_list_is_scoped_and_masks_id_numbers(
    reviewer: User, position: Position, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    mine = HireFactory(position=position)
    theirs = HireFactory()
    client = _client(reviewer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("referrals:hire_list")).content.decode()
    assert mine.name in page and theirs.name not in page
    assert mine.id_number not in page and mine.id_number_masked in page
    assert client.get(reverse("referrals:hire_detail", args=[theirs.pk])).status_code == 404


def test_the_reviewer_audits_and_returns(reviewer: User, position: Position) -> None:
    first, second = HireFactory(position=position), HireFactory(position=position)
    client = _client(reviewer)
    client.post(reverse("referrals:hire_move", args=[first.pk]), {"action": "audit"})
    client.post(reverse("referrals:hire_move", args=[second.pk]), {"action": "return", "reason": "合同期限填写有误"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == HireStatus.AUDITED
    assert second.status == HireStatus.RETURNED and second.return_reason == "合同期限填写有误"


def test_revealing_the_whole_id_number_is_recorded(reviewer: User, position: Position) -> None:
    hire = HireFactory(position=position)
    response = _client(reviewer).post(reverse("referrals:hire_reveal_id", args=[hire.pk]))
    assert hire.id_number in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert access.user == reviewer and access.subject == hire and access.field == "id_number"


def test_city_staff_see_every_district_but_not_the_whole_id_number(position: Position) -> None:
    hire = HireFactory(position=position)
    client = _client(UserFactory(centre=True))
    assert hire.name in client.get(reverse("referrals:hire_list")).content.decode()
    # The talent centre acts (and reveals) only on hires without a district: a district's hire is not found there.
    assert client.post(reverse("referrals:hire_reveal_id", args=[hire.pk])).status_code == 404
    assert (
        _client(UserFactory(bureau=True)).post(reverse("referrals:hire_reveal_id", args=[hire.pk])).status_code == 403
    )
    assert not PersonalDataAccess.objects.exists()


def test_publishing_a_notice_from_the_desk(clerk: User, position: Position) -> None:
    hires = [HireFactory(position=position, audited=True) for _ in range(2)]
    with _on_publishing_day():
        response = _client(clerk).post(
            reverse("referrals:notice_publish"),
            {"ids": [hire.pk for hire in hires], "published_on": "2026-02-12", "title": "", "action": "publish"},
        )
    assert response.status_code == 302
    notice = hires[0].__class__.objects.get(pk=hires[0].pk).notice
    assert notice is not None and notice.last_day == datetime.date(2026, 2, 25)
    assert set(notice.hires.values_list("status", flat=True)) == {HireStatus.IN_PUBLICITY}


def test_a_year_without_a_known_calendar_is_refused_on_the_page(clerk: User, position: Position) -> None:
    hire = HireFactory(position=position, audited=True)
    response = _client(clerk).post(
        reverse("referrals:notice_publish"),
        {"ids": [hire.pk], "published_on": "2031-03-03", "title": "", "action": "publish"},
    )
    assert response.status_code == 200
    assert "2031" in response.content.decode()
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED


def test_an_exemption_needs_its_rule_and_the_reviewer(clerk: User, reviewer: User, position: Position) -> None:
    hire = HireFactory(position=position, audited=True)
    rule = PublicityExemptionRule.objects.create(name="涉密岗位（测试）", basis="保密规定")
    data = {"exempt_ids": [hire.pk], "published_on": "2026-02-12", "action": "exempt", "exemption_rule": rule.pk}
    # The clerk's page offers no exemption, and a forged post is refused.
    page = _client(clerk).get(reverse("referrals:notice_publish")).content.decode()
    assert "按规定不公示并确认" not in page
    refused = _client(clerk).post(reverse("referrals:notice_publish"), data).content.decode()
    assert "只有本区县初审人员" in refused
    client = _client(reviewer)
    assert "涉密岗位（测试）" in client.get(reverse("referrals:notice_publish")).content.decode()
    page = client.post(reverse("referrals:notice_publish"), {**data, "exemption_rule": ""}).content.decode()
    assert "请选择不公示所依据的规则" in page
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED
    client.post(reverse("referrals:notice_publish"), {**data, "exemption_note": "经批准"})
    hire.refresh_from_db()
    assert hire.status == HireStatus.CONFIRMED and hire.exemption_rule == rule and hire.exemption_note == "经批准"
    # The publication's ticks (all on by default) exempt nobody: only the exemption's own list does.
    other = HireFactory(position=position, audited=True)
    page = client.post(
        reverse("referrals:notice_publish"), {**data, "exempt_ids": [], "ids": [other.pk]}, follow=True
    ).content.decode()
    assert "请在“按规定不公示”中逐一勾选不公示的人员。" in page
    other.refresh_from_db()
    assert other.status == HireStatus.AUDITED
    detail = client.get(reverse("referrals:hire_detail", args=[hire.pk])).content.decode()
    assert "按规定不公示：涉密岗位（测试）；经批准" in detail


def test_objections_are_resolved_in_the_queue(clerk: User, position: Position) -> None:
    hire = HireFactory(position=position, audited=True)
    client = _client(clerk)
    with _on_publishing_day():
        client.post(
            reverse("referrals:notice_publish"),
            {"ids": [hire.pk], "published_on": "2026-02-12", "title": "", "action": "publish"},
        )
    client = _client(clerk)  # a new sign-in: the one above is 9 months old at today's clock
    during = datetime.datetime(2026, 2, 13, 10, tzinfo=datetime.UTC)
    objection = objection_lodge(
        hire=hire, name="王五", phone="13800000000", statement="该人员学历信息与实际不符，请核实。", now=during
    )
    other_district = _client(UserFactory(clerk=True, district=DistrictFactory()))
    assert objection.receipt not in other_district.get(reverse("referrals:objection_queue")).content.decode()
    assert objection.receipt in client.get(reverse("referrals:objection_queue")).content.decode()
    client.post(reverse("referrals:objection_resolve", args=[objection.pk]), {"decision": "dismissed", "reason": ""})
    assert Objection.objects.get().status == ObjectionStatus.OPEN
    after = datetime.datetime(2026, 2, 26, 10, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=after):
        client.post(
            reverse("referrals:objection_resolve", args=[objection.pk]),
            {"decision": "dismissed", "reason": "经核实学历信息无误。"},
        )
    hire.refresh_from_db()
    assert Objection.objects.get().status == ObjectionStatus.DISMISSED
    assert hire.status == HireStatus.CONFIRMED


def test_staff_pages_render(clerk: User, reviewer: User, position: Position) -> None:
    hire = HireFactory(position=position)
    for user in (clerk, reviewer):
        client = _client(user)
        for name in ("hire_list", "hire_create", "notice_publish", "notice_list", "objection_queue"):
            if name == "hire_create" and user == reviewer:
                assert client.get(reverse(f"referrals:{name}")).status_code == 403
                continue
            assert client.get(reverse(f"referrals:{name}")).status_code == 200, name
        assert client.get(reverse("referrals:hire_detail", args=[hire.pk])).status_code == 200
    assert _client(clerk).get(reverse("referrals:hire_edit", args=[hire.pk])).status_code == 200
    assert timezone.now()


def test_the_admin_change_form_records_the_look(position: Position) -> None:
    hire = HireFactory(position=position)
    admin = UserFactory(admin=True, is_staff=True, is_superuser=True)
    response = _client(admin).get(reverse("admin:referrals_hire_change", args=[hire.pk]))
    assert response.status_code == 200
    assert PersonalDataAccess.objects.get().purpose == "系统管理"


def test_opening_the_edit_form_is_a_recorded_look(clerk: User, position: Position) -> None:
    hire = HireFactory(position=position)
    page = _client(clerk).get(reverse("referrals:hire_edit", args=[hire.pk])).content.decode()
    assert hire.id_number in page
    assert PersonalDataAccess.objects.get().purpose == "修改到岗人员"


def test_a_title_the_district_already_used_is_refused_under_the_title_field(clerk: User, position: Position) -> None:
    first, second = (HireFactory(position=position, audited=True) for _ in range(2))
    client = _client(clerk)
    data = {"published_on": "2026-02-12", "title": "第一批人才公示", "action": "publish"}
    with _on_publishing_day():
        assert client.post(reverse("referrals:notice_publish"), {**data, "ids": [first.pk]}).status_code == 302
        response = client.post(reverse("referrals:notice_publish"), {**data, "ids": [second.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    title_field = page.split('name="title"')[1].split('class="mb-3"')[0]  # the field, its help and its errors
    assert '<div class="invalid-feedback d-block">本区县已有标题为“第一批人才公示”的公示（' in title_field
    second.refresh_from_db()
    assert second.status == HireStatus.AUDITED


def test_the_publish_form_names_the_title_this_notice_would_get(clerk: User, position: Position) -> None:
    hires = [HireFactory(position=position, audited=True) for _ in range(2)]
    client = _client(clerk)
    district = position.district.name
    with _on_publishing_day():
        page = client.get(reverse("referrals:notice_publish")).content.decode()
        assert f"不填则为“{district}卓越工程师引进人才公示（2026年第1批）”" in page
        assert "某某区" not in page
        client.post(
            reverse("referrals:notice_publish"),
            {"ids": [hires[0].pk], "published_on": "2026-02-12", "title": "", "action": "publish"},
        )
        page = client.get(reverse("referrals:notice_publish")).content.decode()
    assert f"不填则为“{district}卓越工程师引进人才公示（2026年第2批）”" in page
