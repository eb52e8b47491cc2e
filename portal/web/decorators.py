"""View guards that ask the permission layer. Anonymous visitors go to the login page; others get a 403.

A visitor who sends a form signed out (the session ended: signed out in another window, or idle too long) is told at
the login page that what was sent was not saved; an htmx request sends the whole window there, back to the page the
visitor was on, instead of swapping the login page into a fragment of it.

Business permissions are asked of django-rules directly (``rules.has_perm``), not through
``user.has_perm``: Django's superuser bypass must not let an admin act as a reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

View = Callable[..., HttpResponseBase]


def permission_required(perm: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return to_login(request)
            if not rules.has_perm(perm, request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator


SIGNED_OUT_POST = (
    "您的登录已失效（可能已在其他窗口退出，或长时间未操作），刚才提交的内容未能保存。请重新登录后再填写提交。"
)


def to_login(request: HttpRequest) -> HttpResponseBase:
    """The login page for a visitor who is not signed in, coming back afterwards to where they were."""
    if request.method == "POST":
        messages.warning(request, SIGNED_OUT_POST)
    if getattr(request, "htmx", False):
        # The page the fragment belongs to, if it is this portal's (htmx sends it); a fragment's own address may
        # answer POST only.
        current = request.headers.get("HX-Current-URL", "")
        back = request.get_full_path()
        if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
            parts = urlsplit(current)
            back = parts.path + (f"?{parts.query}" if parts.query else "")
        return HttpResponseClientRedirect(redirect_to_login(back).url)
    return redirect_to_login(request.get_full_path())
