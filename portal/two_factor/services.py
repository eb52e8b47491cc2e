"""The second factor (TOTP, django-otp) of the staff who review or pay: who needs it, enrolment, checking a code, reset.

Talent centre officers, bureau reviewers and admins decide on claims and money and manage every account, so a
stolen password alone must not be enough (docs/roles.md, "Second factor"). They sign in with the password as everyone else, then
give a 6-digit code from an authenticator app; ``portal.web.middleware.SecondFactorMiddleware`` holds every other page
until they have. District staff, employers and third parties sign in with the password only.

Replay: ``TOTPDevice.verify_token`` accepts only a time step after the last one accepted (``last_t``), and the device
row is locked while a code is checked, so one code opens one session even when sent twice at once.
Guessing: each wrong code doubles the wait before the next try (django-otp throttling, ``OTP_TOTP_THROTTLE_FACTOR``
seconds after the first, so ten wrong codes cost about nine minutes), and is logged without the code.
Enrolment is trust on first use: whoever first passes the password of an account without a confirmed device binds
the phone, so an admin's reset (after a lost phone) should follow a call with the person, who then signs in at once.
"""

from __future__ import annotations

import base64
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.constants import Role
from portal.errors import PortalError
from portal.models import User

logger = logging.getLogger(__name__)

#: Roles whose accounts must pass a second factor (docs/roles.md, "Second factor": they review claims, fix amounts, record payment, admin).
SECOND_FACTOR_ROLES = frozenset({Role.TALENT_CENTRE, Role.BUREAU_REVIEWER, Role.ADMIN})
#: The name a device gets on enrolment; the admin lists devices by user and this name.
DEVICE_NAME = "手机身份验证器"
#: The one message for a wrong and for a replayed code: telling them apart would tell a guesser which codes were right.
WRONG_CODE = "验证码错误或已使用，请等待下一个验证码。"
#: The audit trail's field name on the user record for enrolment and reset.
AUDIT_FIELD = "双因素认证"


class SecondFactorRefused(PortalError):
    """A code was not accepted: wrong, replayed, malformed or sent while throttled."""


