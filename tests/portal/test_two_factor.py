"""The second factor (TOTP) of the staff who review or pay: enrolment, verification, replay, throttling, the gate, reset.

These tests sign in through the real password form (``client.post(LOGIN)``), which the ``force_login`` shortcut of
``tests/conftest.py`` does not touch, so they meet the second factor exactly as a person does.
"""

from __future__ import annotations

import base64
import io
import logging
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.http.response import HttpResponseRedirectBase
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from portal.models import User
from portal.two_factor.services import (
    AUDIT_FIELD,
    SecondFactorRefused,
    code_at,
    second_factor_required,
    second_factor_reset,
    second_factor_verify,
)
from tests.factories import UserFactory
from tests.otp import authenticator, usable_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
WRONG_OR_USED = "验证码错误或已使用，请等待下一个验证码"


def _password_only(user: User, password: str) -> Client:
    """A client past the password form, not yet past the code."""
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url == reverse("portal:workspace")
    return client


def _wrong_code(device: TOTPDevice) -> str:
    """Six digits that none of the steps the portal accepts now (previous, current, next) shows."""
    import time

    now = time.time()
    valid = {code_at(device, now + offset * device.step) for offset in (-1, 0, 1, 2)}
    return next(code for code in (f"{n}" * 6 for n in range(10)) if code not in valid)


def _audit_changes(user: User) -> list[list[str]]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(user.pk)
    ).order_by("timestamp", "pk")
    return [entry.changes_dict[AUDIT_FIELD] for entry in entries if AUDIT_FIELD in entry.changes_dict]


def test_who_needs_a_second_factor() -> None:
    needs = [
        UserFactory(centre=True),
        UserFactory(bureau=True),
        UserFactory(admin=True),
        UserFactory(role="admin"),
        UserFactory(clerk=True, is_superuser=True),
        UserFactory(clerk=True, is_staff=True),
    ]
    does_not = [
        UserFactory(clerk=True),
        UserFactory(district_reviewer=True),
        UserFactory(employer_user=True),
        UserFactory(third_party_user=True),
    ]
    assert all(second_factor_required(user) for user in needs)
    assert not any(second_factor_required(user) for user in does_not)


def test_first_sign_in_enrols_an_authenticator_from_the_qr_page(password: str) -> None:
    officer = UserFactory(centre=True)
    client = _password_only(officer, password)
    held = client.get(reverse("portal:workspace"))
    assert isinstance(held, HttpResponseRedirectBase), held.status_code
    assert held.status_code == 302 and held.url == f"{VERIFY}?next=%2Fworkspace%2F"
    to_setup = client.get(held.url)
    assert isinstance(to_setup, HttpResponseRedirectBase), to_setup.status_code
    assert to_setup.status_code == 302 and to_setup.url == f"{SETUP}?next=%2Fworkspace%2F"

    page = client.get(to_setup.url)
    html = page.content.decode()
    assert page.status_code == 200 and "绑定身份验证器" in html
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    # The QR code is drawn on the server (an SVG data: URI, no script) and the secret is printed for typing by hand.
    start = html.index('src="data:image/svg+xml;base64,') + len('src="data:image/svg+xml;base64,')
    svg = base64.b64decode(html[start : html.index('"', start)])
    assert svg.startswith(b"<svg") and b"<path" in b"".join(svg.split())
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert "<script>" not in html and " style=" not in html
    # A reload shows the same secret: a phone that scanned the first page still matches.
    client.get(to_setup.url)
    assert TOTPDevice.objects.get(user=officer).key == device.key

    wrong = client.post(SETUP, {"code": _wrong_code(device), "next": "/workspace/"})
    assert wrong.status_code == 200 and WRONG_OR_USED in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=officer).confirmed

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    code = f"{totp(device.bin_key):06d}"  # what the phone shows, computed from the key the QR code carries
    done = client.post(SETUP, {"code": code, "next": "/workspace/"})
    assert isinstance(done, HttpResponseRedirectBase), done.status_code
    assert done.status_code == 302 and done.url == "/workspace/"
    assert TOTPDevice.objects.get(user=officer).confirmed
    workspace = client.get("/workspace/")
    assert workspace.status_code == 200 and "身份验证器绑定成功" in workspace.content.decode()
    assert _audit_changes(officer) == [["未绑定", "已绑定身份验证器"]]
    # Once enrolled, the QR page is gone: a second device needs an admin's reset first.
    assert client.get(SETUP).status_code == 302


