"""The calendar core: 旬 arithmetic (pure) and working days on the official arrangement (docs/calendar.md)."""

from __future__ import annotations

import calendar as stdlib_calendar
import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django.fixtures import DjangoAssertNumQueries

from portal.calendar import (
    CalendarUnknown,
    TenDayPeriod,
    WorkingCalendar,
    calendar_year_known,
    is_working_day,
    nth_working_day,
    publicity_closes_at,
    working_days_between,
)
from portal.calendar.tenday import SHANGHAI
from portal.errors import PortalError
from portal.models import CalendarYear, WorkingDayOverride

# Dates whose 旬 has a neighbour on both sides and whose close moment is representable.
inner_dates = st.dates(min_value=date(1, 1, 11), max_value=date(9999, 12, 20))
periods = inner_dates.map(TenDayPeriod.of)
# Years whose State Council arrangement ships with the holidays package; ends early enough that
# 20 working days never run into 2027, which is not known yet.
known_dates = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 11, 30))

pure = settings(max_examples=300, deadline=None)
with_db = settings(max_examples=60, deadline=None)


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


# --- 旬 -------------------------------------------------------------------------------------------


@pure
@given(st.dates())
def test_name_round_trips_for_any_date(day: date) -> None:
    period = TenDayPeriod.of(day)
    assert TenDayPeriod.parse(str(period)) == period


@pure
@given(st.dates())
def test_of_contains_the_day(day: date) -> None:
    period = TenDayPeriod.of(day)
    assert period.contains(day)
    assert period.first_day <= day <= period.last_day


@pure
@given(periods)
def test_next_and_previous_are_inverse(period: TenDayPeriod) -> None:
    assert period.next().previous() == period
    assert period.previous().next() == period
    assert period.previous() < period < period.next()


@pure
@given(periods)
def test_periods_tile_the_calendar(period: TenDayPeriod) -> None:
    assert period.last_day + timedelta(days=1) == period.next().first_day
    assert not period.contains(period.next().first_day)
    assert not period.contains(period.previous().last_day)


@pure
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_every_month_has_exactly_three_periods(year: int, month: int) -> None:
    days_in_month = stdlib_calendar.monthrange(year, month)[1]
    seen = {TenDayPeriod.of(date(year, month, day)) for day in range(1, days_in_month + 1)}
    assert seen == {TenDayPeriod(year, month, 1), TenDayPeriod(year, month, 2), TenDayPeriod(year, month, 3)}
    first, _, last = sorted(seen)
    assert first.first_day == date(year, month, 1)
    assert last.last_day == date(year, month, days_in_month)


@pure
@given(periods)
def test_closes_at_is_aware_midnight_after_last_day(period: TenDayPeriod) -> None:
    closes_at = period.closes_at
    assert timezone.is_aware(closes_at)
    assert closes_at.tzinfo == SHANGHAI
    assert closes_at.date() == period.last_day + timedelta(days=1)
    assert closes_at.time() == time(0)
    assert closes_at == datetime.combine(period.next().first_day, time.min, tzinfo=SHANGHAI)


@pure
@given(periods, periods)
def test_ordering_is_chronological(a: TenDayPeriod, b: TenDayPeriod) -> None:
    assert (a < b) == (a.first_day < b.first_day)
    assert (a == b) == (hash(a) == hash(b) and a.first_day == b.first_day)


def test_closes_at_is_midnight_in_chongqing() -> None:
    # 2026-11-3 ends at the start of 1 Dec in Chongqing, which is 16:00 UTC on 30 Nov.
    assert TenDayPeriod.parse("2026-11-3").closes_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "first_day", "last_day", "label"),
    [
        ("2026-11-3", date(2026, 11, 21), date(2026, 11, 30), "2026年11月下旬"),
        ("2026-02-3", date(2026, 2, 21), date(2026, 2, 28), "2026年2月下旬"),
        ("2028-02-3", date(2028, 2, 21), date(2028, 2, 29), "2028年2月下旬"),
        ("2026-12-3", date(2026, 12, 21), date(2026, 12, 31), "2026年12月下旬"),
        ("2026-01-1", date(2026, 1, 1), date(2026, 1, 10), "2026年1月上旬"),
        ("2026-7-2", date(2026, 7, 11), date(2026, 7, 20), "2026年7月中旬"),
    ],
)
def test_known_periods(code: str, first_day: date, last_day: date, label: str) -> None:
    period = TenDayPeriod.parse(code)
    assert (period.first_day, period.last_day, period.label) == (first_day, last_day, label)


