"""Small helpers every app's views share."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from portal.calendar import TenDayPeriod
from portal.models import User


def request_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def redirect_back(request: HttpRequest, default: str, *, refused: bool = False) -> HttpResponse:
    """PRG: on to the page the form names (``next``), if it is one of ours. A refused action goes back instead to the
    page it was taken on (``here``, when the form gives it), where the person can put it right: a reviewer returning
    a post without a reason stays on the post they were reading."""
    for field in ("here", "next") if refused else ("next",):
        target = request.POST.get(field, "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
    return redirect(default)


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def period_from(request: HttpRequest) -> TenDayPeriod:
    """The 旬 a page is about (``?period=YYYY-MM-N`` or the posted field); the running 旬 when absent or malformed."""
    code = request.GET.get("period") or request.POST.get("period") or ""
    try:
        return TenDayPeriod.parse(code) if code else TenDayPeriod.current()
    except ValueError:
        return TenDayPeriod.current()


#: What a user-supplied file is served with: saved, never shown by the browser; and were it shown after all (a
#: browser ignoring the disposition, a proxy rewriting it), its content type is not guessed and it runs in a
#: sandbox with nothing allowed (no script, no plug-in, no form, no request of its own).
DOWNLOAD_CSP = "sandbox; default-src 'none'"
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str, *, fallback: str, inline: bool = False) -> str:
    """A Content-Disposition header (RFC 6266): ``filename*`` the name as given, UTF-8 and percent-encoded (RFC 8187,
    so 申报表.pdf stays 申报表.pdf), and ``filename`` an ASCII name for clients that read only that one."""
    ascii_name = _FALLBACK_UNSAFE.sub("_", fallback).strip("._") or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def as_download(response: HttpResponseBase, *, filename: str, fallback: str) -> HttpResponseBase:
    """Serve an uploaded file as a download only (see ``DOWNLOAD_CSP``); nothing keeps a copy."""
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response
