"""The positions app's work queues on each role's landing page: a post shows up where its next move is made.

Each card counts posts whatever their 旬 and opens the page that lists those same posts with their buttons: the
district's queue pages (``positions:district_queue``) and the city's page of posts waiting for it."""

from __future__ import annotations

from django.urls import reverse

from portal.constants import Role
from portal.models import User
from portal.workspace import WorkLink, WorkQueue, register_link_provider, register_queue_provider
from positions.constants import PositionStatus as S
from positions.selectors import (
    CLERK_QUEUES,
    REVIEWER_QUEUES,
    position_queue_counts,
    proposal_returned_count,
    proposal_waiting_count,
)


def _queue_url(status: S) -> str:
    return reverse("positions:district_queue", kwargs={"status": status.value})


def clerk_queues(user: User) -> list[WorkQueue]:
    counts = position_queue_counts(user=user, statuses=CLERK_QUEUES)
    return [
        WorkQueue(
            "被退回的岗位",
            "初审人或市级退回，请按退回原因修改后重新提交。",
            counts[S.RETURNED],
            _queue_url(S.RETURNED),
        ),
        WorkQueue("未提交的草稿", "已保存但尚未提交初审的岗位。", counts[S.DRAFT], _queue_url(S.DRAFT)),
    ]


def clerk_proposal_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "单位提出的岗位需求",
            "本区县用人单位提出的岗位需求，请核对后采纳到本旬岗位，或写明原因退回。",
            proposal_waiting_count(user=user),
            reverse("positions:proposal_queue"),
        )
    ]


def employer_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "被退回的岗位需求",
            "区县退回的岗位需求，请按退回原因修改后重新提出。",
            proposal_returned_count(user=user),
            reverse("positions:proposal_list"),
        )
    ]


def employer_links(user: User) -> list[WorkLink]:
    return [
        WorkLink(
            "提出岗位需求",
            "按附件1填写本单位的岗位需求（逐个填写或上传岗位表），提交给所在区县，并查看区县的处理结果。",
            reverse("positions:proposal_list"),
        )
    ]


def district_reviewer_queues(user: User) -> list[WorkQueue]:
    counts = position_queue_counts(user=user, statuses=REVIEWER_QUEUES)
    return [
        WorkQueue("待初审的岗位", "经办人已提交，等待您初审。", counts[S.SUBMITTED], _queue_url(S.SUBMITTED)),
        WorkQueue(
            "待报送的岗位",
            "已初审通过，随所在旬的岗位报送市人才中心。",
            counts[S.APPROVED],
            _queue_url(S.APPROVED),
        ),
    ]


def talent_centre_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "待汇总的岗位",
            "各区县按旬报送的岗位，汇总后提交流动处复核。",
            position_queue_counts(user=user, statuses=(S.SENT,))[S.SENT],
            reverse("positions:city_batches"),
        )
    ]


def bureau_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "待复核发布的岗位",
            "市人才中心已汇总，复核后发布到岗位榜单。",
            position_queue_counts(user=user, statuses=(S.AGGREGATED,))[S.AGGREGATED],
            reverse("positions:city_batches"),
        )
    ]


def admin_links(user: User) -> list[WorkLink]:
    return [
        WorkLink(
            "导入岗位表（附件1）",
            "上传《卓越工程师岗位表》，选择区县和旬，预览每一行后整表导入；页面上可下载空白表格。",
            reverse("positions:import"),
        )
    ]


def register() -> None:
    register_link_provider(Role.ADMIN, admin_links)
    register_queue_provider(Role.DISTRICT_CLERK, clerk_queues)
    register_queue_provider(Role.DISTRICT_CLERK, clerk_proposal_queues)
    register_queue_provider(Role.EMPLOYER, employer_queues)
    register_link_provider(Role.EMPLOYER, employer_links)
    register_queue_provider(Role.DISTRICT_REVIEWER, district_reviewer_queues)
    register_queue_provider(Role.TALENT_CENTRE, talent_centre_queues)
    register_queue_provider(Role.BUREAU_REVIEWER, bureau_queues)
