"""`manage.py demo_totp <username>`: the current second-factor code of a demo account, for trying `make run`.

Only the published demo secrets of ``seed_demo`` are read: for any other account the command refuses, so it is no
way round a real person's authenticator even for someone with a shell on the server.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.management.commands.seed_demo import DEMO_TOTP_SECRETS
from portal.two_factor.services import code_at


class Command(BaseCommand):
    help = "显示演示账号（centre_officer、bureau_reviewer、admin）当前的6位动态验证码。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="演示账号的用户名，如 centre_officer。")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        secret = DEMO_TOTP_SECRETS.get(username)
        if secret is None:
            names = "、".join(DEMO_TOTP_SECRETS)
            raise CommandError(f"只显示演示账号的验证码（{names}）；其他账号请使用本人手机上的身份验证器。")
        key = base64.b32decode(secret).hex()
        device = TOTPDevice.objects.filter(user__username=username, key=key, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} 没有演示身份验证器：请先运行 `manage.py seed_demo`。")
        now = time.time()
        remaining = device.step - int(now - device.t0) % device.step
        self.stdout.write(code_at(device, now))
        self.stderr.write(f"{username} 的当前验证码，还剩 {remaining} 秒；每个验证码只能使用一次，用过请等待下一个。")
