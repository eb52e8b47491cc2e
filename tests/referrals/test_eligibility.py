"""启航 or 海聚 from the person's facts: the 应届 window at its edges, 柔性 never 启航, the post's 是否招聘应届生 no
longer deciding, the admin's window changing the outcome, and the district's 初审 checking the facts."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from portal.constants import Programme
from portal.errors import PortalError
from portal.models import District, User
from positions.models import Position
from referrals.constants import HireStatus
from referrals.eligibility import GraduateWindows
from referrals.importing import import_hires, preview_hires
from referrals.models import GraduateWindow, Hire
from referrals.services import HireData, hire_move, hire_record
from tests.factories import HireFactory, PositionFactory, make_id_number
from tests.referrals.test_importing import person, write_sheet

pytestmark = pytest.mark.django_db

ARRIVED = datetime.date(2026, 3, 2)  # programme year 2026: the default window is 1 Jan 2025 – 31 Dec 2026


@pytest.fixture
def position(district: District) -> Position:
    return PositionFactory(batch__district=district, published=True, recruits_graduates=True)


def _record(position: Position, clerk: User, n: int = 1, **extra: Any) -> Hire:
    data = HireData(
        position=position,
        name="张三",
        id_number=make_id_number(n),
        mode=extra.pop("mode", "full_time"),
        contract_term="3年",
        arrived_on=ARRIVED,
        **extra,
    )
    return hire_record(data=data, by=clerk)


@pytest.mark.parametrize(
    ("graduated_on", "programme"),
    [
        (datetime.date(2025, 1, 1), Programme.QIHANG),  # the window's first day
        (datetime.date(2026, 12, 31), Programme.QIHANG),  # its last day
        (datetime.date(2024, 12, 31), Programme.HAIJU),  # the day before it opens
        (datetime.date(2027, 1, 1), Programme.HAIJU),  # the day after it closes
    ],
)
def test_the_window_decides_at_its_edges(
    position: Position, clerk: User, graduated_on: datetime.date, programme: str
) -> None:
    assert _record(position, clerk, graduated_on=graduated_on).programme == programme


def test_qihang_chosen_outside_the_window_is_refused_naming_the_field(position: Position, clerk: User) -> None:
    with pytest.raises(PortalError, match="毕业时间") as refused:
        _record(position, clerk, programme="qihang", graduated_on=datetime.date(2024, 12, 31))
    assert refused.value.field == "graduated_on" and "2025年1月1日至2026年12月31日" in refused.value.message
    assert _record(position, clerk, programme="qihang", graduated_on=datetime.date(2025, 1, 1)).programme == "qihang"


def test_a_flexible_hire_is_never_qihang(position: Position, clerk: User, reviewer: User) -> None:
    with pytest.raises(PortalError, match="引进方式") as refused:
        _record(position, clerk, mode="flexible", programme="qihang", graduated_on=datetime.date(2025, 6, 30))
    assert refused.value.field == "mode"
    # Not chosen: a flexible hire is 海聚 even with a fresh graduation date.
    hire = _record(position, clerk, mode="flexible", graduated_on=datetime.date(2025, 6, 30))
    assert hire.programme == Programme.HAIJU
    # And at the audit, whatever got into the table.
    forced = HireFactory(position=position, mode="flexible", programme="qihang")
    with pytest.raises(PortalError, match="柔性"):
        hire_move(hire=forced, action="audit", by=reviewer)


def test_the_posts_graduates_column_no_longer_decides(district: District, clerk: User) -> None:
    blank = PositionFactory(batch__district=district, published=True, recruits_graduates=False)
    with pytest.raises(PortalError, match="请填写毕业时间（启航）或工作经历（海聚）") as refused:
        _record(blank, clerk)
    assert refused.value.field == "programme"
    assert _record(blank, clerk, graduated_on=datetime.date(2025, 7, 1)).programme == Programme.QIHANG
    graduates = PositionFactory(batch__district=district, published=True, recruits_graduates=True)
    assert _record(graduates, clerk, n=2, work_experience="2015年起从事芯片设计").programme == Programme.HAIJU


def test_the_admins_window_changes_the_outcome(position: Position, clerk: User) -> None:
    graduated = datetime.date(2024, 7, 1)
    assert _record(position, clerk, n=1, graduated_on=graduated).programme == Programme.HAIJU
    GraduateWindow.objects.update_or_create(from_year=2026, defaults={"years_before": 2})
    assert GraduateWindows.load().for_year(2026).first_day == datetime.date(2024, 1, 1)
    assert _record(position, clerk, n=2, graduated_on=graduated).programme == Programme.QIHANG
    # An earlier year keeps its own rule.
    assert GraduateWindows.load().for_year(2025).first_day == datetime.date(2024, 1, 1)


def test_the_audit_checks_the_facts(position: Position, reviewer: User) -> None:
    no_date = HireFactory(position=position, programme="qihang", graduated_on=None, year=2026)
    with pytest.raises(PortalError, match="毕业时间"):
        hire_move(hire=no_date, action="audit", by=reviewer)
    stale = HireFactory(position=position, programme="qihang", graduated_on=datetime.date(2023, 6, 30), year=2026)
    with pytest.raises(PortalError, match="应届"):
        hire_move(hire=stale, action="audit", by=reviewer)
    no_history = HireFactory(position=position, programme="haiju", work_experience="", year=2026)
    with pytest.raises(PortalError, match="工作经历"):
        hire_move(hire=no_history, action="audit", by=reviewer)
    for hire in (no_date, stale, no_history):
        hire.refresh_from_db()
        assert hire.status == HireStatus.RECORDED
    fine = HireFactory(position=position, programme="qihang", graduated_on=datetime.date(2025, 6, 30), year=2026)
    assert hire_move(hire=fine, action="audit", by=reviewer).status == HireStatus.AUDITED


def test_the_sheet_carries_the_graduation_date_and_reads_without_it(
    tmp_path: Path, district: District, clerk: User
) -> None:
    post = PositionFactory(batch__district=district, published=True, name="智能制造工程师")
    rows = [
        person(1, post.name, 毕业时间="2025-06-30", 入职时间=ARRIVED),
        person(2, post.name, 毕业时间="2024年12月31日", 入职时间=ARRIVED),
        person(3, post.name, 毕业时间=None, 引进方式="柔性", 入职时间=ARRIVED),
    ]
    assert import_hires(file=write_sheet(tmp_path / "a.xlsx", rows), district=district, by=clerk).created == 3
    hires = {hire.name: hire for hire in Hire.objects.all()}
    assert (hires["人才1"].programme, hires["人才1"].graduated_on) == ("qihang", datetime.date(2025, 6, 30))
    assert hires["人才2"].programme == "haiju" and hires["人才3"].programme == "haiju"

    # A sheet without the column reads as before; a row without any fact is refused on the 专项 column.
    without = [person(4, post.name, **{"工作经历（海聚）": "2015年起"}, 入职时间=ARRIVED), person(5, post.name)]
    preview = preview_hires(
        file=write_sheet(tmp_path / "b.xlsx", without, graduation=False), district=district, by=clerk
    )
    assert preview.rows[0].fields is not None and preview.rows[0].programme_label == "海聚"
    assert [(error.column, error.message) for error in preview.rows[1].errors] == [
        ("专项", "请填写毕业时间（启航）或工作经历（海聚）。")
    ]
    bad = [person(6, post.name, 毕业时间="去年夏天")]
    preview = preview_hires(file=write_sheet(tmp_path / "c.xlsx", bad), district=district, by=clerk)
    assert "毕业时间" in {error.column for error in preview.rows[0].errors}
