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
from typing import NoReturn
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Lenient on the month's zero padding ("2026-1-1" is what people type), strict on everything else.
_CODE = re.compile(r"^(\d{4})-(\d{1,2})-(\d)$")
_NAMES = {1: gettext_noop("上旬"), 2: gettext_noop("中旬"), 3: gettext_noop("下旬")}
# Three numbers joined by hyphens: close enough to a 旬 name to say which part is wrong.
_NUMBERS = re.compile(r"^(\d+)-(\d+)-(\d+)$")
# How much of what was typed a message repeats: enough to recognise it, not a pasted page.
_SHOWN = 20


def _problems(year: int, month: int, index: int, *, year_digits: int = 4) -> list[str]:
    """What is wrong with a 旬 of these numbers, as clauses to show people; empty when it is a real 旬."""
    problems = []
    if year_digits != 4:
        problems.append(_("年份须写满四位，如2026"))
    elif not 1 <= year <= 9999:
        problems.append(_("年份须在1到9999之间"))
    if not 1 <= month <= 12:
        problems.append(_("月份须在1到12之间"))
    if index not in _NAMES:
        problems.append(_("旬须为1（上旬）、2（中旬）或3（下旬）"))
    return problems


def _hint() -> str:
    """How a 旬 is written, with a worked example."""
    example = TenDayPeriod(2026, 12, 1)
    return _("应写作“年-月-旬”，如“%(code)s”表示%(label)s。") % {"code": example, "label": example.label}


def _invalid(text: str, problems: list[str]) -> NoReturn:
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    raise ValueError(
        _("旬“%(code)s”无效：%(problems)s。%(hint)s")
        % {"code": shown, "problems": "；".join(problems), "hint": _hint()}
    )


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
        problems = _problems(self.year, self.month, self.index)
        if problems:
            raise ValueError(
                _("旬（%(year)s年%(month)s月第%(index)s旬）无效：%(problems)s。")
                % {"year": self.year, "month": self.month, "index": self.index, "problems": "；".join(problems)}
            )

    @classmethod
    def parse(cls, code: str) -> TenDayPeriod:
        """Read the ``YYYY-MM-N`` name used in URLs, imports and reports.

        Anything else raises ``ValueError`` with one message fit to show the person who typed it: the name as
        typed, in Chinese quotes, what is wrong with it, and how a 旬 is written (docs/calendar.md).
        """
        text = code.strip() if isinstance(code, str) else ""
        if not text:
            raise ValueError(_("请填写旬。%(hint)s") % {"hint": _hint()})
        # Three numbers that are not quite right get their faults named; anything else is simply not a 旬.
        numbers = _NUMBERS.match(text)
        if numbers is None:
            _invalid(text, [_("格式不对")])
        year, month, index = (int(group) for group in numbers.groups())
        problems = _problems(year, month, index, year_digits=len(numbers.group(1)))
        if not problems and _CODE.match(text) is None:
            problems = [_("格式不对")]  # e.g. a three-digit month that happens to be a real one
        if problems:
            _invalid(text, problems)
        return cls(year, month, index)

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
