"""Small helpers every app's views share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from portal.calendar import TenDayPeriod
from portal.models import User


def request_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    """PRG: back to the page the form was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
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
