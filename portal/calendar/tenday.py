"""The ten-day period (旬) that districts collect posts and report hires by (docs/calendar.md, "Ten-day periods").

Each month has three: 上旬 days 1–10, 中旬 11–20, 下旬 21–last day, named ``YYYY-MM-N`` (``2026-11-3`` is
21–30 Nov 2026). A 旬 closes at the end of its last day in Asia/Shanghai, whatever timezone the server or
the request is in, so every moment here is computed against that zone explicitly.

Pure: no database, so models, forms and reports can all use it freely.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Lenient on the month's zero padding ("2026-1-1" is what people type), strict on everything else.
_CODE = re.compile(r"^(\d{4})-(\d{1,2})-(\d)$")
_NAMES = {1: gettext_noop("上旬"), 2: gettext_noop("中旬"), 3: gettext_noop("下旬")}


def end_of_day(day: date) -> datetime:
    """The moment ``day`` ends in Asia/Shanghai: midnight starting the next calendar day.

    Deadlines are stored as this instant (not 23:59:59) so that "closed" is simply ``now >= closes_at``
    with no gap in the last second.
    """
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


@dataclass(frozen=True, order=True, slots=True)
class TenDayPeriod:
    """One 旬. Field order (year, month, index) makes the generated ordering chronological."""

    year: int
    month: int
    index: int

    def __post_init__(self) -> None:
        # Validated here, not only in parse(), so an invalid period cannot exist at all.
        if not 1 <= self.year <= 9999:
            raise ValueError(_("年份须在1到9999之间：%(year)s") % {"year": self.year})
        if not 1 <= self.month <= 12:
            raise ValueError(_("月份须在1到12之间：%(month)s") % {"month": self.month})
        if self.index not in _NAMES:
            raise ValueError(_("旬序号须为1（上旬）、2（中旬）或3（下旬）：%(index)s") % {"index": self.index})

    @classmethod
    def parse(cls, code: str) -> TenDayPeriod:
        """Read the ``YYYY-MM-N`` name used in URLs, imports and reports."""
        match = _CODE.match(code.strip()) if isinstance(code, str) else None
        if match is None:
            raise ValueError(_("旬的格式应为“年-月-旬序号”，如 2026-11-3：%(code)r") % {"code": code})
        year, month, index = (int(group) for group in match.groups())
        try:
            return cls(year, month, index)
        except ValueError as error:
            raise ValueError(_("无效的旬 %(code)r：%(reason)s") % {"code": code, "reason": error}) from None

    @classmethod
    def of(cls, day: date) -> TenDayPeriod:
        """The 旬 that contains ``day`` (days 31 and 29–30 belong to 下旬 like 21–28)."""
        return cls(day.year, day.month, min((day.day - 1) // 10 + 1, 3))

    @classmethod
    def current(cls, at: datetime | None = None) -> TenDayPeriod:
        """The 旬 running at ``at`` (default: now), by the Chongqing calendar date, not the server's."""
        return cls.of(timezone.localdate(at, timezone=SHANGHAI))

    @classmethod
    def last_closed(cls, at: datetime | None = None) -> TenDayPeriod:
        """The most recent 旬 whose close moment has passed at ``at`` (default: now).

        The running 旬 closes at a midnight still ahead, and the one before it closed exactly when the
        running one began, so this is always the previous period.
        """
        return cls.current(at).previous()

    @classmethod
    def range(cls, start: TenDayPeriod, end: TenDayPeriod) -> Iterator[TenDayPeriod]:
        """Every 旬 from ``start`` to ``end``, both included; nothing when ``end`` is before ``start``."""
        period = start
        while period <= end:
            yield period
            if period == end:
                # Stop before next(), which has nowhere to go after 9999-12-3.
                return
            period = period.next()

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, (self.index - 1) * 10 + 1)

    @property
    def last_day(self) -> date:
        if self.index < 3:
            return date(self.year, self.month, self.index * 10)
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def closes_at(self) -> datetime:
        """End of the last day in Asia/Shanghai (aware): reports for this 旬 are due from this moment."""
        return end_of_day(self.last_day)

    @property
    def label(self) -> str:
        """How people name it, e.g. 2026年11月下旬."""
        return _("%(year)s年%(month)s月%(name)s") % {
            "year": self.year,
            "month": self.month,
            "name": _(_NAMES[self.index]),
        }

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def next(self) -> TenDayPeriod:
        if self.index < 3:
            return TenDayPeriod(self.year, self.month, self.index + 1)
        if self.month < 12:
            return TenDayPeriod(self.year, self.month + 1, 1)
        return TenDayPeriod(self.year + 1, 1, 1)

    def previous(self) -> TenDayPeriod:
        if self.index > 1:
            return TenDayPeriod(self.year, self.month, self.index - 1)
        if self.month > 1:
            return TenDayPeriod(self.year, self.month - 1, 3)
        return TenDayPeriod(self.year - 1, 12, 3)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.index}"
