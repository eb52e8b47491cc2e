"""The post's workflow: every move checked against the table, the role and the district."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry

from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.errors import PermissionDenied, PortalError
from portal.models import District, Employer, User
from positions.constants import BatchStatus, PositionStatus
from positions.models import Position, PositionBatch
from positions.services import (
    PositionData,
    batch_reopen,
    batch_send,
    position_create,
    position_move,
    position_move_many,
    position_update,
)
from tests.factories import EmployerFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _data(employer: Employer, **overrides: Any) -> PositionData:
    fields: dict[str, Any] = {
        "employer": employer,
        "channel": Channel.SPECIAL_RECRUITMENT,
        "name": " 前沿通信技术与政策研究工程师 ",
        "headcount": 4,
        "education": Education.MASTER,
        "majors": "电子信息、通信工程、计算机",
        "competencies": "1.会熟练操作OFFICE；\n2.具备良好的写作能力。",
        "recruits_graduates": True,
        "salary_text": "15-25万元/年",
    }
    return PositionData(**(fields | overrides))


def test_a_clerk_drafts_a_post_with_parsed_salary(district: District, clerk: User) -> None:
    position = position_create(
        data=_data(EmployerFactory(district=district)), district=district, period=TenDayPeriod.current(), by=clerk
    )
    assert position.status == PositionStatus.DRAFT
    assert position.name == "前沿通信技术与政策研究工程师"
    assert (position.salary_min, position.salary_max) == (150000, 250000)
    assert "\n" in position.competencies
    assert LogEntry.objects.get_for_object(position).get().actor == clerk


def test_rules_hold_in_the_service_not_only_the_form(district: District, clerk: User) -> None:
    employer = EmployerFactory(district=district)
    with pytest.raises(PortalError, match="需求人数") as excinfo:
        position_create(data=_data(employer, headcount=0), district=district, period=TenDayPeriod.current(), by=clerk)
    assert excinfo.value.field == "headcount"
    position_create(data=_data(employer), district=district, period=TenDayPeriod.current(), by=clerk)
    with pytest.raises(PortalError, match="同名"):
        position_create(data=_data(employer), district=district, period=TenDayPeriod.current(), by=clerk)


def test_only_the_districts_own_clerk_fills_posts(district: District) -> None:
    outsider = UserFactory(clerk=True)
    with pytest.raises(PermissionDenied):
        position_create(data=_data(EmployerFactory()), district=district, period=TenDayPeriod.current(), by=outsider)
    with pytest.raises(PermissionDenied):
        position_create(
            data=_data(EmployerFactory()), district=district, period=TenDayPeriod.current(), by=UserFactory(centre=True)
        )


def test_the_whole_flow_from_draft_to_published(district: District, clerk: User, reviewer: User) -> None:
    centre, bureau = UserFactory(centre=True), UserFactory(bureau=True)
    position = position_create(
        data=_data(EmployerFactory(district=district)), district=district, period=TenDayPeriod.current(), by=clerk
    )
    position = position_move(position=position, action="submit", by=clerk)
    position = position_move(position=position, action="approve", by=reviewer)
    batch = batch_send(batch=position.batch, by=reviewer)
    assert batch.status == BatchStatus.SENT and not batch.is_zero_report
    position.refresh_from_db()
    assert position.status == PositionStatus.SENT
    position = position_move(position=position, action="aggregate", by=centre)
    position = position_move(position=position, action="publish", by=bureau)
    assert position.status == PositionStatus.PUBLISHED and position.published_at is not None
    position = position_move(position=position, action="close_filled", by=bureau)
    assert position.status == PositionStatus.CLOSED and position.close_reason == "filled"


def test_moves_outside_the_table_are_refused(district: District, clerk: User, reviewer: User) -> None:
    position = PositionFactory(batch__district=district)
    with pytest.raises(PortalError, match="不能复核发布"):
        position_move(position=position, action="publish", by=UserFactory(bureau=True))
    with pytest.raises(PermissionDenied):
        position_move(position=position, action="submit", by=reviewer)
    other_reviewer = UserFactory(district_reviewer=True)
    submitted = PositionFactory(batch__district=district, submitted=True)
    with pytest.raises(PermissionDenied):
        position_move(position=submitted, action="approve", by=other_reviewer)


def test_returns_need_a_reason_and_reopen_editing(district: District, clerk: User, reviewer: User) -> None:
    position = PositionFactory(batch__district=district, submitted=True)
    with pytest.raises(PortalError, match="原因"):
        position_move(position=position, action="district_return", by=reviewer, reason="  ")
    position = position_move(position=position, action="district_return", by=reviewer, reason="请补充薪资范围")
    assert position.status == PositionStatus.RETURNED and position.return_reason == "请补充薪资范围"
    position_update(position=position, data=_data(position.employer, salary_text="20万以上"), by=clerk)
    position.refresh_from_db()
    assert position.salary_min == 200000 and position.salary_max is None


def test_a_city_return_moves_the_post_to_the_districts_open_batch(district: District, reviewer: User) -> None:
    last = TenDayPeriod.current().previous()
    position = PositionFactory(batch__district=district, batch__period=str(last), approved=True)
    batch_send(batch=position.batch, by=reviewer)
    position.refresh_from_db()
    position = position_move(
        position=position, action="city_return", by=UserFactory(centre=True), reason="岗位名称不规范"
    )
    assert position.status == PositionStatus.RETURNED
    assert position.batch.period == str(TenDayPeriod.current())
    assert position.batch.status == BatchStatus.OPEN


def test_a_city_return_after_the_running_batch_was_sent_lands_in_the_next_open_one(
    district: District, reviewer: User
) -> None:
    """The district sent the running 旬 early; a post of the 旬 before, returned by the city, must still land in
    an open batch (it used to be refused to the city as 已报送)."""
    now = TenDayPeriod.current()
    earlier = PositionFactory(batch__district=district, batch__period=str(now.previous()), approved=True)
    batch_send(batch=earlier.batch, by=reviewer)
    running = PositionFactory(batch__district=district, batch__period=str(now), approved=True)
    batch_send(batch=running.batch, by=reviewer)
    earlier.refresh_from_db()
    returned = position_move(
        position=earlier, action="city_return", by=UserFactory(centre=True), reason="请补充职业能力要求"
    )
    assert returned.status == PositionStatus.RETURNED
    assert returned.batch.period == str(now.next()) and returned.batch.status == BatchStatus.OPEN


def test_sending_a_late_batch_carries_its_drafts_into_an_open_batch_from_the_running_one(
    district: District, reviewer: User
) -> None:
    now = TenDayPeriod.current()
    old = now.previous().previous()
    draft = PositionFactory(batch__district=district, batch__period=str(old))
    PositionFactory(batch__district=district, batch__period=str(now), approved=True)
    batch_send(batch=PositionBatch.objects.get(district=district, period=str(now)), by=reviewer)
    batch_send(batch=draft.batch, by=reviewer)
    draft.refresh_from_db()
    # Not the 旬 after the old one (long past, never looked at), nor the running one (already sent): the next.
    assert draft.batch.period == str(now.next()) and draft.batch.status == BatchStatus.OPEN


def test_a_ten_day_period_not_yet_begun_is_not_sent(district: District, reviewer: User) -> None:
    later = PositionFactory(batch__district=district, batch__period=str(TenDayPeriod.current().next()), approved=True)
    with pytest.raises(PortalError, match="尚未开始"):
        batch_send(batch=later.batch, by=reviewer)
    later.refresh_from_db()
    assert later.status == PositionStatus.APPROVED and later.batch.status == BatchStatus.OPEN


def test_batch_send_zero_report_and_freezing(district: District, clerk: User, reviewer: User) -> None:
    draft = PositionFactory(batch__district=district)
    batch = batch_send(batch=draft.batch, by=reviewer)
    assert batch.is_zero_report
    draft.refresh_from_db()
    assert draft.batch.period == str(batch.ten_day_period.next())  # carried on, not frozen in a sent batch
    with pytest.raises(PortalError, match="重复报送"):
        batch_send(batch=batch, by=reviewer)
    with pytest.raises(PortalError, match="已报送"):
        position_create(
            data=_data(EmployerFactory(district=district)), district=district, period=batch.ten_day_period, by=clerk
        )
    bureau = UserFactory(bureau=True)
    with pytest.raises(PermissionDenied):
        batch_reopen(batch=batch, by=UserFactory(centre=True), reason="补报")
    with pytest.raises(PortalError, match="原因"):
        batch_reopen(batch=batch, by=bureau, reason="")
    batch = batch_reopen(batch=batch, by=bureau, reason="区县补报两个岗位")
    assert batch.status == BatchStatus.OPEN and batch.reopened_reason == "区县补报两个岗位"
    assert LogEntry.objects.get_for_object(batch).filter(actor=bureau).exists()


def test_pending_review_blocks_sending(district: District, reviewer: User) -> None:
    position = PositionFactory(batch__district=district, submitted=True)
    with pytest.raises(PortalError, match="待初审"):
        batch_send(batch=position.batch, by=reviewer)


def test_bulk_approval_is_all_or_nothing(district: District, reviewer: User) -> None:
    batch_posts = [PositionFactory(batch__district=district, submitted=True) for _ in range(3)]
    draft = PositionFactory(batch__district=district)
    with pytest.raises(PortalError):
        position_move_many(positions=[*batch_posts, draft], action="approve", by=reviewer)
    assert Position.objects.filter(status=PositionStatus.APPROVED).count() == 0
    position_move_many(positions=batch_posts, action="approve", by=reviewer)
    assert Position.objects.filter(status=PositionStatus.APPROVED).count() == 3


def test_a_district_fills_posts_for_its_own_employers_only(district: District, clerk: User) -> None:
    """The form lists the district's employers only; the API names one by id, so the service holds the rule."""
    elsewhere = EmployerFactory()
    with pytest.raises(PortalError, match="不属于本区县") as excinfo:
        position_create(data=_data(elsewhere), district=district, period=TenDayPeriod.current(), by=clerk)
    assert excinfo.value.field == "employer"
    position = PositionFactory(batch__district=district)
    with pytest.raises(PortalError, match="不属于本区县"):
        position_update(position=position, data=_data(elsewhere), by=clerk)
    assert not Position.objects.filter(employer=elsewhere).exists()
