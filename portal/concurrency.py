"""Optimistic concurrency for the forms that replace a whole row (a post's Annex 1 form, a hire's correction, the
API's PUT of a post).

The form carries, hidden, the row's ``updated_at`` as it was when the page was opened; the service compares it with
the row it has locked and refuses the save when the row was saved in between (in another window, or by a colleague):
the older page would otherwise silently undo that save. ``updated_at`` changes on every save (``auto_now``), and the
stamp travels as an ISO 8601 string with its microseconds, so the comparison is exact. The API carries the same
stamp as the row's ``ETag``, and a client sends it back in ``If-Match`` (HTTP's conditional request): a row saved
since answers 412.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from portal.errors import ChangedSinceOpened, PortalError


def opened_at_field() -> forms.DateTimeField:
    """The hidden field with the row's ``updated_at`` as the page showed it (fill it with ``opened_at_value``)."""
    return forms.DateTimeField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "页面信息不完整，请重新打开本页后再修改。"},
    )


def opened_at_value(updated_at: datetime.datetime) -> str:
    """The stamp as the hidden field carries it: ISO 8601 with microseconds and offset (a widget's own rendering of
    a datetime drops the microseconds, and the comparison would then always fail)."""
    return updated_at.isoformat()


def etag(updated_at: datetime.datetime) -> str:
    """The row's version as an API response's ``ETag`` (strong: the stamp is exact)."""
    return f'"{opened_at_value(updated_at)}"'


def if_match(header: str | None) -> datetime.datetime | None:
    """The stamp an API request's ``If-Match`` sends back (``etag``'s value); None without one, or for ``*``."""
    if header is None or header.strip() == "*":
        return None
    value = header.strip()
    if value.startswith('"') and value.endswith('"') and len(value) > 1:
        try:
            seen = datetime.datetime.fromisoformat(value[1:-1])
        except ValueError:
            seen = None
        if seen is not None and seen.tzinfo is not None:
            return seen
    raise PortalError(
        "请求头 If-Match 的格式不正确：应为读取该记录时响应头 ETag 的原值（含双引号）。",
        "if_match_invalid",
        field="If-Match",
    )


def require_unchanged(updated_at: datetime.datetime, seen: datetime.datetime | None, *, what: str) -> None:
    """Refuse the save when the row (``updated_at``, read under the lock) is not the one the page showed (``seen``).
    ``seen`` None: the caller did not open the row in a page (the API, an import), no comparison."""
    if seen is None or seen == updated_at:
        return
    when = timezone.localtime(updated_at).strftime("%Y-%m-%d %H:%M")
    raise ChangedSinceOpened(
        f"{what}已于 {when} 被修改（可能是您在另一个窗口或其他人保存的），您打开本页时看到的还是修改前的内容。请重新打开本页后再修改。"
    )