def test_an_enrolled_officer_gives_the_current_code_and_goes_where_they_were_going(password: str) -> None:
    reviewer = UserFactory(bureau=True)
    device = authenticator(reviewer)
    client = Client()
    client.post(LOGIN, {"username": reviewer.username, "password": password, "next": "/claims/review/"})
    held = client.get("/claims/review/")
    assert isinstance(held, HttpResponseRedirectBase), held.status_code
    assert held.status_code == 302 and held.url == f"{VERIFY}?next=%2Fclaims%2Freview%2F"
    page = client.get(held.url)
    assert page.status_code == 200 and "双因素认证" in page.content.decode()
    half_signed_in_key = client.session.session_key

    response = client.post(VERIFY, {"code": usable_code(device), "next": "/claims/review/"})
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url == "/claims/review/"
    # The verified session is a new one: the key known before the code does not carry the privileges.
    assert client.session.session_key != half_signed_in_key
    assert not Session.objects.filter(session_key=half_signed_in_key).exists()
    assert client.get("/claims/review/").status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing left to ask


def test_a_foreign_next_is_ignored(password: str) -> None:
    officer = UserFactory(centre=True)
    device = authenticator(officer)
    client = _password_only(officer, password)
    response = client.post(VERIFY, {"code": usable_code(device), "next": "https://evil.example/steal"})
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url == reverse("portal:workspace")


def test_a_wrong_code_is_refused_counted_and_logged_without_the_code(
    password: str, caplog: pytest.LogCaptureFixture
) -> None:
    officer = UserFactory(centre=True)
    device = authenticator(officer)
    client = _password_only(officer, password)
    wrong = _wrong_code(device)
    with caplog.at_level(logging.WARNING, logger="portal.two_factor.services"):
        response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert WRONG_OR_USED in response.content.decode()
    assert client.get("/workspace/").status_code == 302  # still held
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "second factor refused" in logged and officer.username in logged
    assert wrong not in logged


def test_a_malformed_code_is_explained_and_full_width_digits_are_read(password: str) -> None:
    officer = UserFactory(centre=True)
    device = authenticator(officer)
    client = _password_only(officer, password)
    for typed in ("12345", "abcdef", "1234567", ""):
        response = client.post(VERIFY, {"code": typed})
        assert "6位数字" in response.content.decode(), typed
    # A typo is not a guess: it does not count towards the throttle.
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0
    code = usable_code(device)
    full_width = " ".join(chr(ord(digit) + 0xFEE0) for digit in code)  # ＩＭＥ: "１ ２ ３ ４ ５ ６"
    assert client.post(VERIFY, {"code": full_width}).status_code == 302


def test_a_replayed_code_is_refused(password: str) -> None:
    """``TOTPDevice.last_t``: once a code of time step t is accepted, only steps after t are; the same code sent
    again in its own 30 seconds (from another session, e.g. by someone who watched it typed) is refused."""
    officer = UserFactory(centre=True)
    device = authenticator(officer)
    code = usable_code(device)
    first = _password_only(officer, password)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    accepted_step = TOTPDevice.objects.get(pk=device.pk).last_t
    assert accepted_step >= 0

    second = _password_only(officer, password)
    replay = second.post(VERIFY, {"code": code})
    assert replay.status_code == 200 and WRONG_OR_USED in replay.content.decode()
    assert second.get("/workspace/").status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).last_t == accepted_step

    # The service refuses it too, and the next step's code still works.
    with pytest.raises(SecondFactorRefused) as refused:
        second_factor_verify(user=officer, code=code)
    assert refused.value.code in {"otp_wrong", "otp_throttled"}
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert second.post(VERIFY, {"code": usable_code(device)}).status_code == 302


