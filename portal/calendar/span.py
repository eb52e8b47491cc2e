"""The time span a report covers: whole 旬 from a first to a last, and the one rule that puts a record in it.

The rule, stated once for every figure the bureau reads (docs/figures.md, "The time span and the time rule"):
- a record with an instant (a hire's confirmation, a claim's submission or final approval, an objection lodged or
  resolved) falls in the span when the instant is in ``[start, end)``, that is, when its calendar day in
  Asia/Shanghai is one of the span's days, whatever the server's or the visitor's timezone;
- a record with a date (a claim's payment date, a notice's first day) falls in it when the date is one of its days;
- a post falls in the span when its batch's 旬 is one of the span's 旬.

A 旬, a month (its three 旬) and a year (its 36 旬) are all spans, so a month is exactly its three 旬 and a year
exactly its 36: a figure over a span is the sum of the figure over its 旬. ``period_of`` says which 旬 of the span a
record's day falls in, so a selector can return its figures split by 旬 in one grouped query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from portal.calendar.tenday import SHANGHAI, TenDayPeriod, end_of_day


@dataclass(frozen=True, slots=True)
class Span:
    """The whole 旬 from ``first`` to ``last``, both included."""

    first: TenDayPeriod
    last: TenDayPeriod

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a span ends before it starts: {self.first} – {self.last}")

    @classmethod
    def of_period(cls, period: TenDayPeriod) -> Span:
        return cls(period, period)

    @classmethod
    def of_month(cls, year: int, month: int) -> Span:
        return cls(TenDayPeriod(year, month, 1), TenDayPeriod(year, month, 3))

    @classmethod
    def of_year(cls, year: int) -> Span:
        return cls(TenDayPeriod(year, 1, 1), TenDayPeriod(year, 12, 3))

    @property
    def first_day(self) -> datetime.date:
        return self.first.first_day

    @property
    def last_day(self) -> datetime.date:
        return self.last.last_day

    @property
    def start(self) -> datetime.datetime:
        """The first instant of the span: midnight starting its first day in Asia/Shanghai."""
        return end_of_day(self.first_day - datetime.timedelta(days=1))

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the span: when its last 旬 closes (exclusive)."""
        return self.last.closes_at

    @property
    def periods(self) -> list[TenDayPeriod]:
        return list(TenDayPeriod.range(self.first, self.last))

    @property
    def codes(self) -> list[str]:
        """The 旬 as stored on batches and reports (``YYYY-MM-N``)."""
        return [str(period) for period in self.periods]

    def instant_in(self, field: str) -> Q:
        """Records whose instant ``field`` falls in the span."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    def day_in(self, field: str) -> Q:
        """Records whose date ``field`` falls in the span."""
        return Q(**{f"{field}__gte": self.first_day, f"{field}__lte": self.last_day})

    def closed_by(self, now: datetime.datetime) -> list[TenDayPeriod]:
        """The span's 旬 that have closed by ``now``."""
        return [period for period in self.periods if period.closes_at <= now]

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def period_of(value: datetime.date | datetime.datetime) -> TenDayPeriod:
    """The 旬 of a record's date, or of its instant's calendar day in Asia/Shanghai."""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(SHANGHAI).date()
    return TenDayPeriod.of(value)


__all__ = ["Span", "period_of"]
