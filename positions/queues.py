"""The positions app's work queues on each role's landing page: a post shows up where its next move is made."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from portal.constants import Role
from portal.models import User
from portal.permissions import scope_to_district
from portal.workspace import WorkQueue, register_queue_provider
from positions.constants import PositionStatus as S
from positions.models import Position


def _counts(user: User, *statuses: S) -> dict[str, int]:
    """One query: how many of the user's visible posts are in each of ``statuses``."""
    return scope_to_district(Position.objects.all(), user).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in statuses}
    )


def clerk_queues(user: User) -> list[WorkQueue]:
    counts = _counts(user, S.RETURNED, S.DRAFT)
    url = reverse("positions:district_batch")
    return [
        WorkQueue("被退回的岗位", "初审人或市级退回，请按退回原因修改后重新提交。", counts[S.RETURNED], url),
        WorkQueue("未提交的草稿", "已保存但尚未提交初审的岗位。", counts[S.DRAFT], url),
    ]


def district_reviewer_queues(user: User) -> list[WorkQueue]:
    counts = _counts(user, S.SUBMITTED, S.APPROVED)
    url = reverse("positions:district_batch")
    return [
        WorkQueue("待初审的岗位", "经办人已提交，等待您初审。", counts[S.SUBMITTED], url),
        WorkQueue("待报送的岗位", "已初审通过，随本旬岗位报送市人才中心。", counts[S.APPROVED], url),
    ]


def talent_centre_queues(user: User) -> list[WorkQueue]:
    counts = _counts(user, S.SENT)
    return [
        WorkQueue(
            "待汇总的岗位",
            "各区县按旬报送的岗位，汇总后提交流动处复核。",
            counts[S.SENT],
            reverse("positions:city_batches"),
        )
    ]


def bureau_queues(user: User) -> list[WorkQueue]:
    counts = _counts(user, S.AGGREGATED)
    return [
        WorkQueue(
            "待复核发布的岗位",
            "市人才中心已汇总，复核后发布到岗位榜单。",
            counts[S.AGGREGATED],
            reverse("positions:city_batches"),
        )
    ]


def register() -> None:
    register_queue_provider(Role.DISTRICT_CLERK, clerk_queues)
    register_queue_provider(Role.DISTRICT_REVIEWER, district_reviewer_queues)
    register_queue_provider(Role.TALENT_CENTRE, talent_centre_queues)
    register_queue_provider(Role.BUREAU_REVIEWER, bureau_queues)
