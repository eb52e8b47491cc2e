"""One demo account per role (docs/roles.md, "The roles"), for `make run`. Idempotent: re-running resets the demo passwords and the
demo authenticators of the accounts that need a second factor."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.constants import Role, ThirdPartyKind, ThirdPartyStatus
from portal.demo import DemoWorld, demo_steps
from portal.models import District, Employer, ThirdParty, User
from portal.two_factor.services import DEVICE_NAME

DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105  (demo accounts of the embedded, local set-up only)
#: Published TOTP secrets (base32) of the demo accounts that need a second factor (portal.two_factor.services): add one by hand
#: to an authenticator app, or run `manage.py demo_totp <username>`. Demo only: a real account enrols a random secret.
DEMO_TOTP_SECRETS = {
    "centre_officer": "CENTREOFFICERDEMOTOTPSECRETQIHAN",
    "bureau_reviewer": "BUREAUREVIEWERDEMOTOTPSECRETHAIJ",
    "admin": "ADMINISTRATORDEMOTOTPSECRETPORTA",
}

# Valid check characters, computed with python-stdnum; the organisations are fictitious.
DEMO_EMPLOYER = {"name": "重庆示范智能装备有限公司（演示）", "credit_code": "91500151MA5U00000X", "district": "500151"}
DEMO_AGENCY = {"name": "重庆示范人力资源服务有限公司（演示）", "credit_code": "91500103MA5U00000D"}

DEMO_USERS: tuple[dict[str, Any], ...] = (
    {
        "username": "clerk_tongliang",
        "display_name": "铜梁区经办人（演示）",
        "role": Role.DISTRICT_CLERK,
        "district": "500151",
    },
    {
        "username": "reviewer_tongliang",
        "display_name": "铜梁区初审人（演示）",
        "role": Role.DISTRICT_REVIEWER,
        "district": "500151",
    },
    {
        "username": "clerk_yuzhong",
        "display_name": "渝中区经办人（演示）",
        "role": Role.DISTRICT_CLERK,
        "district": "500103",
    },
    {"username": "centre_officer", "display_name": "市人才中心经办人（演示）", "role": Role.TALENT_CENTRE},
    {"username": "bureau_reviewer", "display_name": "市人社局流动处复核人（演示）", "role": Role.BUREAU_REVIEWER},
    {"username": "headhunter", "display_name": "荐才机构联系人（演示）", "role": Role.THIRD_PARTY},
    {"username": "employer", "display_name": "用人单位联系人（演示）", "role": Role.EMPLOYER},
    {"username": "admin", "display_name": "系统管理员（演示）", "role": Role.ADMIN},
)


DEMO_USERNAMES = [spec["username"] for spec in DEMO_USERS]


class Command(BaseCommand):
    help = "创建每个角色的演示账号（仅用于本地演示环境）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--without-posts", action="store_true", help="只创建账号，不创建演示岗位（浏览器测试从空白开始）。"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        employer, _ = Employer.objects.update_or_create(
            name=DEMO_EMPLOYER["name"],
            defaults={
                "credit_code": DEMO_EMPLOYER["credit_code"],
                "district": District.objects.get(code=DEMO_EMPLOYER["district"]),
                "contact_name": "张经理",
                "contact_phone": "023-45678901",
            },
        )
        agency, _ = ThirdParty.objects.update_or_create(
            credit_code=DEMO_AGENCY["credit_code"],
            defaults={
                "kind": ThirdPartyKind.AGENCY,
                "name": DEMO_AGENCY["name"],
                "contact_name": "李顾问",
                "phone": "13800000000",
                "bank_name": "重庆农村商业银行铜梁支行",
                "bank_account": "6230000000000000001",
            },
        )
        if not agency.is_verified:
            # Verified by the demo talent centre, so the headhunter account can claim straight away.
            agency.status, agency.verified_at = ThirdPartyStatus.VERIFIED, timezone.now()
            agency.status_since = agency.verified_at
            agency.save(update_fields=["status", "status_since", "verified_at"])
        rows = []
        for spec in DEMO_USERS:
            role = spec["role"]
            user, _ = User.objects.update_or_create(
                username=spec["username"],
                defaults={
                    "display_name": spec["display_name"],
                    "role": role,
                    "district": District.objects.get(code=spec["district"]) if "district" in spec else None,
                    "employer": employer if role == Role.EMPLOYER else None,
                    "third_party": agency if role == Role.THIRD_PARTY else None,
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                    "is_active": True,
                    # The demo password is published and shared: nobody is made to change it.
                    "must_change_password": False,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if spec["username"] in DEMO_TOTP_SECRETS:
                self._install_demo_authenticator(user, DEMO_TOTP_SECRETS[spec["username"]])
            rows.append((spec["username"], Role(role).label, spec["display_name"]))
        if not options["without_posts"]:
            world = DemoWorld(employer=employer, agency=agency, users=User.objects.filter(username__in=DEMO_USERNAMES))
            for step in demo_steps():
                for note in step(world):
                    self.stderr.write(note)
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        for username, role_label, name in rows:
            self.stdout.write(f"  {username:<20} {role_label:<14} {name}")
        self.stdout.write(
            "centre_officer、bureau_reviewer、admin 输入密码后还需6位动态验证码（双因素认证）："
            "另开终端运行 `.venv/bin/python manage.py demo_totp <用户名>` 显示当前验证码，"
            "或在手机身份验证器中手动添加 README 所列的演示密钥。"
        )

    @staticmethod
    def _install_demo_authenticator(user: User, secret: str) -> None:
        """A confirmed TOTP device with the published demo secret, as if the person had enrolled that phone.
        Re-running keeps ``last_t``, so a code already used stays used."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        key = base64.b32decode(secret).hex()
        TOTPDevice.objects.filter(user=user).exclude(name=DEVICE_NAME, key=key).delete()
        TOTPDevice.objects.update_or_create(user=user, name=DEVICE_NAME, defaults={"key": key, "confirmed": True})
