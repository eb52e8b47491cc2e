from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.notifications.services import unread_count
from portal.web.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"menu": menu_for(request.user)}  # type: ignore[arg-type]


def inbox(request: HttpRequest) -> dict[str, object]:
    """The header's unread count: counted only when a page shows the header, for signed-in users only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user=user))}
