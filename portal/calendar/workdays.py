"""Working days on China's official arrangement, for the 5-working-day publicity (公示) (docs/calendar.md, "Working days").

Two sources, in this order of authority:

1. ``WorkingDayOverride`` rows an admin entered (a year's arrangement the package does not know yet, or a
   local correction inside a known year);
2. the ``holidays`` package's ``China`` calendar, which carries the State Council's notice for the years in
   its ``special_public_holidays`` (holidays *and* the weekends worked in exchange, 调休).

A year is usable only when its arrangement is known: the package has the notice, or an admin recorded a
``CalendarYear``. Anything else raises ``CalendarUnknown``. Falling back to plain weekends would quietly
put publicity deadlines on the wrong day (a Saturday worked under 调休 counts), so we never do.

Known limitation: a notice occasionally makes a late-December weekend of the *previous* year a working day
(2001-12-29, 2006-12-30). Those days are right when the following year's notice is in the package; until
then ``portal.tasks.check_calendar_coverage`` warns from November on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _

from portal.calendar.tenday import end_of_day
from portal.errors import PortalError

PUBLICITY_WORKING_DAYS = 5


class CalendarUnknown(PortalError):
    """A working-day answer was needed for a year whose official arrangement nobody has entered yet."""

    def __init__(self, year: int) -> None:
        super().__init__(
            _(
                "%(year)s年的节假日安排尚未录入，无法计算该年的工作日（含调休）。"
                "请管理员在“年度节假日安排”中录入%(year)s年的安排后重试。"
            )
            % {"year": year},
            "calendar_unknown",
        )
        self.year = year


@lru_cache(maxsize=1)
def _package_known_years() -> frozenset[int]:
    """Years whose State Council notice ships with the installed ``holidays`` package."""
    return frozenset(holidays.China(years=(), expand=False).special_public_holidays)


@lru_cache(maxsize=32)
def _official_calendar(year: int) -> holidays.HolidayBase:
    """The package's calendar for ``year``, built with its neighbours.

    Neighbours, because a notice can move days across the year boundary (the 2002 notice made
    2001-12-29 a working Saturday). ``expand=False`` matters for sharing this cached object across
    threads: with expansion on, a lookup outside ``years`` would populate (mutate) it mid-read.
    """
    years = {y for y in (year - 1, year, year + 1) if y >= 1950}  # the package starts in 1950
    return holidays.China(years=years, expand=False)


def _check_is_date(day: date) -> None:
    # A datetime is a date subclass, but which calendar day it is depends on its timezone: the caller
    # must decide (timezone.localdate) rather than have us pick silently.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


class WorkingCalendar:
    """Answers working-day questions against one consistent snapshot of the admin's entries.

    Admin data is read per year range in bulk (one query for overrides, plus one for ``CalendarYear``
    rows only when the range has years the package does not know), never per day, and is read fresh
    for every new instance, so an admin's change applies to the next computation. Build one per
    computation; do not keep an instance around across requests.
    """

    def __init__(self, years: Iterable[int] = ()) -> None:
        self._loaded_years: set[int] = set()
        self._overrides: dict[date, bool] = {}
        self._entered_years: set[int] = set()
        self.load(years)

    def load(self, years: Iterable[int]) -> None:
        """Read the admin's entries for ``years`` (and any years between them) not read yet."""
        missing = {year for year in years if year not in self._loaded_years}
        if not missing:
            return
        # Imported here so that ``portal.calendar`` stays importable before the app registry is ready
        # (a models module may want TenDayPeriod).
        from portal.models import CalendarYear, WorkingDayOverride

        first, last = min(missing), max(missing)
        span = range(first, last + 1)
        self._overrides.update(
            WorkingDayOverride.objects.filter(date__range=(date(first, 1, 1), date(last, 12, 31))).values_list(
                "date", "is_working_day"
            )
        )
        if not set(span) <= _package_known_years():
            self._entered_years.update(
                CalendarYear.objects.filter(year__range=(first, last)).values_list("year", flat=True)
            )
        self._loaded_years.update(span)

    def is_year_known(self, year: int) -> bool:
        """Whether ``year``'s official arrangement is known (in the package, or entered by an admin)."""
        if year in _package_known_years():
            return True
        self.load([year])
        return year in self._entered_years

    def is_working_day(self, day: date) -> bool:
        """Whether people work on ``day``; raises ``CalendarUnknown`` when its year is not known.

        The year must be known even when ``day`` has an override: answering for some days of a year and
        not others would let a deadline be computed from half an arrangement.
        """
        _check_is_date(day)
        self.load([day.year])
        if not self.is_year_known(day.year):
            raise CalendarUnknown(day.year)
        if day in self._overrides:
            return self._overrides[day]
        return bool(_official_calendar(day.year).is_working_day(day))

    def nth_working_day(self, start: date, n: int) -> date:
        """The ``n``-th working day from ``start``, counting ``start`` as day 1 when it is a working day.

        When ``start`` is not a working day (published on a Sunday), day 1 is the next working day.
        """
        _check_is_date(start)
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day = start
        count = 0
        while True:
            if self.is_working_day(day):
                count += 1
                if count == n:
                    return day
            day += timedelta(days=1)

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days lie in ``first``..``last``, both included (0 when ``last`` is earlier)."""
        _check_is_date(first)
        _check_is_date(last)
        if last < first:
            return 0
        self.load(range(first.year, last.year + 1))
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        return sum(1 for day in days if self.is_working_day(day))

    def publicity_closes_at(self, published_on: date, working_days: int = PUBLICITY_WORKING_DAYS) -> datetime:
        """When a publicity started on ``published_on`` ends: midnight (Asia/Shanghai) after its last day.

        公示5个工作日: the day of publication counts when it is a working day.
        """
        return end_of_day(self.nth_working_day(published_on, working_days))


def calendar_year_known(year: int) -> bool:
    """Whether working days can be computed for ``year`` (no query for years the package knows)."""
    if year in _package_known_years():
        return True
    from portal.models import CalendarYear  # see WorkingCalendar.load

    return CalendarYear.objects.filter(year=year).exists()


def is_working_day(day: date) -> bool:
    """See ``WorkingCalendar.is_working_day``; reads the admin's entries for that year."""
    return WorkingCalendar([day.year]).is_working_day(day)


def nth_working_day(start: date, n: int) -> date:
    """See ``WorkingCalendar.nth_working_day``."""
    return WorkingCalendar([start.year]).nth_working_day(start, n)


def working_days_between(first: date, last: date) -> int:
    """See ``WorkingCalendar.working_days_between``."""
    return WorkingCalendar().working_days_between(first, last)


def publicity_closes_at(published_on: date, working_days: int = PUBLICITY_WORKING_DAYS) -> datetime:
    """See ``WorkingCalendar.publicity_closes_at``."""
    return WorkingCalendar([published_on.year]).publicity_closes_at(published_on, working_days)
