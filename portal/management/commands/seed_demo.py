"""One demo account per role (docs/roles.md, "The roles"), for `make run`. Idempotent: re-running resets the demo passwords and the
demo authenticators of the accounts that need a second factor."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education, Role, ThirdPartyKind, ThirdPartyStatus
from portal.models import District, Employer, ThirdParty, User
from portal.two_factor import DEVICE_NAME

DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105  (demo accounts of the embedded, local set-up only)
#: Published TOTP secrets (base32) of the demo accounts that need a second factor (portal.two_factor): add one by hand
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
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if spec["username"] in DEMO_TOTP_SECRETS:
                self._install_demo_authenticator(user, DEMO_TOTP_SECRETS[spec["username"]])
            rows.append((spec["username"], Role(role).label, spec["display_name"]))
        if not options["without_posts"]:
            self._seed_positions(employer)
            self._seed_hires(employer, agency)
            # The last closed 旬 rolled up, so 旬汇总 has something to show before beat's next run.
            from rollups.tenday import rollup_run

            rollup_run(period=TenDayPeriod.last_closed())
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

    def _seed_positions(self, employer: Employer) -> None:
        """A few posts taken through the real services: published last 旬, waiting and drafted this 旬."""
        from positions.models import Position
        from positions.services import PositionData, batch_send, position_create, position_move

        if Position.objects.filter(employer=employer).exists():
            return
        users = {user.username: user for user in User.objects.filter(username__in=[u["username"] for u in DEMO_USERS])}
        clerk, reviewer = users["clerk_tongliang"], users["reviewer_tongliang"]
        district = employer.district
        assert district is not None

        def post(name: str, channel: str, period: TenDayPeriod, **extra: Any) -> Position:
            fields: dict[str, Any] = {
                "employer": employer,
                "channel": channel,
                "name": name,
                "headcount": 2,
                "education": Education.MASTER,
                "majors": "机械工程、控制科学与工程、计算机",
                "competencies": "1.熟悉工业机器人控制系统；\n2.具备嵌入式软件开发经验；\n3.良好的团队协作能力。",
                "recruits_graduates": True,
                "salary_text": "15-25万元/年",
            }
            return position_create(data=PositionData(**(fields | extra)), district=district, period=period, by=clerk)

        last = TenDayPeriod.current().previous()
        published = [
            post("工业机器人控制算法工程师", Channel.BOUNTY_LIST, last, headcount=3, salary_text="20万以上"),
            post("智能装备嵌入式软件工程师", Channel.SPECIAL_RECRUITMENT, last, education=Education.BACHELOR),
        ]
        for position in published:
            position_move(position=position, action="submit", by=clerk)
            position_move(position=position, action="approve", by=reviewer)
        batch_send(batch=published[0].batch, by=reviewer)
        for position in published:
            position_move(position=position, action="aggregate", by=users["centre_officer"])
            position_move(position=position, action="publish", by=users["bureau_reviewer"])
        waiting = post("机器视觉检测工程师", Channel.BOUNTY_LIST, TenDayPeriod.current(), salary_text="1.5万/月")
        position_move(position=waiting, action="submit", by=clerk)
        post("数字孪生仿真工程师", Channel.SPECIAL_RECRUITMENT, TenDayPeriod.current(), salary_text="面议")

    def _seed_hires(self, employer: Employer, agency: ThirdParty) -> None:
        """Arrivals at the published demo post, through the real services: one under publicity (on /publicity/), one
        waiting for the district's audit, one confirmed without publicity awaiting the employer's confirmation."""
        from stdnum.cn import ric

        from portal.calendar import CalendarUnknown
        from positions.models import Position
        from referrals.models import Hire
        from referrals.services import HireData, hire_exempt, hire_move, hire_record, notice_publish

        post = Position.objects.filter(employer=employer, status="published").order_by("pk").first()
        if post is None or Hire.objects.filter(position__employer=employer).exists():
            return
        users = {
            user.username: user for user in User.objects.filter(username__in=["clerk_tongliang", "reviewer_tongliang"])
        }
        clerk, reviewer = users["clerk_tongliang"], users["reviewer_tongliang"]

        def arrive(n: int, name: str, **extra: Any) -> Any:
            body = f"5001032000{n:02d}0100{n}"  # fictitious people born in 渝中区 in 2000
            fields: dict[str, Any] = {
                "position": post,
                "name": name,
                "id_number": body + ric.calc_check_digit(body + "0"),
                "mode": "full_time",
                "contract_term": "3年",
                "school": "重庆大学",
                "major": "机械工程",
                "education": Education.MASTER,
            }
            return hire_record(data=HireData(**(fields | extra)), by=clerk)

        publicised = arrive(1, "王晓明（演示）", third_party=agency)
        arrive(2, "陈思远（演示）", school="四川大学", major="控制科学与工程")
        exempt = arrive(3, "刘洋（演示）", third_party=agency, mode="flexible", education=Education.DOCTOR)
        for hire in (publicised, exempt):
            hire_move(hire=hire, action="audit", by=reviewer)
        hire_exempt(hires=[exempt], reason="柔性引进的院士团队成员，按规定不公示（演示）", by=reviewer)
        try:
            notice_publish(hires=[publicised], published_on=timezone.localdate(), title="", by=clerk)
        except CalendarUnknown as error:
            self.stderr.write(f"未发布演示公示：{error.message}")
