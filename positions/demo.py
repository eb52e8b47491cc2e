"""The demo posts of `make run` and `make dev`, registered with the core's demo data (``portal.demo``)."""

from __future__ import annotations

from typing import Any

from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.demo import DemoWorld, register_demo_step
from positions.models import Position, PostProposal
from positions.proposals import proposals_create
from positions.services import PositionData, batch_send, position_create, position_move


def seed_positions(world: DemoWorld) -> list[str]:
    """A few posts taken through the real services: published last 旬, waiting and drafted this 旬."""
    employer, users = world.employer, world.by_username
    if Position.objects.filter(employer=employer).exists():
        return []
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
    return []


def seed_proposals(world: DemoWorld) -> list[str]:
    """Two posts the demo employer proposed to its district, waiting for the district's clerk (单位岗位需求)."""
    employer = world.employer
    if PostProposal.objects.filter(employer=employer).exists():
        return []
    common: dict[str, Any] = {
        "employer": employer,
        "headcount": 1,
        "recruits_graduates": False,
        "competencies": "1.具有5年以上相关研发经验；\n2.主持过省部级以上科研项目者优先。",
    }
    proposals_create(
        data=[
            PositionData(
                **common,
                channel=Channel.BOUNTY_LIST,
                name="高端数控机床首席工程师",
                education=Education.DOCTOR,
                majors="机械工程、仪器科学与技术",
                salary_text="40-60万元/年",
            ),
            PositionData(
                **common,
                channel=Channel.SPECIAL_RECRUITMENT,
                name="工业软件架构师",
                education=Education.MASTER,
                majors="软件工程、计算机科学与技术",
                salary_text="面议",
            ),
        ],
        by=world.by_username["employer"],
    )
    return []


def register() -> None:
    register_demo_step(seed_positions, order=10)
    register_demo_step(seed_proposals, order=11)
