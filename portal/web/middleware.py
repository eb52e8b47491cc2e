"""Session lifetime, the staff's second sign-in factor, the one mapping of ``PortalError`` for HTML views, and the
503 of a database outage."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.middleware import AuthenticationMiddleware as _AuthenticationMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import defaults

from portal.errors import PermissionDenied, PortalError
from portal.security.passwords import INITIAL_PASSWORD_HELD
from portal.two_factor.services import second_factor_passed, second_factor_required

logger = logging.getLogger(__name__)

_STARTED_KEY = "portal_session_started"
_REFRESHED_KEY = "portal_session_refreshed"


def start_session_clock(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """``user_logged_in``: the session's start (for the 12 hours) and its last refresh are the login itself, stored
    with the new session, so that the first pages after a login do not write it again."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[_STARTED_KEY] = now
        request.session[_REFRESHED_KEY] = now


#: Sign-in backends the portal has replaced, by the path a session signed in under them stores, and what replaced them.
RENAMED_BACKENDS = {"django.contrib.auth.backends.ModelBackend": "portal.security.backends.PasswordBackend"}


class AuthenticationMiddleware(_AuthenticationMiddleware):
    """Django's (``request.user``, loaded lazily by the backend the session signed in under), keeping the sessions
    opened under a backend the portal has since replaced (``RENAMED_BACKENDS``): Django accepts a session only while
    its backend's path is in ``AUTHENTICATION_BACKENDS``, so such a session would otherwise be signed out. Its stored
    path is moved to the replacement once (the session is saved with the response)."""

    def process_request(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        if session is not None:
            renamed = RENAMED_BACKENDS.get(session.get(BACKEND_SESSION_KEY, ""))
            if renamed is not None:
                session[BACKEND_SESSION_KEY] = renamed
        super().process_request(request)


class SessionLifetimeMiddleware:
    """Ends a signed-in session 12 hours after login, however active, and keeps an active one from its idle expiry.

    Idle expiry is the session's own (``SESSION_COOKIE_AGE`` from its last save). Rather than saving the session on
    every request (``SESSION_SAVE_EVERY_REQUEST``: a database write per page), the session is marked changed, and so
    saved with a new expiry, once ``SESSION_REFRESH_SECONDS`` have passed since it last was: an idle session ends at
    most ``SESSION_COOKIE_AGE`` after the last request, and at least that less the refresh interval.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.setdefault(_STARTED_KEY, now)
            if now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)  # flushes the server-side session
                messages.info(request, "登录已超过12小时，请重新登录。")
                return redirect(settings.LOGIN_URL)
            if now - float(session.get(_REFRESHED_KEY, 0)) >= settings.SESSION_REFRESH_SECONDS:
                session[_REFRESHED_KEY] = now
        return self.get_response(request)


class PortalErrorMiddleware:
    """A business refusal raised by a view becomes a Chinese message, never a 500. An action's address opened in
    the browser (a POST-only view answered with an empty 405, which the browser shows as its own English error)
    gets the portal's page saying what happened."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            page = render(request, "405.html", status=405)
            if "Allow" in response:
                page["Allow"] = response["Allow"]
            return page
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PortalError):
            return None
        status = 403 if isinstance(exception, PermissionDenied) else 400
        return render(request, "portal/error.html", {"error": exception}, status=status)


