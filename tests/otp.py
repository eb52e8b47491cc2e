"""The second factor in tests: a confirmed authenticator for a staff account, its next usable code, a verified session.

``portal.two_factor.services`` holds reviewers, payers and admins until their session gives a TOTP code. Tests that are about
something else sign such people in with ``client.force_login`` (``tests/conftest.py`` marks the session verified) or,
in the browser, with ``enter_second_factor`` after the password (``tests/browser/conftest.py``).
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import User
from portal.two_factor.services import code_at, second_factor_required


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed device, created (as if enrolled earlier) when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="测试身份验证器", confirmed=True)


def usable_code(device: TOTPDevice) -> str:
    """A code the portal will accept now: the current one, or the next one (tolerance 1) when the current step was
    already used, since a code is accepted once only (``last_t``). Waits only if even the next step was used."""
    while True:
        device.refresh_from_db()
        now = time.time()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = now
        step = totp.t()
        if device.last_t < step:
            return code_at(device, now)
        if device.last_t == step:
            return code_at(device, now + device.step)
        time.sleep(1)


def mark_second_factor_passed(client: Client, user: User) -> None:
    """Make ``client``'s signed-in session verified, as if the code had been typed, for accounts that need one."""
    if not second_factor_required(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


def give_code(client: Client, user: User) -> None:
    """After the password form: type the current code on the verify page, as the person would."""
    from django.urls import reverse

    response = client.post(reverse("two_factor_verify"), {"code": usable_code(authenticator(user))})
    assert response.status_code == 302, response.content.decode()
