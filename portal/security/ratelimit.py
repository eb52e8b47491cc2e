"""Counting attempts per network address in the shared cache (Redis in production, so every web worker counts
together): registrations, and sign-ins that fail across many user names (``portal.security.lockout``)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def request_address(request: HttpRequest) -> str:
    """The client's address as the sign-in lockout (django-axes) reads it: behind ``AXES_PROXY_COUNT`` proxies,
    the address they forwarded, not the last proxy's."""
    from axes.helpers import get_client_ip_address  # axes reads its settings when imported

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or ""


def count_attempt(key: str, *, limit: int, seconds: int) -> bool:
    """Count one attempt under ``key`` in a window of ``seconds`` opened by the first; True when ``limit`` attempts
    were already counted in it (this one is to be refused)."""
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window closed between the two calls: this attempt opens the next one.
        cache.set(key, 1, timeout=seconds)
        return False
    return count > limit
