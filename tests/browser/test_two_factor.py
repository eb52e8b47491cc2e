"""A new talent centre officer's first sign-in: password, then the QR page, a phone's code, the workspace; next time
the code page. What a person sees, in headless Chromium (CSP violations fail the test through the ``page`` fixture)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.two_factor.services import code_at
from tests.browser.conftest import enter_password
from tests.factories import UserFactory
from tests.otp import usable_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_officer_enrols_from_the_qr_page_then_gives_codes(page, screenshot, password, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    officer = UserFactory(centre=True, username="centre_lin", display_name="林晓")
    enter_password(page, officer.username, password)

    # 1. No authenticator yet: the QR page, with the secret in writing for typing by hand.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=%2Fworkspace%2F$"))
    expect(page.get_by_role("heading", name="绑定身份验证器")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("身份验证器绑定二维码"))
    expect(qr).to_be_visible()
    assert page.get_by_role("navigation", name="工作菜单").count() == 0  # nothing to open before the code
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    shown_secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    assert shown_secret == base64.b32encode(device.bin_key).decode().rstrip("=")
    screenshot("two_factor_enrol")
    zbarimg = shutil.which("zbarimg")
    if zbarimg:  # the phone's view: the QR code carries the same secret, for this account and issuer
        image = tmp_path / "qr.png"
        qr.screenshot(path=str(image))
        decoded = subprocess.run([zbarimg, "-q", "--raw", str(image)], capture_output=True, check=True).stdout.decode()  # noqa: S603
        assert decoded.startswith("otpauth://totp/") and f"secret={shown_secret}" in decoded
        assert "centre_lin" in decoded

    # 2. A mistyped code is refused in Chinese; the phone's code (from the key the QR code carries) binds it.
    page.get_by_label("6位验证码").fill("000000" if totp(device.bin_key) != 0 else "111111")
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_text("验证码错误或已使用，请等待下一个验证码")).to_be_visible()
    # The throttle's 1-second wait after a wrong code is not what this test is about: lift it.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page.get_by_label("6位验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="完成绑定").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("alert").filter(has_text="身份验证器绑定成功")).to_be_visible()
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()
    device.refresh_from_db()
    assert device.confirmed
    # The code just used: the one of the time step the portal recorded as the last accepted (``last_t``).
    used_code = code_at(device, (device.last_t - device.drift) * device.step + device.t0)

    # 3. Next time: password, then the code page. The code already used is refused; the next one opens the workspace.
    page.get_by_role("button", name="退出登录").click()
    enter_password(page, officer.username, password)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=%2Fworkspace%2F$"))
    expect(page.get_by_role("heading", name="双因素认证")).to_be_visible()
    page.get_by_label("6位验证码").fill(used_code)
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("验证码错误或已使用，请等待下一个验证码")).to_be_visible()
    screenshot("two_factor_verify")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page.get_by_label("6位验证码").fill(usable_code(device))
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("navigation", name="工作菜单")).to_be_visible()