def test_str_is_the_domain_name() -> None:
    assert str(TenDayPeriod(2026, 11, 3)) == "2026-11-3"
    assert str(TenDayPeriod(2026, 1, 1)) == "2026-01-1"


HINT = "应写作“年-月-旬”，如“2026-12-1”表示2026年12月上旬。"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2026-13-1", "旬“2026-13-1”无效：月份须在1到12之间。" + HINT),
        ("2026-00-1", "旬“2026-00-1”无效：月份须在1到12之间。" + HINT),
        ("2026-11-4", "旬“2026-11-4”无效：旬须为1（上旬）、2（中旬）或3（下旬）。" + HINT),
        ("2026-11-0", "旬“2026-11-0”无效：旬须为1（上旬）、2（中旬）或3（下旬）。" + HINT),
        ("2026-11-10", "旬“2026-11-10”无效：旬须为1（上旬）、2（中旬）或3（下旬）。" + HINT),
        (
            "2026-13-5",
            "旬“2026-13-5”无效：月份须在1到12之间；旬须为1（上旬）、2（中旬）或3（下旬）。" + HINT,
        ),
        ("26-11-1", "旬“26-11-1”无效：年份须写满四位，如2026。" + HINT),
        ("0000-11-1", "旬“0000-11-1”无效：年份须在1到9999之间。" + HINT),
        (" abc ", "旬“abc”无效：格式不对。" + HINT),
        ("2026-11", "旬“2026-11”无效：格式不对。" + HINT),
        ("2026-11-3-1", "旬“2026-11-3-1”无效：格式不对。" + HINT),
        ("2026-011-1", "旬“2026-011-1”无效：格式不对。" + HINT),
        ("2026年11月上旬", "旬“2026年11月上旬”无效：格式不对。" + HINT),
        ("x" * 40, "旬“" + "x" * 20 + "…”无效：格式不对。" + HINT),
        ("", "请填写旬。" + HINT),
        ("   ", "请填写旬。" + HINT),
    ],
)
def test_parse_rejects_bad_names_with_one_clean_chinese_message(code: str, message: str) -> None:
    """What, where and how to write it, in Chinese quotes, once: no repr() quotes, no Python exception text."""
    with pytest.raises(ValueError) as caught:
        TenDayPeriod.parse(code)
    assert str(caught.value) == message


def test_parse_rejects_what_is_not_text() -> None:
    with pytest.raises(ValueError, match=r"^请填写旬。"):
        TenDayPeriod.parse(None)  # type: ignore[arg-type]


def test_invalid_periods_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="月份"):
        TenDayPeriod(2026, 13, 1)
    with pytest.raises(ValueError, match="旬须为1"):
        TenDayPeriod(2026, 1, 4)


