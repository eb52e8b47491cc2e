"""The subsidies app's work queues on each role's landing page."""

from __future__ import annotations

from django.urls import reverse

from portal.constants import Role
from portal.models import User
from portal.workspace import WorkQueue, register_queue_provider
from subsidies.constants import ClaimStage
from subsidies.constants import ClaimStatus as S
from subsidies.selectors import claim_status_counts, claimable_hires


def claimant_queues(user: User) -> list[WorkQueue]:
    if user.third_party is None or not user.third_party.is_verified:
        return []  # nothing to do until the talent centre has verified the account
    counts = claim_status_counts(user=user)
    url = reverse("subsidies:claim_list")
    claimable = claimable_hires(user=user).count()
    return [
        WorkQueue(
            "可申报补助的人才",
            f"可申报 {claimable} 人：经公示确认并由用人单位确认、尚未申报补助的推荐人才。",
            claimable,
            f"{reverse('subsidies:introduced_hires')}?stage={ClaimStage.CLAIMABLE}",
        ),
        WorkQueue("被退回的申报", "请按审核意见修改后重新提交。", counts[S.RETURNED], url),
        WorkQueue("未提交的申报草稿", "上传签字盖章的申报表和确认表后提交。", counts[S.DRAFT], url),
    ]


def centre_queues(user: User) -> list[WorkQueue]:
    url = reverse("subsidies:review_queue")
    return [
        WorkQueue(
            "待初审的补助申报",
            "第三方提交的引才补助申报，按等待时间排序。",
            claim_status_counts(user=user)[S.SUBMITTED],
            f"{url}?step=first",
        )
    ]


def bureau_queues(user: User) -> list[WorkQueue]:
    counts = claim_status_counts(user=user)
    url = reverse("subsidies:review_queue")
    return [
        WorkQueue(
            "待复核的补助申报", "市人才中心初审通过，复核并核定激励金额。", counts[S.FIRST_PASSED], f"{url}?step=second"
        ),
        WorkQueue(
            "待登记发放的补助",
            "已核定金额，拨付后登记发放日期和支付凭证号。",
            counts[S.APPROVED],
            f"{url}?step=payment",
        ),
    ]


def register() -> None:
    register_queue_provider(Role.THIRD_PARTY, claimant_queues)
    register_queue_provider(Role.TALENT_CENTRE, centre_queues)
    register_queue_provider(Role.BUREAU_REVIEWER, bureau_queues)
