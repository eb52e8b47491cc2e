"""How the portal writes a date: one rule for every page, PDF, message and e-mail.

- **In prose** — sentences, page leads, notices, messages, e-mails, the text of PDFs: ``2026年12月5日`` (no leading
  zeros), with a time ``2026年12月5日 14:30``. Always with the year, never ``12月5日`` alone: a notice that closes
  on 2 January is read in December.
- **In a table cell** — a column of dates a person scans or sorts, CSV and Excel cells, the audit trail:
  ``2026-12-05``, with a time ``2026-12-05 14:30``.
- Every moment is shown in Chongqing's time (Asia/Shanghai), whatever the server's clock says.
- Date inputs keep the ISO value the browser's date picker needs (portal.web.widgets), whatever the locale.

Templates use the filters of ``portal.templatetags.portal_dates`` (``prose_date``, ``prose_datetime``,
``table_date``, ``table_datetime``); Python code (messages, services' refusals) calls the functions below.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _moment(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def prose_date(value: datetime.date | datetime.datetime | None) -> str:
    """``2026年12月5日``; empty for None."""
    if value is None:
        return ""
    day = _day(value)
    return f"{day.year}年{day.month}月{day.day}日"


def prose_datetime(value: datetime.datetime | None) -> str:
    """``2026年12月5日 14:30`` in Chongqing's time; empty for None."""
    if value is None:
        return ""
    moment = _moment(value)
    return f"{prose_date(moment.date())} {moment:%H:%M}"


def table_date(value: datetime.date | datetime.datetime | None) -> str:
    """``2026-12-05``; empty for None."""
    if value is None:
        return ""
    return _day(value).isoformat()


def table_datetime(value: datetime.datetime | None) -> str:
    """``2026-12-05 14:30`` in Chongqing's time; empty for None."""
    if value is None:
        return ""
    return f"{_moment(value):%Y-%m-%d %H:%M}"


__all__ = ["prose_date", "prose_datetime", "table_date", "table_datetime"]
