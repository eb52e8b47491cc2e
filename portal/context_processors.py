from __future__ import annotations

from django.http import HttpRequest

from portal.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"menu": menu_for(request.user)}  # type: ignore[arg-type]
