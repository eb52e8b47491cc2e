"""The project's own deployment checks, run by ``manage.py check --deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_session_and_lockout(app_configs: Any, **kwargs: Any) -> list[Warning]:
    problems = []
    if settings.SESSION_COOKIE_AGE > 30 * 60:
        problems.append(Warning("会话空闲超时超过30分钟。", hint="SESSION_IDLE_SECONDS ≤ 1800", id="portal.W001"))
    if settings.SESSION_ABSOLUTE_SECONDS > 12 * 60 * 60:
        problems.append(Warning("会话总时长超过12小时。", hint="SESSION_ABSOLUTE_SECONDS ≤ 43200", id="portal.W002"))
    if not settings.SESSION_SAVE_EVERY_REQUEST:
        problems.append(Warning("空闲超时需要 SESSION_SAVE_EVERY_REQUEST = True。", id="portal.W003"))
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
