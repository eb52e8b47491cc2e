"""Hires: record, audit, publicity on the official calendar, objections, idempotent confirmation."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry

from portal.calendar import CalendarUnknown
from portal.errors import PermissionDenied, PortalError
from portal.models import District, User
from positions.models import Position
from referrals.constants import HireStatus, ObjectionStatus
from referrals.models import Hire, PublicityExemptionRule
from referrals.services import (
    HireData,
    hire_exempt,
    hire_move,
    hire_record,
    notice_publish,
    notices_confirm_closed,
    objection_lodge,
    objection_resolve,
)
from tests.factories import DistrictFactory, HireFactory, PositionFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db
#: The morning of Thursday 12 February 2026 in Chongqing: the notices below are published that day.
PUBLISHING_DAY = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def position(district: District) -> Position:
    return PositionFactory(batch__district=district, published=True, recruits_graduates=True)


def _record(position: Position, clerk: User, n: int = 1, **extra: Any) -> Hire:
    data = HireData(
        position=position,
        name="张三",
        id_number=make_id_number(n),
        mode="full_time",
        contract_term="3年",
        arrived_on=datetime.date(2026, 2, 2),
        **({"graduated_on": datetime.date(2025, 6, 30)} | extra),
    )
    return hire_record(data=data, by=clerk)


def _audited(position: Position, clerk: User, reviewer: User, n: int = 1) -> Hire:
    return hire_move(hire=_record(position, clerk, n), action="audit", by=reviewer)


def test_recording_normalises_and_picks_the_programme(position: Position, clerk: User) -> None:
    hire = _record(position, clerk)
    assert hire.programme == "qihang" and hire.year == 2026
    assert hire.status == HireStatus.RECORDED
    assert str(hire).endswith("）") and hire.id_number not in str(hire)
    entry = LogEntry.objects.get_for_object(hire).get()
    assert hire.id_number not in str(entry.changes)


def test_a_wrong_id_number_and_a_double_recording_are_refused(position: Position, clerk: User) -> None:
    with pytest.raises(PortalError, match="校验位") as excinfo:
        hire_record(
            data=HireData(
                position=position, name="李四", id_number="500103199901010050", mode="full_time", contract_term="3年"
            ),
            by=clerk,
        )
    assert excinfo.value.field == "id_number"
    _record(position, clerk)
    other_district = DistrictFactory()
    other_position = PositionFactory(batch__district=other_district, published=True, recruits_graduates=True)
    with pytest.raises(PortalError, match=position.district.name):
        _record(other_position, UserFactory(clerk=True, district=other_district))


def test_only_the_posts_district_records_and_only_on_published_posts(district: District, clerk: User) -> None:
    with pytest.raises(PortalError, match="已发布"):
        _record(PositionFactory(batch__district=district), clerk)
    with pytest.raises(PermissionDenied):
        _record(PositionFactory(published=True), clerk)


def test_the_2026_spring_festival_publicity_closes_on_wednesday_the_25th(
    position: Position, clerk: User, reviewer: User
) -> None:
    hire = _audited(position, clerk, reviewer)
    notice = notice_publish(
        hires=[hire], published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY
    )
    assert notice.closes_at == datetime.datetime(2026, 2, 26, tzinfo=SHANGHAI)
    hire.refresh_from_db()
    assert hire.status == HireStatus.IN_PUBLICITY and hire.notice == notice


def test_an_unknown_calendar_year_is_refused_and_nothing_is_written(
    position: Position, clerk: User, reviewer: User
) -> None:
    hire = _audited(position, clerk, reviewer)
    with pytest.raises(CalendarUnknown, match="2031"):
        notice_publish(hires=[hire], published_on=datetime.date(2031, 3, 3), title="", by=clerk)
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED


def test_confirmation_is_idempotent_and_open_objections_hold_it(
    position: Position, clerk: User, reviewer: User
) -> None:
    clear, objected = _audited(position, clerk, reviewer, 1), _audited(position, clerk, reviewer, 2)
    notice = notice_publish(
        hires=[clear, objected], published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY
    )
    during = datetime.datetime(2026, 2, 24, 10, tzinfo=SHANGHAI)
    objection = objection_lodge(
        hire=objected, name="王五", phone="13800000000", statement="该人员学历信息与实际不符，请核查。", now=during
    )
    assert objection.receipt.startswith("YY20260224")
    assert notices_confirm_closed(now=during) == 0

    after = notice.closes_at + datetime.timedelta(minutes=1)
    assert notices_confirm_closed(now=after) == 1
    assert notices_confirm_closed(now=after) == 0  # the second run changes nothing
    clear.refresh_from_db()
    objected.refresh_from_db()
    assert clear.status == HireStatus.CONFIRMED and objected.status == HireStatus.IN_PUBLICITY

    objection_resolve(objection=objection, upheld=False, reason="经核查学历属实。", by=reviewer)
    objected.refresh_from_db()
    assert objected.status == HireStatus.CONFIRMED  # last objection dismissed after the close


def test_an_upheld_objection_fails_the_hire(position: Position, clerk: User, reviewer: User) -> None:
    hire = _audited(position, clerk, reviewer)
    notice_publish(hires=[hire], published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY)
    objection = objection_lodge(
        hire=hire,
        name="赵六",
        phone="023-88888888",
        statement="该人员并未实际到岗工作，请核查。",
        now=datetime.datetime(2026, 2, 13, tzinfo=SHANGHAI),
    )
    # Lodged at midnight in Chongqing (16:00 UTC the day before): the receipt carries Chongqing's date.
    assert objection.receipt.startswith("YY20260213")
    with pytest.raises(PermissionDenied):
        objection_resolve(objection=objection, upheld=True, reason="x", by=UserFactory(district_reviewer=True))
    objection_resolve(objection=objection, upheld=True, reason="经核查未到岗。", by=reviewer)
    hire.refresh_from_db()
    assert hire.status == HireStatus.FAILED
    assert notices_confirm_closed(now=datetime.datetime(2026, 3, 1, tzinfo=SHANGHAI)) == 0
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD


def test_objections_outside_publicity_or_without_substance_are_refused(
    position: Position, clerk: User, reviewer: User
) -> None:
    hire = _audited(position, clerk, reviewer)
    with pytest.raises(PortalError, match="公示期"):
        objection_lodge(hire=hire, name="王五", phone="13800000000", statement="该人员学历信息与实际不符。")
    notice = notice_publish(
        hires=[hire], published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY
    )
    with pytest.raises(PortalError, match="至少10个字"):
        objection_lodge(
            hire=hire,
            name="王五",
            phone="13800000000",
            statement="不行",
            now=datetime.datetime(2026, 2, 13, tzinfo=SHANGHAI),
        )
    with pytest.raises(PortalError, match="公示期"):
        objection_lodge(
            hire=hire, name="王五", phone="13800000000", statement="该人员学历信息与实际不符。", now=notice.closes_at
        )


def test_exemption_needs_a_rule_and_the_reviewer(position: Position, clerk: User, reviewer: User) -> None:
    hire = _audited(position, clerk, reviewer)
    rule = PublicityExemptionRule.objects.create(name="涉密岗位（测试）", basis="保密规定")
    with pytest.raises(PortalError, match="规则") as no_rule:
        hire_exempt(hires=[hire], rule=None, by=reviewer)
    assert no_rule.value.field == "exemption_rule"
    with pytest.raises(PermissionDenied, match="初审人员"):
        hire_exempt(hires=[hire], rule=rule, by=clerk)
    other = UserFactory(district_reviewer=True, district=DistrictFactory())
    with pytest.raises(PermissionDenied):
        hire_exempt(hires=[hire], rule=rule, by=other)
    retired = PublicityExemptionRule.objects.create(name="已停用规则", active=False)
    with pytest.raises(PortalError, match="停用"):
        hire_exempt(hires=[hire], rule=retired, by=reviewer)
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED
    (hire,) = hire_exempt(hires=[hire], rule=rule, note="经区人社局批准", by=reviewer)
    assert hire.status == HireStatus.CONFIRMED and hire.exemption_rule == rule and hire.is_exempt
    assert hire.exemption_label == "涉密岗位（测试）；经区人社局批准"
    entry = LogEntry.objects.get_for_object(hire).order_by("-timestamp").first()
    assert entry is not None and entry.actor == reviewer


def test_returns_need_a_reason_and_the_clerk_resubmits(position: Position, clerk: User, reviewer: User) -> None:
    hire = _record(position, clerk)
    with pytest.raises(PortalError, match="原因"):
        hire_move(hire=hire, action="return", by=reviewer)
    hire = hire_move(hire=hire, action="return", by=reviewer, reason="合同期限填写有误")
    assert hire.status == HireStatus.RETURNED and hire.return_reason == "合同期限填写有误"
    with pytest.raises(PermissionDenied):
        hire_move(hire=hire, action="audit", by=clerk)
    assert hire_move(hire=hire, action="resubmit", by=clerk).status == HireStatus.RECORDED


def test_the_admin_form_refuses_the_same_person_twice_with_the_services_message(db: None) -> None:
    """The unique constraint is on the keyed digest, which no form field carries: the form asks the service."""
    from referrals.admin import HireAdminForm

    first = HireFactory()
    other = HireFactory(programme=first.programme, year=first.year)
    form = HireAdminForm(
        data={**{f: getattr(other, f) for f in ("name", "programme", "year")}, "id_number": first.id_number},
        instance=other,
    )
    form.is_valid()
    assert first.district is not None
    assert any(first.district.name in str(error) for error in form.non_field_errors())


def test_a_districts_notices_get_distinct_titles_and_a_repeated_title_is_refused(
    position: Position, clerk: User, reviewer: User
) -> None:
    first = notice_publish(
        hires=[_audited(position, clerk, reviewer, 1)],
        published_on=datetime.date(2026, 2, 12),
        title="",
        by=clerk,
        now=PUBLISHING_DAY,
    )
    second = notice_publish(
        hires=[_audited(position, clerk, reviewer, 2)],
        published_on=datetime.date(2026, 2, 12),
        title="  ",
        by=clerk,
        now=PUBLISHING_DAY,
    )
    name = position.district.name
    assert first.title == f"{name}卓越工程师引进人才公示（2026年第1批）"
    assert second.title == f"{name}卓越工程师引进人才公示（2026年第2批）"
    assert second.reference.endswith("-2026-002")

    third = _audited(position, clerk, reviewer, 3)
    with pytest.raises(
        PortalError, match=f"已有标题为“{name}卓越工程师引进人才公示（2026年第1批）”的公示（{first.reference}）"
    ) as refused:
        notice_publish(
            hires=[third],
            published_on=datetime.date(2026, 2, 12),
            title=f" {name}卓越工程师引进人才公示（2026年第1批）",
            by=clerk,
            now=PUBLISHING_DAY,
        )
    assert refused.value.field == "title"
    third.refresh_from_db()
    assert third.status == HireStatus.AUDITED  # nothing written

    # Another district may use the same words: its notices are told apart by the district.
    other = DistrictFactory()
    other_position = PositionFactory(batch__district=other, published=True, recruits_graduates=True)
    other_clerk = UserFactory(clerk=True, district=other)
    hire = hire_move(
        hire=_record(other_position, other_clerk, 9),
        action="audit",
        by=UserFactory(district_reviewer=True, district=other),
    )
    notice = notice_publish(
        hires=[hire],
        published_on=datetime.date(2026, 2, 12),
        title="卓越工程师引进人才公示",
        by=other_clerk,
        now=PUBLISHING_DAY,
    )
    assert notice.title == "卓越工程师引进人才公示"
