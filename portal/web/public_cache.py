"""A few seconds' shared cache of what the public reads most: the publicity list and notices, the list of posts, the
policy guide and the public API list of notices.

Why: these are the same for every anonymous visitor and are read far more often than they change; under load
(``bench/load.py``) rendering them afresh for each request was most of the server's work.

For how long: at most ``PUBLIC_CACHE_SECONDS`` (settings; 0 turns the cache off, as the test settings do), and never
past a moment at which the content changes by the clock alone (``until``): a publicity notice leaves public view
exactly when its publicity ends. A change made by staff (a notice published, a post closed) shows within those
seconds.

Who is served from it: only requests that carry no session or messages cookie (so never a signed-in person, and
never a page holding a message for its reader) and are not htmx requests. What is stored: only a 200 response that
set no cookie but the CSRF one and used no CSP nonce, with its reader's CSRF token (``<meta name="csrf-token">`` of
base.html, which htmx reads, and the same token in the page's forms) taken out: each reader served from the copy gets
a token of its own put back in (``get_token``, which also sets the reader's CSRF cookie when it has none). A page
whose token cannot be found that way is not stored. Nothing stored is anyone's own.

Memory: one copy per distinct URL, kept seconds; a stream of made-up query strings costs a full render per copy,
so the copies a minute can hold are bounded by what the server can render in it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

T = TypeVar("T")
Until = Callable[[], datetime.datetime | None]
_MISSING = object()
#: The page's CSRF token (base.html), and what stands for it in a stored copy.
_TOKEN = re.compile(rb'<meta name="csrf-token" content="([A-Za-z0-9]{32,})">')
_TOKEN_SLOT = b"@@public-cache-csrf-token@@"


def _seconds(until: datetime.datetime | None = None) -> int:
    seconds = int(getattr(settings, "PUBLIC_CACHE_SECONDS", 0))
    if until is not None:
        seconds = min(seconds, int((until - timezone.now()).total_seconds()))
    return max(seconds, 0)


def _key(kind: str, identity: str) -> str:
    return f"public-cache:{kind}:{hashlib.sha256(identity.encode()).hexdigest()}"


def public_data(identity: str, build: Callable[[], T], *, until: Until | None = None) -> T:
    """``build()``, shared for a few seconds by every caller with the same ``identity`` (e.g. the URL): for data
    that is the same for all anonymous readers. The caller decides that the reader is anonymous."""
    if _seconds() <= 0:
        return build()
    key = _key("data", identity)
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = build()
    seconds = _seconds(until() if until else None)
    if seconds > 0:
        cache.set(key, value, seconds)
    return value


def _anonymous_reader(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and not request.headers.get("HX-Request")
    )


def _stored_copy(request: HttpRequest, response: HttpResponse) -> bytes | None:
    """The body to keep, its reader's CSRF token taken out; None when the response is not for everyone."""
    if (
        response.status_code != 200
        or response.streaming
        or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        or "private" in response.get("Cache-Control", "")
        or getattr(request, "_csp_nonce", None)  # a CSP nonce (django-csp) is per response, like the token
    ):
        return None
    body = response.content
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return body  # the page used no token
    found = _TOKEN.search(body)
    if found is None:
        return None
    return body.replace(found.group(1), _TOKEN_SLOT)


def _served_copy(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    if _TOKEN_SLOT in body:
        body = body.replace(_TOKEN_SLOT, get_token(request).encode())
    response = HttpResponse(body, content_type=content_type)
    # As the page rendered afresh says: it depends on who is signed in.
    patch_vary_headers(response, ["Cookie"])
    return response


def public_page(until: Until | None = None) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a public page's view (innermost, so the other decorators still apply to a cached answer)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if _seconds() <= 0 or not _anonymous_reader(request):
                return view(request, *args, **kwargs)
            key = _key("page", request.get_full_path())
            found = cache.get(key)
            if found is not None:
                return _served_copy(request, *found)
            response = view(request, *args, **kwargs)
            body = _stored_copy(request, response)
            seconds = _seconds(until() if until else None) if body is not None else 0
            if seconds > 0:
                cache.set(key, (body, response["Content-Type"]), seconds)
            return response

        return cached_view

    return decorate