@override_settings(OTP_TOTP_THROTTLE_FACTOR=600)
def test_wrong_codes_throttle_further_tries(password: str) -> None:
    officer = UserFactory(bureau=True)
    device = authenticator(officer)
    client = _password_only(officer, password)
    client.post(VERIFY, {"code": _wrong_code(device)})
    # Within the wait even the right code is refused, and says why; the refusal itself is not counted again.
    throttled = client.post(VERIFY, {"code": usable_code(device)})
    assert throttled.status_code == 200 and "输错次数过多" in throttled.content.decode()
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    assert client.get("/workspace/").status_code == 302

    # A second wrong code doubles the wait (600 s, then 1200 s).
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=601))
    client.post(VERIFY, {"code": _wrong_code(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=601))
    assert "输错次数过多" in client.post(VERIFY, {"code": usable_code(device)}).content.decode()

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=1201)
    )
    assert client.post(VERIFY, {"code": usable_code(device)}).status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0  # reset by the right code


def test_a_half_signed_in_officer_reaches_nothing_but_the_code_and_logout(password: str) -> None:
    admin = UserFactory(admin=True)
    authenticator(admin)
    client = _password_only(admin, password)
    for url in ["/workspace/", "/positions/", "/claims/review/", "/dashboard/", "/admin/", "/admin/login/", "/"]:
        response = client.get(url)
        assert isinstance(response, HttpResponseRedirectBase), response.status_code
        assert response.status_code == 302 and response.url.startswith(VERIFY), url
    posted = client.post("/settings/notifications/", {})
    assert isinstance(posted, HttpResponseRedirectBase), posted.status_code
    assert posted.status_code == 302 and posted.url == VERIFY
    api = client.get("/api/v1/positions/")
    assert api.status_code == 403 and api.json() == {
        "detail": "请先完成双因素认证：输入手机身份验证器上的6位验证码。",
        "code": "otp_required",
    }
    htmx = client.get("/workspace/", headers={"HX-Request": "true"})
    assert htmx.status_code == 403 and htmx["HX-Redirect"] == VERIFY
    assert client.get(VERIFY).status_code == 200

    key = client.session.session_key
    logged_out = client.post(reverse("logout"))
    assert logged_out.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    after = client.get("/workspace/")
    assert isinstance(after, HttpResponseRedirectBase), after.status_code
    assert after.status_code == 302 and after.url.startswith(reverse("login"))


def test_other_roles_sign_in_with_the_password_only(password: str) -> None:
    for user in [
        UserFactory(clerk=True),
        UserFactory(district_reviewer=True),
        UserFactory(employer_user=True),
        UserFactory(third_party_user=True),
    ]:
        client = _password_only(user, password)
        assert client.get("/workspace/").status_code == 200, user.role
        assert client.get(VERIFY).status_code == 302  # nothing to ask of them
        assert client.get(SETUP).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_token_clients_are_machines_and_not_held() -> None:
    """DRF tokens (third parties' business systems) carry no session: the gate is for people in the browser."""
    headhunter = UserFactory(third_party_user=True)
    token = Token.objects.create(user=headhunter)
    client = Client(headers={"Authorization": f"Token {token.key}"})
    assert client.get("/api/v1/positions/").status_code == 200


