"""Sign-in protection beyond django-axes' lockout of one user name at one address.

axes locks a user name after ``AXES_FAILURE_LIMIT`` failures from one address. One password tried against many
user names from one address (password spraying) never trips it, so an address whose sign-ins fail for
``SPRAY_NAMES`` distinct user names within ``SPRAY_WINDOW_SECONDS`` is refused for ``SPRAY_BLOCK_SECONDS`` more:
``AddressGuardBackend``, the first authentication backend, refuses before any password is checked, so a refused
attempt tells nothing about the password either.

Many offices reach the portal through one address. A colleague must not be shut out by someone else's failures,
so the refusal does not apply to a user name that has already signed in successfully from that address (axes'
``AccessLog`` keeps every sign-in): their attempts go on to the password check, still under axes' per-name
lockout. Letting a correct password through regardless would not do: the refusal must come before the password
is checked, or the attacker keeps learning which guesses are right. A user name new to the address (a new
colleague's first sign-in) waits out the block, and the message says so.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portal.contacts import CENTRE
from portal.security.ratelimit import count_attempt, request_address

#: Distinct user names failing from one address within the window before the address is refused.
SPRAY_NAMES = 10
SPRAY_WINDOW_SECONDS = 15 * 60
SPRAY_BLOCK_SECONDS = 15 * 60
ADDRESS_BLOCKED = (
    "您所在网络地址近期有多个账号登录失败，为保护账号安全，已暂停该地址的登录15分钟，请稍后再试。"
    f"如急需登录，请联系{CENTRE.inline}。"
)
#: axes stores user names in varchar(255) columns: a longer one would fail the insert (a server error on
#: PostgreSQL) instead of counting as the failed sign-in it is.
USERNAME_MAX_LENGTH = 255


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the user name as typed, cut to what axes can store."""
    if credentials:
        username = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", None) or {}
        username = data.get("username")
    return str(username)[:USERNAME_MAX_LENGTH] if username is not None else None


def _name_key(address: str, username: str) -> str:
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]  # no user name in the cache's keys
    return f"login-failed-name:{address}:{digest}"


def _known_here(address: str, username: str) -> bool:
    from axes.models import AccessLog  # the axes app's model, loaded after the apps are ready

    return AccessLog.objects.filter(ip_address=address, username=username).exists()


def address_blocked(request: HttpRequest) -> bool:
    return bool(cache.get(f"login-address-blocked:{request_address(request)}"))


def record_failure(*, request: HttpRequest | None, username: str | None) -> None:
    """A failed sign-in: the address's count of distinct failing user names, and the block when it is reached."""
    if request is None or not username:
        return
    address = request_address(request)
    if not cache.add(_name_key(address, username), 1, timeout=SPRAY_WINDOW_SECONDS):
        return  # this name already failed here in the window: axes counts its repeats
    if count_attempt(f"login-failed-names:{address}", limit=SPRAY_NAMES - 1, seconds=SPRAY_WINDOW_SECONDS):
        cache.set(f"login-address-blocked:{address}", 1, timeout=SPRAY_BLOCK_SECONDS)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed`` receiver."""
    record_failure(request=request, username=axes_username(request, credentials))


class AddressGuardBackend:
    """Early in ``AUTHENTICATION_BACKENDS``: refuses a sign-in from a blocked address, unless the user name has
    signed in from there before. Never signs anyone in itself, so it has no ``get_user`` (Django would otherwise
    give it the sessions that ``Client.force_login`` and other backend-less logins open)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
        if request is None or username is None or not address_blocked(request):
            return None
        name = axes_username(request, {"username": username}) or ""
        if _known_here(request_address(request), name):
            return None
        request.portal_address_blocked = True  # type: ignore[attr-defined]  # read by the sign-in form
        raise PermissionDenied(ADDRESS_BLOCKED)
