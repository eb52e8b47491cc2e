"""Session lifetime and the one mapping of ``PortalError`` for HTML views."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.errors import PermissionDenied, PortalError

_STARTED_KEY = "portal_session_started"


class SessionLifetimeMiddleware:
    """Ends a signed-in session 12 hours after login, however active (idle expiry is SESSION_COOKIE_AGE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(_STARTED_KEY, now)
            if now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)  # flushes the server-side session
                messages.info(request, "登录已超过12小时，请重新登录。")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class PortalErrorMiddleware:
    """A business refusal raised by a view becomes a Chinese message, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PortalError):
            return None
        status = 403 if isinstance(exception, PermissionDenied) else 400
        return render(request, "portal/error.html", {"error": exception}, status=status)