def test_an_admin_resets_a_lost_phone_and_the_officer_enrols_again(password: str) -> None:
    officer = UserFactory(centre=True)
    device = authenticator(officer)
    officer_client = _password_only(officer, password)
    assert officer_client.post(VERIFY, {"code": usable_code(device)}).status_code == 302
    assert officer_client.get("/workspace/").status_code == 200

    admin = UserFactory(admin=True)
    admin_client = Client()
    admin_client.force_login(admin)  # verified (tests/conftest.py)
    changelist = admin_client.get("/admin/portal/secondfactordevice/")
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert str(officer) in html and device.key not in html  # listed, never its secret
    # In Chinese, on the admin's index too (django-otp's own names are English and not translatable).
    assert "身份验证器（双因素认证）" in html and "连续错误次数" in html and "TOTP" not in html
    index = admin_client.get("/admin/").content.decode()
    assert "身份验证器（双因素认证）" in index and "登录尝试" in index and "审计日志" in index  # locale/zh_Hans
    assert "登录锁定" in index and "Axes" not in index and "Access attempts" not in index and "TOTP" not in index
    assert admin_client.get("/admin/portal/secondfactordevice/?confirmed=0").content.decode().count("checkbox") < (
        changelist.content.decode().count("checkbox")
    )
    assert admin_client.get("/admin/portal/secondfactordevice/add/").status_code == 403
    for url in (
        f"/admin/portal/secondfactordevice/{device.pk}/change/",
        f"/admin/portal/secondfactordevice/{device.pk}/config/",
    ):
        shown = admin_client.get(url, follow=True).content.decode()  # read only; django-otp's QR page is not there
        assert device.key not in shown and "otpauth" not in shown
    response = admin_client.post(
        "/admin/portal/secondfactordevice/",
        {"action": "reset_second_factor", "_selected_action": [device.pk]},
        follow=True,
    )
    assert "已重置 1 个账号的身份验证器" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_pk=str(officer.pk))
    reset = [entry for entry in entries if AUDIT_FIELD in entry.changes_dict]
    assert [entry.actor for entry in reset] == [admin]
    assert reset[0].changes_dict[AUDIT_FIELD] == ["已绑定身份验证器", "已重置，须重新绑定"]

    # The officer's verified session no longer counts: the next page asks for enrolment again.
    held = officer_client.get("/workspace/")
    assert isinstance(held, HttpResponseRedirectBase), held.status_code
    assert held.status_code == 302 and held.url.startswith(VERIFY)
    to_setup = officer_client.get(held.url)
    assert isinstance(to_setup, HttpResponseRedirectBase)
    assert to_setup.url.startswith(SETUP)


def test_reset_through_the_service_and_the_admin_delete_are_recorded() -> None:
    officer, admin = UserFactory(bureau=True), UserFactory(admin=True)
    authenticator(officer)
    assert second_factor_reset(user=officer, by=admin) == 1
    assert second_factor_reset(user=officer, by=admin) == 0
    assert _audit_changes(officer) == [["已绑定身份验证器", "已重置，须重新绑定"], ["未绑定", "已重置，须重新绑定"]]

    device = authenticator(officer)
    client = Client()
    client.force_login(admin)
    response = client.post(f"/admin/portal/secondfactordevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert len(_audit_changes(officer)) == 3


def test_demo_accounts_have_published_authenticators(reference_data: None) -> None:
    call_command("seed_demo", without_posts=True, stdout=io.StringIO())
    call_command("seed_demo", without_posts=True, stdout=io.StringIO())  # idempotent: one device each
    for username in ("centre_officer", "bureau_reviewer", "admin"):
        user = User.objects.get(username=username)
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert not TOTPDevice.objects.filter(user__username__in=["clerk_tongliang", "headhunter", "employer"]).exists()

    out = io.StringIO()
    call_command("demo_totp", "centre_officer", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    officer = User.objects.get(username="centre_officer")
    assert second_factor_verify(user=officer, code=code).user_id == officer.pk
    with pytest.raises(CommandError, match="只显示演示账号"):
        call_command("demo_totp", "clerk_tongliang", stdout=io.StringIO(), stderr=io.StringIO())
