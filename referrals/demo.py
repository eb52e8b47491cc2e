"""The demo arrivals of `make run` and `make dev`, registered with the core's demo data (``portal.demo``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from portal.calendar import CalendarUnknown
from portal.constants import Education
from portal.demo import DemoWorld, register_demo_step
from positions.models import Position
from referrals.constants import STARTING_EXEMPTION_RULES
from referrals.declarations import DeclaredPost, PersonData, declaration_submit
from referrals.models import DeclaredPerson, Hire, PublicityExemptionRule
from referrals.services import HireData, hire_exempt, hire_move, hire_record, notice_publish


def seed_hires(world: DemoWorld) -> list[str]:
    """Arrivals at the published demo post, through the real services: one under publicity (on /publicity/), one
    waiting for the district's audit, one confirmed without publicity awaiting the employer's confirmation."""
    employer, agency, users = world.employer, world.agency, world.by_username
    post = Position.objects.filter(employer=employer, status="published").order_by("pk").first()
    if post is None or Hire.objects.filter(employer=employer).exists():
        return []
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

    # 启航 from a graduation date inside the 应届 window (last summer), 海聚 from a work history or a flexible mode.
    last_summer = datetime.date(timezone.localdate().year - 1, 6, 30)
    publicised = arrive(1, "王晓明（演示）", third_party=agency, graduated_on=last_summer)
    arrive(
        2,
        "陈思远（演示）",
        school="四川大学",
        major="控制科学与工程",
        work_experience="2018年7月至今，某汽车企业控制系统研发工程师",
    )
    exempt = arrive(
        3,
        "刘洋（演示）",
        third_party=agency,
        mode="flexible",
        education=Education.DOCTOR,
        work_experience="2012年至今，高校教授、院士团队骨干",
    )
    for hire in (publicised, exempt):
        hire_move(hire=hire, action="audit", by=reviewer)
    for name, basis, order in STARTING_EXEMPTION_RULES:
        PublicityExemptionRule.objects.get_or_create(name=name, defaults={"basis": basis, "order": order})
    rule = PublicityExemptionRule.objects.filter(active=True).order_by("order", "pk").first()
    if rule is not None:
        hire_exempt(hires=[exempt], rule=rule, note="演示", by=reviewer)
    try:
        notice_publish(hires=[publicised], published_on=timezone.localdate(), title="", by=clerk)
    except CalendarUnknown as error:
        return [f"未发布演示公示：{error.message}"]
    return []


def seed_declarations(world: DemoWorld) -> list[str]:
    """The demo agency declares two people it introduced to the demo employer, awaiting the employer's answer (its
    第三方申报待确认 page and the agency's 我的推荐申报)."""
    employer, agency = world.employer, world.agency
    declarer = next((user for user in world.users if user.third_party_id == agency.pk), None)
    if declarer is None or DeclaredPerson.objects.filter(employer=employer).exists():
        return []
    post = Position.objects.filter(employer=employer, status__in=["published", "closed"]).order_by("pk").first()

    def person(n: int, name: str, **extra: Any) -> PersonData:
        body = f"5001062001{n:02d}0200{n}"  # fictitious people born in 沙坪坝区 in 2001
        fields: dict[str, Any] = {
            "name": name,
            "id_number": body + ric.calc_check_digit(body + "0"),
            "mode": "full_time",
            "contract_term": "3年",
            "school": "重庆大学",
            "education": Education.MASTER,
        }
        return PersonData(**(fields | extra))

    declared = DeclaredPost(
        employer=employer,
        position=post,
        post_name="" if post else "智能制造工程师",
        channel="" if post else "bounty_list",
    )
    declaration_submit(
        post=declared,
        people=[
            # 启航: graduated last year (inside the default 应届 window); 海聚: a work history.
            person(1, "赵一鸣（演示）", graduated_on=datetime.date(timezone.localdate().year - 1, 6, 30)),
            person(2, "孙雨桐（演示）", major="电子信息", work_experience="2019-2025 重庆某电子科技公司 硬件工程师"),
        ],
        by=declarer,
    )
    return []


def register() -> None:
    register_demo_step(seed_hires, order=20)
    register_demo_step(seed_declarations, order=21)
