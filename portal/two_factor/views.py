"""The second sign-in step of staff who review or pay: enrol an authenticator app, or give its current code.

The password step is the unchanged ``/accounts/login/`` (axes lockout, credit-code sign-in); these pages come after
it, sent there by ``portal.web.middleware.SecondFactorMiddleware``. Thin: parse, call ``portal.two_factor.services``, render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.two_factor import services as two_factor
from portal.web.forms import SecondFactorForm
from portal.web.http import client_address, request_user

#: No menu on these pages: every link would lead back here until the code is given.
NO_MENU: dict[str, list[dict[str, str]]] = {"public": [], "work": []}


def _target(request: HttpRequest) -> str:
    """Where the person was going (``next``), if it is one of ours; else the workspace."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


def _complete(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark the session verified under a new session key: the key a half-signed-in session had is not the one that
    carries the verified privileges (session fixation)."""
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request_user(request)
    target = _target(request)
    if not two_factor.second_factor_required(user) or two_factor.second_factor_passed(user):
        return redirect(target)
    if two_factor.confirmed_device(user=user) is None:
        return redirect(_with_next("two_factor_setup", target))
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.second_factor_verify(
                user=user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except two_factor.SecondFactorRefused as refused:
            form.add_error("code", refused.message)
        else:
            _complete(request, device)
            return redirect(target)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": target, "menu": NO_MENU})


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request_user(request)
    target = _target(request)
    if not two_factor.second_factor_required(user):
        return redirect(target)
    if two_factor.confirmed_device(user=user) is not None:
        return redirect(_with_next("two_factor_verify", target))
    device = two_factor.enrolment_device(user=user)
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.second_factor_enrol(
                device=device, code=form.cleaned_data["code"], by=user, address=client_address(request)
            )
        except two_factor.SecondFactorRefused as refused:
            form.add_error("code", refused.message)
        else:
            _complete(request, device)
            messages.success(request, "身份验证器绑定成功。今后登录时，输入密码后还需输入身份验证器上的6位验证码。")
            return redirect(target)
    context = {
        "form": form,
        "next": target,
        "menu": NO_MENU,
        "qr_code": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_text(device),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
    }
    return render(request, "registration/two_factor_setup.html", context)
