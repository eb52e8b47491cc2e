"""Dates in templates, by the portal's one rule (portal.dates):

    prose (sentences, page leads, notices, PDFs' text)   {{ day|prose_date }}        2026年12月5日
                                                         {{ moment|prose_datetime }} 2026年12月5日 14:30
    table cells (columns of dates)                       {{ day|table_date }}        2026-12-05
                                                         {{ moment|table_datetime }} 2026-12-05 14:30

Moments are shown in Chongqing's time. Not ``|date:"n月j日"``: a date without its year is not used anywhere.
"""

from __future__ import annotations

import datetime

from django import template

from portal import dates

register = template.Library()


def _dated(value: object) -> datetime.date | None:
    return value if isinstance(value, datetime.date) else None


@register.filter
def prose_date(value: object) -> str:
    day = _dated(value)
    return dates.prose_date(day) if day is not None else ""


@register.filter
def prose_datetime(value: object) -> str:
    return dates.prose_datetime(value) if isinstance(value, datetime.datetime) else prose_date(value)


@register.filter
def table_date(value: object) -> str:
    day = _dated(value)
    return dates.table_date(day) if day is not None else ""


@register.filter
def table_datetime(value: object) -> str:
    return dates.table_datetime(value) if isinstance(value, datetime.datetime) else table_date(value)