def test_periods_are_frozen_and_hashable() -> None:
    period = TenDayPeriod(2026, 11, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(period, "index", 1)  # noqa: B010 (mypy refuses the plain assignment, as it should: trying it is the test)
    assert {period, TenDayPeriod.parse("2026-11-3")} == {period}
    assert {period: "x"}[TenDayPeriod.of(date(2026, 11, 30))] == "x"


def test_range_is_inclusive_and_crosses_years() -> None:
    start, end = TenDayPeriod.parse("2026-11-3"), TenDayPeriod.parse("2027-01-1")
    assert [str(p) for p in TenDayPeriod.range(start, end)] == [
        "2026-11-3",
        "2026-12-1",
        "2026-12-2",
        "2026-12-3",
        "2027-01-1",
    ]
    assert list(TenDayPeriod.range(start, start)) == [start]
    assert list(TenDayPeriod.range(end, start)) == []
    assert len(list(TenDayPeriod.range(TenDayPeriod(2026, 1, 1), TenDayPeriod(2026, 12, 3)))) == 36


@pytest.mark.parametrize(
    ("at", "current", "last_closed"),
    [
        (shanghai(2026, 11, 30, 23, 59, 59), "2026-11-3", "2026-11-2"),
        (shanghai(2026, 12, 1, 0, 0), "2026-12-1", "2026-11-3"),
        # 16:00 UTC on 30 Nov is already 1 Dec in Chongqing: the server's zone must not matter.
        (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "2026-12-1", "2026-11-3"),
        (datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "2026-11-3", "2026-11-2"),
        (shanghai(2027, 1, 5, 9, 0), "2027-01-1", "2026-12-3"),
    ],
)
def test_current_and_last_closed(at: datetime, current: str, last_closed: str) -> None:
    assert str(TenDayPeriod.current(at)) == current
    assert str(TenDayPeriod.last_closed(at)) == last_closed
    assert TenDayPeriod.last_closed(at).closes_at <= at < TenDayPeriod.current(at).closes_at


def test_current_defaults_to_now_in_chongqing() -> None:
    assert TenDayPeriod.current() == TenDayPeriod.of(timezone.localdate(timezone=SHANGHAI))
    assert TenDayPeriod.last_closed() == TenDayPeriod.current().previous()


# --- working days -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_spring_festival_2026_publicity() -> None:
    # Published Thu 12 Feb: 12, 13, Sat 14 (worked, 调休), then off 15–23 (holiday and weekend), 24, 25.
    assert is_working_day(date(2026, 2, 14))
    assert not any(is_working_day(date(2026, 2, day)) for day in range(15, 24))
    assert nth_working_day(date(2026, 2, 12), 5) == date(2026, 2, 25)
    closes_at = publicity_closes_at(date(2026, 2, 12))
    assert closes_at == shanghai(2026, 2, 26, 0, 0)
    assert timezone.is_aware(closes_at)


@pytest.mark.django_db
def test_national_day_2026() -> None:
    # The 2026 notice works Sun 20 Sep and Sat 10 Oct in exchange for 6–7 Oct.
    assert is_working_day(date(2026, 9, 20))
    assert is_working_day(date(2026, 10, 10))
    assert not is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert not any(is_working_day(date(2026, 10, day)) for day in range(1, 8))
    # Wed 30 Sep is day 1; then 8, 9, Sat 10 and Mon 12 Oct.
    assert nth_working_day(date(2026, 9, 30), 5) == date(2026, 10, 12)
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 11)) == 6


@pytest.mark.django_db
def test_publication_on_a_rest_day_starts_counting_on_the_next_working_day() -> None:
    assert nth_working_day(date(2026, 3, 1), 1) == date(2026, 3, 2)  # a Sunday
    assert publicity_closes_at(date(2026, 3, 1)) == shanghai(2026, 3, 7, 0, 0)


@pytest.mark.django_db
def test_unknown_year_is_refused_loudly() -> None:
    with pytest.raises(CalendarUnknown) as raised:
        is_working_day(date(2031, 3, 4))
    error = raised.value
    assert isinstance(error, PortalError)
    assert error.code == "calendar_unknown"
    assert error.year == 2031
    assert "2031" in error.message
    assert "年度节假日安排" in error.message
    assert not calendar_year_known(2031)


@pytest.mark.django_db
def test_publicity_running_into_an_unknown_year_is_refused() -> None:
    # Mon 28 Dec 2026 is day 1; day 5 falls in 2027, whose notice is not in the package.
    assert nth_working_day(date(2026, 12, 28), 4) == date(2026, 12, 31)
    with pytest.raises(CalendarUnknown, match="2027"):
        publicity_closes_at(date(2026, 12, 28))


@pytest.mark.django_db
def test_an_override_alone_does_not_make_a_year_known() -> None:
    WorkingDayOverride.objects.create(date=date(2031, 3, 4), is_working_day=True, reason="录入中")
    with pytest.raises(CalendarUnknown):
        is_working_day(date(2031, 3, 4))


