"""The span of whole 旬 a report covers, and the time rule that puts a record in it (docs/figures.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.calendar import Span, TenDayPeriod, period_of
from portal.calendar.tenday import SHANGHAI

years = st.integers(min_value=2000, max_value=2100)
instants = st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(instants)
def test_an_instant_falls_in_the_span_of_its_own_period_and_no_other(moment: datetime) -> None:
    period = period_of(moment)
    span = Span.of_period(period)
    assert span.start <= moment < span.end
    assert not Span.of_period(period.next()).start <= moment < Span.of_period(period.next()).end
    assert period.contains(moment.astimezone(SHANGHAI).date())


@settings(max_examples=50, deadline=None)
@given(years)
def test_a_year_is_its_twelve_months_and_its_36_periods(year: int) -> None:
    span = Span.of_year(year)
    assert len(span.periods) == 36 and span.codes[0] == f"{year}-01-1"
    months = [Span.of_month(year, month) for month in range(1, 13)]
    assert [p for month in months for p in month.periods] == span.periods
    # Contiguous: each month starts when the one before ends; the year from midnight 1 January in Chongqing.
    assert all(a.end == b.start for a, b in pairwise(months))
    assert span.start == datetime(year, 1, 1, tzinfo=SHANGHAI) and span.end == datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    assert (span.first_day, span.last_day) == (date(year, 1, 1), date(year, 12, 31))


def test_the_boundaries_of_a_period_in_chongqing_time() -> None:
    period = TenDayPeriod(2025, 1, 1)
    last_second = datetime(2025, 1, 10, 23, 59, 59, tzinfo=SHANGHAI)
    assert period_of(last_second) == period
    assert period_of(last_second + timedelta(seconds=1)) == period.next()
    # 16:00 UTC on the 10th is already the 11th in Chongqing.
    assert period_of(datetime(2025, 1, 10, 16, 0, tzinfo=UTC)) == period.next()
    assert Span.of_period(period).closed_by(period.closes_at) == [period]
    assert Span.of_period(period).closed_by(period.closes_at - timedelta(microseconds=1)) == []
