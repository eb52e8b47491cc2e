"""The demo posts of `make run` and `make dev`, registered with the core's demo data (``portal.demo``)."""

from __future__ import annotations

from typing import Any

from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.demo import DemoWorld, register_demo_step
from positions.models import Position
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


def register() -> None:
    register_demo_step(seed_positions, order=10)