@pytest.mark.django_db
def test_an_entered_year_works_and_its_overrides_apply() -> None:
    CalendarYear.objects.create(year=2031, notice_reference="国务院办公厅关于2031年部分节假日安排的通知")
    assert calendar_year_known(2031)
    assert is_working_day(date(2031, 3, 4))  # a Tuesday
    assert not is_working_day(date(2031, 3, 8))  # a Saturday

    WorkingDayOverride.objects.create(date=date(2031, 3, 4), is_working_day=False, reason="调休")
    WorkingDayOverride.objects.create(date=date(2031, 3, 8), is_working_day=True, reason="调休")
    assert not is_working_day(date(2031, 3, 4))
    assert is_working_day(date(2031, 3, 8))
    # Mon 3 Mar, then Wed 5, Thu 6, Fri 7, Sat 8.
    assert nth_working_day(date(2031, 3, 3), 5) == date(2031, 3, 8)


@pytest.mark.django_db
def test_an_override_inside_a_known_year_wins() -> None:
    WorkingDayOverride.objects.create(date=date(2026, 2, 24), is_working_day=False, reason="临时停工")
    WorkingDayOverride.objects.create(date=date(2026, 3, 7), is_working_day=True, reason="补班")
    assert not is_working_day(date(2026, 2, 24))
    assert is_working_day(date(2026, 3, 7))
    assert publicity_closes_at(date(2026, 2, 12)) == shanghai(2026, 2, 27, 0, 0)


@pytest.mark.django_db
def test_overrides_are_read_fresh_for_each_calendar() -> None:
    day = date(2026, 6, 2)
    before = WorkingCalendar([2026])
    WorkingDayOverride.objects.create(date=day, is_working_day=False, reason="停电")
    assert before.is_working_day(day)  # one calendar, one consistent snapshot
    assert not WorkingCalendar([2026]).is_working_day(day)
    assert not is_working_day(day)


def test_known_years_need_no_query() -> None:
    # No django_db mark: any query here would raise.
    assert calendar_year_known(2026)
    assert calendar_year_known(2001)


@pytest.mark.django_db
def test_admin_data_is_read_per_year_range_not_per_day(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(1):  # overrides only: the package knows 2025 and 2026
        assert working_days_between(date(2025, 1, 1), date(2026, 12, 31)) > 400
    CalendarYear.objects.create(year=2031, notice_reference="通知")
    with django_assert_num_queries(2):  # overrides and the entered years
        assert working_days_between(date(2031, 1, 1), date(2031, 12, 31)) > 200
    calendar = WorkingCalendar([2026])
    with django_assert_num_queries(0):
        calendar.nth_working_day(date(2026, 1, 5), 100)


@pytest.mark.django_db
def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        nth_working_day(date(2026, 3, 2), 0)
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 3, 2, tzinfo=SHANGHAI))
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 2)) == 0


@pytest.mark.django_db
@with_db
@given(known_dates, st.integers(min_value=1, max_value=20))
def test_nth_working_days_are_working_days_in_increasing_order(start: date, n: int) -> None:
    calendar = WorkingCalendar([start.year])
    days = [calendar.nth_working_day(start, k) for k in range(1, n + 1)]
    assert all(calendar.is_working_day(day) for day in days)
    assert days == sorted(set(days))
    assert days[0] >= start
    # Nothing between start and the first result, or between consecutive results, is a working day.
    assert calendar.working_days_between(start, days[-1]) == n


@pytest.mark.django_db
@with_db
@given(known_dates, st.integers(min_value=1, max_value=20))
def test_working_days_between_counts_back_to_n(start: date, n: int) -> None:
    calendar = WorkingCalendar([start.year])
    if calendar.is_working_day(start):
        assert calendar.working_days_between(start, calendar.nth_working_day(start, n)) == n
    else:
        assert calendar.nth_working_day(start, n) == calendar.nth_working_day(start + timedelta(days=1), n)


@pytest.mark.django_db
@with_db
@given(known_dates)
def test_publicity_closes_at_midnight_after_the_fifth_working_day(published_on: date) -> None:
    closes_at = publicity_closes_at(published_on)
    last_day = nth_working_day(published_on, 5)
    assert closes_at == datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    assert timezone.is_aware(closes_at)
