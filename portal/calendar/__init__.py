"""The portal's calendar: ten-day periods (旬) and working days on the official arrangement (调休 included)."""

from portal.calendar.span import Span, period_of
from portal.calendar.tenday import TenDayPeriod
from portal.calendar.workdays import (
    CalendarUnknown,
    WorkingCalendar,
    calendar_year_known,
    is_working_day,
    nth_working_day,
    publicity_closes_at,
    working_days_between,
)

__all__ = [
    "CalendarUnknown",
    "Span",
    "TenDayPeriod",
    "WorkingCalendar",
    "calendar_year_known",
    "is_working_day",
    "nth_working_day",
    "period_of",
    "publicity_closes_at",
    "working_days_between",
]