#: What a person sees while PostgreSQL is down or restarting (docs/workflows.md, "Outages"): a clear Chinese 503, never a traceback.
DATABASE_UNAVAILABLE = "数据库暂时不可用，请稍后重试。"
#: Seconds a client (or a proxy in front of the portal) should wait before trying again.
DATABASE_RETRY_AFTER_SECONDS = 30
#: What Django raises when the database cannot be reached or the connection broke: refused, reset, closed, a restart.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for a database outage: JSON under ``/api/``, else a self-contained page.

    Touches no database (no session, no user, no context processors): the page is rendered without the request.
    Nothing half-written is behind it: every write is one transaction, which the database rolled back when the
    connection broke; the client may simply send the request again (with its ``Idempotency-Key`` on the API).
    """
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": DATABASE_UNAVAILABLE, "code": "database_unavailable"}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view (or DRF, which re-raises what it does not know) that lost the database answers 503, not 500.

    Errors raised before the view (the session or user read by other middleware) are covered by ``server_error``,
    the ``handler500``: together every request that meets a broken database gets the same answer. Once PostgreSQL
    is back, ``CONN_HEALTH_CHECKS`` replaces the broken persistent connection on the next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # One line per request, no traceback: during an outage every request fails the same way.
        logger.warning("数据库暂时不可用（%s %s）：%s", request.method, request.path_info, type(exception).__name__)
        return database_unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage met outside a view is a 503 too; anything else is the plain 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable_response(request)
    return defaults.server_error(request)


#: Pages a signed-in person who still owes the code may open: the code pages themselves and logout.
SECOND_FACTOR_OPEN_URLS = ("two_factor_verify", "two_factor_setup", "logout")
SECOND_FACTOR_REQUIRED = "请先完成双因素认证：输入手机身份验证器上的6位验证码。"


class SecondFactorMiddleware:
    """Holds every request of a signed-in reviewer, payer or admin whose session has not given a TOTP code.

    One gate for the whole site, after ``django_otp.middleware.OTPMiddleware`` (which reads the session's verified
    device): pages redirect to the code page (``next`` kept), htmx and ``/api/`` requests get a 403 (htmx is sent to the
    code page by ``HX-Redirect``), and ``/admin/`` is covered like any other path, its own login page included.
    Only the code pages and logout stay open. See ``portal.two_factor.services`` for who needs the code.

    The API: a call with the browser session is the person's, so it is held like a page. A call with a DRF token
    (``Authorization: Token``) carries no session, reaches DRF as an anonymous Django request and is not held here:
    tokens are for the machine clients of third parties (their business systems), issued only by an admin in the
    admin site, which itself requires the second factor. Staff work in the browser; a token given to a staff account
    would bypass the second factor, so admins must not issue one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if second_factor_required(user) and not second_factor_passed(user) and not _open_without_code(request):
            return _ask_for_code(request)
        return self.get_response(request)


def _open_without_code(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(settings.STATIC_URL) or path in {reverse(name) for name in SECOND_FACTOR_OPEN_URLS}


def _ask_for_code(request: HttpRequest) -> HttpResponse:
    verify_url = reverse("two_factor_verify")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": SECOND_FACTOR_REQUIRED, "code": "otp_required"}, status=403)
    if request.headers.get("HX-Request"):
        response = HttpResponse(SECOND_FACTOR_REQUIRED, status=403, content_type="text/plain; charset=utf-8")
        response["HX-Redirect"] = verify_url
        return response
    target = request.get_full_path() if request.method == "GET" else ""
    return redirect(f"{verify_url}?{urlencode({'next': target})}" if target else verify_url)


#: Pages a signed-in person with an admin-set password may open: the password change page, logout and the code pages.
INITIAL_PASSWORD_OPEN_URLS = ("password_change", "logout", "two_factor_verify", "two_factor_setup")


class InitialPasswordMiddleware:
    """Holds every request of a signed-in person whose password an admin set (``User.must_change_password``, see
    ``portal.security.passwords``) until they choose their own: pages redirect to the password change page with
    the reason, htmx and ``/api/`` requests get a 403 saying it (htmx is sent there by ``HX-Redirect``), ``/admin/``
    included. Runs after ``SecondFactorMiddleware``: staff give their code first, then change the password.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False) and not _open_with_initial(request):
            return _ask_for_new_password(request)
        return self.get_response(request)


def _open_with_initial(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(settings.STATIC_URL) or path in {reverse(name) for name in INITIAL_PASSWORD_OPEN_URLS}


def _ask_for_new_password(request: HttpRequest) -> HttpResponse:
    change_url = reverse("password_change")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": INITIAL_PASSWORD_HELD, "code": "password_change_required"}, status=403)
    if request.headers.get("HX-Request"):
        response = HttpResponse(INITIAL_PASSWORD_HELD, status=403, content_type="text/plain; charset=utf-8")
        response["HX-Redirect"] = change_url
        return response
    messages.warning(request, INITIAL_PASSWORD_HELD)
    return redirect(change_url)