def second_factor_required(user: object) -> bool:
    """Does this account need a code after its password? Staff who review or pay, admins, and anyone who can open
    the admin site (``is_staff``/``is_superuser``), whatever their role."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        getattr(user, "role", None) in SECOND_FACTOR_ROLES
        or bool(getattr(user, "is_superuser", False))
        or bool(getattr(user, "is_staff", False))
    )


def second_factor_passed(user: object) -> bool:
    """Has this request's session given a code (``django_otp.middleware.OTPMiddleware`` sets ``otp_device``)?"""
    return getattr(user, "otp_device", None) is not None


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows: the same one on every reload, so a phone that
    scanned the first page still matches. Refused once a confirmed device exists (only an admin's reset unbinds it)."""
    if confirmed_device(user=user) is not None:
        raise SecondFactorRefused("该账号已绑定身份验证器；如手机丢失，请联系系统管理员重置。", "otp_already_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def normalise_code(raw: str) -> str:
    """The code as typed: full-width digits (Chinese input methods) become ASCII, spaces go. Refuses anything that
    is not six digits before it reaches the device, so a typo does not count as a guess."""
    code = "".join(unicodedata.normalize("NFKC", raw or "").split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise SecondFactorRefused("验证码：请输入身份验证器上显示的6位数字。", "otp_malformed")
    return code


@dataclass(frozen=True)
class _Outcome:
    accepted: bool
    locked_until: datetime | None = None
    failures: int = 0


def _check(device: TOTPDevice, code: str) -> _Outcome:
    """Check ``code`` against the locked device row. Returns instead of raising, so the failure count that
    ``verify_token`` writes is committed, not rolled back with an exception."""
    with transaction.atomic():
        # Locked: two requests with the same code serialise here and the second finds last_t already moved on.
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = locked.verify_is_allowed()
        if not allowed:
            return _Outcome(False, (info or {}).get("locked_until"), locked.throttling_failure_count)
        accepted = bool(locked.verify_token(code))
        return _Outcome(accepted, None, locked.throttling_failure_count)


def _refuse(user: User, outcome: _Outcome, *, address: str | None, purpose: str) -> SecondFactorRefused:
    if outcome.locked_until is not None:
        local = timezone.localtime(outcome.locked_until)
        logger.warning(
            "second factor throttled: user=%s address=%s purpose=%s failures=%d",
            user.username,
            address,
            purpose,
            outcome.failures,
        )
        return SecondFactorRefused(
            f"验证码输错次数过多，请于 {local:%H:%M:%S} 之后再试；如无法解决，请联系系统管理员。", "otp_throttled"
        )
    logger.warning(
        "second factor refused: user=%s address=%s purpose=%s failures=%d",
        user.username,
        address,
        purpose,
        outcome.failures,
    )
    return SecondFactorRefused(WRONG_CODE, "otp_wrong")


def second_factor_verify(*, user: User, code: str, address: str | None = None) -> TOTPDevice:
    """Check a code of the user's confirmed device; returns the device for ``django_otp.login``.
    Raises ``SecondFactorRefused`` for a wrong, replayed or throttled code (each refusal is logged, never the code)."""
    device = confirmed_device(user=user)
    if device is None:
        raise SecondFactorRefused("该账号尚未绑定身份验证器，请先绑定。", "otp_not_enrolled")
    outcome = _check(device, normalise_code(code))
    if not outcome.accepted:
        raise _refuse(user, outcome, address=address, purpose="verify")
    logger.info("second factor passed: user=%s address=%s", user.username, address)
    return device


def second_factor_enrol(*, device: TOTPDevice, code: str, by: User, address: str | None = None) -> TOTPDevice:
    """Confirm an enrolment: the first code from the phone proves it holds the secret. Recorded in the audit trail
    of the user record."""
    if device.confirmed or device.user_id != by.pk:
        raise SecondFactorRefused("绑定已失效，请刷新页面重新扫码。", "otp_enrolment_stale")
    outcome = _check(device, normalise_code(code))
    if not outcome.accepted:
        raise _refuse(by, outcome, address=address, purpose="enrol")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        LogEntry.objects.log_create(
            instance=by,
            action=LogEntry.Action.UPDATE,
            changes={AUDIT_FIELD: ["未绑定", "已绑定身份验证器"]},
            additional_data={"device_id": device.pk, "address": address},
            actor=by,
            force_log=True,
        )
    logger.info("second factor enrolled: user=%s address=%s device=%s", by.username, address, device.pk)
    return device


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> int:
    """Unbind every authenticator of ``user`` (a lost or replaced phone): their next sign-in shows the enrolment page,
    and a session they already verified falls back to asking for a code (the middleware re-reads the device).
    Returns how many devices were removed; recorded in the user's audit trail."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    LogEntry.objects.log_create(
        instance=user,
        action=LogEntry.Action.UPDATE,
        changes={AUDIT_FIELD: ["已绑定身份验证器" if removed else "未绑定", "已重置，须重新绑定"]},
        additional_data={"devices_removed": removed},
        actor=by,
        force_log=True,
    )
    logger.warning("second factor reset: user=%s by=%s devices=%d", user.username, by.username, removed)
    return removed


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32 as authenticator apps take it by hand, in groups of four for reading aloud."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The enrolment QR code (the ``otpauth://`` URI) as an SVG ``data:`` URI: drawn on the server, on white so
    phones read it in dark mode too, and allowed by the CSP (``img-src 'self' data:``) with no inline script."""
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(device.config_url)
    code.make(fit=True)
    svg = code.make_image().to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def code_at(device: TOTPDevice, when: float) -> str:
    """The code the device's app shows at Unix time ``when``, zero-padded (``manage.py demo_totp`` and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = when
    return f"{totp.token():0{device.digits}d}"
