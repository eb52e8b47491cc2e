"""Each role's landing page: its work queues (a count and the page that lists those items with their buttons)
and links to the pages it works on without a queue. Apps register both in their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.constants import Role
from portal.models import User


@dataclass(frozen=True)
class WorkQueue:
    title: str
    description: str
    count: int
    url: str | None = None


@dataclass(frozen=True)
class WorkLink:
    """A page the role works on that has no queue to count, e.g. the admin's imports."""

    title: str
    description: str
    url: str


QueueProvider = Callable[[User], list[WorkQueue]]
LinkProvider = Callable[[User], list[WorkLink]]

#: role → the functions that list its queues. Apps register providers in their AppConfig.ready().
_providers: dict[str, list[QueueProvider]] = {role.value: [] for role in Role}
_link_providers: dict[str, list[LinkProvider]] = {role.value: [] for role in Role}

#: What each role does, shown on its landing page until its queues fill it (docs/roles.md, "The roles").
ROLE_DUTIES: dict[str, str] = {
    Role.DISTRICT_CLERK: "填报本区县岗位需求（附件1），登记实际到岗人员（附件3），组织公示并处理异议。",
    Role.DISTRICT_REVIEWER: "初审本区县岗位和到岗人员，审核后按旬报送市人才中心。",
    Role.TALENT_CENTRE: "按旬汇总各区县报送的岗位与人员；初审、公示所在区县未定的人才基地引进的人员；初审第三方引才补助申报。",
    Role.BUREAU_REVIEWER: "复核岗位并发布榜单；复核引才补助申报并核定激励金额；查看汇总与考核。",
    Role.THIRD_PARTY: "查看已发布的岗位榜单，为成功引进的人才在线申报引才补助并跟踪审核进度。",
    Role.EMPLOYER: "确认第三方为本单位引进的人才（附件3确认），向所在区县提出岗位需求。",
    Role.ADMIN: "导入Excel表格，维护用户、区县、节假日安排、补助上限与年度目标。",
}


def register_queue_provider(role: Role, provider: QueueProvider) -> None:
    if provider not in _providers[role.value]:
        _providers[role.value].append(provider)


def work_queues_for(user: User) -> list[WorkQueue]:
    return [queue for provider in _providers.get(user.role, []) for queue in provider(user)]


def register_link_provider(role: Role, provider: LinkProvider) -> None:
    if provider not in _link_providers[role.value]:
        _link_providers[role.value].append(provider)


def work_links_for(user: User) -> list[WorkLink]:
    return [link for provider in _link_providers.get(user.role, []) for link in provider(user)]
