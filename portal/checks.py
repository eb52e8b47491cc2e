"""The project's own deployment checks, run by ``manage.py check --deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_session_and_lockout(app_configs: Any, **kwargs: Any) -> list[Warning]:
    problems = []
    if settings.SESSION_COOKIE_AGE > 30 * 60:
        problems.append(Warning("会话空闲超时超过30分钟。", hint="SESSION_IDLE_SECONDS ≤ 1800", id="portal.W001"))
    if settings.SESSION_ABSOLUTE_SECONDS > 12 * 60 * 60:
        problems.append(Warning("会话总时长超过12小时。", hint="SESSION_ABSOLUTE_SECONDS ≤ 43200", id="portal.W002"))
    if not settings.SESSION_SAVE_EVERY_REQUEST and not 0 < settings.SESSION_REFRESH_SECONDS <= 60:
        problems.append(
            Warning(
                "会话有效期的续期间隔应在1到60秒之间，否则空闲超时不准确。",
                hint="SESSION_REFRESH_SECONDS",
                id="portal.W003",
            )
        )
    if not 3 <= settings.AXES_FAILURE_LIMIT <= 10:
        problems.append(Warning("登录失败锁定次数应在3到10次之间。", hint="AXES_FAILURE_LIMIT", id="portal.W004"))
    if ["ip_address"] in settings.AXES_LOCKOUT_PARAMETERS or "ip_address" in settings.AXES_LOCKOUT_PARAMETERS:
        problems.append(Warning("登录锁定不应只按IP地址：同一出口地址的单位会被一起锁定。", id="portal.W005"))
    return problems


@register(Tags.security, deploy=True)
def check_portal_address(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """E-mails, PDF footers and QR codes carry the portal's address: a localhost one sends people nowhere."""
    address = str(getattr(settings, "PORTAL_BASE_URL", ""))
    if not address.startswith("https://") or "localhost" in address or "127.0.0.1" in address:
        return [
            Warning(
                "PORTAL_BASE_URL 未设置为平台的正式 https 地址：邮件链接、PDF核验码和二维码将指向错误地址。",
                hint="PORTAL_BASE_URL=https://talent.example.gov.cn",
                id="portal.W006",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_field_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    """ID numbers and bank accounts are encrypted with ``PORTAL_FIELD_KEYS`` and found through ``PORTAL_HMAC_KEY``
    (portal.security.crypto): without valid keys of its own, production cannot store them, or stores them under keys
    published in the repository."""
    from portal.security.crypto import field_keys, keys_problems
    from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY

    hint = "PORTAL_FIELD_KEYS=<manage.py rotate_field_keys --generate-key 的输出>，PORTAL_HMAC_KEY=<至少32个随机字符>"
    problems = [Error(problem, hint=hint, id="portal.E010") for problem in keys_problems()]
    if DEVELOPMENT_FIELD_KEY in field_keys() or str(settings.PORTAL_HMAC_KEY).strip() == DEVELOPMENT_HMAC_KEY:
        problems.append(
            Error(
                "个人信息加密使用了代码库中公开的开发密钥：生产环境必须设置自己的 PORTAL_FIELD_KEYS 和 PORTAL_HMAC_KEY。",
                hint=hint,
                id="portal.E011",
            )
        )
    return problems
