from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from referrals.constants import IntroductionStage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待初审")
    RETURNED = "returned", _("退回修改")
    FIRST_PASSED = "first_passed", _("待复核")
    APPROVED = "approved", _("已核定待发放")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("不予支持")
    WITHDRAWN = "withdrawn", _("已撤回")


#: A claim in one of these holds its hires: no other claim may include them. Rejected and withdrawn ones release them.
LIVE_STATUSES = frozenset(
    {
        ClaimStatus.DRAFT,
        ClaimStatus.SUBMITTED,
        ClaimStatus.RETURNED,
        ClaimStatus.FIRST_PASSED,
        ClaimStatus.APPROVED,
        ClaimStatus.PAID,
    }
)
#: The third party may still change these.
EDITABLE_STATUSES = frozenset({ClaimStatus.DRAFT, ClaimStatus.RETURNED})


class AttachmentKind(models.TextChoices):
    ANNEX_2 = "annex2", _("附件2 引进补助申报表（签字盖章扫描件）")
    ANNEX_3 = "annex3", _("附件3 用人单位引进人才确认表（盖章扫描件）")
    OTHER = "other", _("其他证明材料")


#: Both signed annexes are needed before a claim can be submitted.
REQUIRED_ATTACHMENTS = (AttachmentKind.ANNEX_2, AttachmentKind.ANNEX_3)


class ClaimAction(models.TextChoices):
    CREATE = "create", _("保存草稿")
    SUBMIT = "submit", _("提交申报")
    WITHDRAW = "withdraw", _("撤回申报")
    FIRST_PASS = "first_pass", _("初审通过")
    FIRST_RETURN = "first_return", _("初审退回修改")
    FIRST_REJECT = "first_reject", _("初审不予支持")
    APPROVE = "approve", _("复核核定")
    SECOND_RETURN = "second_return", _("复核退回修改")
    SECOND_REJECT = "second_reject", _("复核不予支持")
    PAY = "pay", _("登记发放")


#: The events after whose commit both papers are rendered and stored: the submission (again after a correction) and
#: every decision of the reviewers. Not the draft's creation, not the claimant's withdrawal.
STORED_ACTIONS = frozenset(
    {
        ClaimAction.SUBMIT,
        ClaimAction.FIRST_PASS,
        ClaimAction.FIRST_RETURN,
        ClaimAction.FIRST_REJECT,
        ClaimAction.APPROVE,
        ClaimAction.SECOND_RETURN,
        ClaimAction.SECOND_REJECT,
        ClaimAction.PAY,
    }
)


#: Where a claim waits, who acts there and how long that office takes, in working days (the portal's service
#: commitment shown on the claimant's progress view; not a figure from the notice).
STEP_OFFICES: dict[str, tuple[str, int]] = {
    ClaimStatus.SUBMITTED: ("市人才交流服务中心（初审）", 10),
    ClaimStatus.FIRST_PASSED: ("市人力社保局流动处（复核）", 10),
    ClaimStatus.APPROVED: ("市人力社保局（拨付）", 15),
    ClaimStatus.RETURNED: ("申报人（按退回意见修改后重新提交）", 0),
}


class ClaimStage(models.TextChoices):
    """The last two stages of an introduced hire, as its third party follows it: on top of ``IntroductionStage``."""

    CLAIMABLE = "claimable", _("可申报")
    CLAIMED = "claimed", _("已申报")


#: Every stage of an introduced hire in the order it goes through them (the third party's 我推荐的人才), then the
#: two ends that stop it. 已确认 is a confirmed hire its third party cannot claim yet (registration not verified).
INTRODUCED_STAGES: tuple[tuple[str, StrOrPromise], ...] = (
    (IntroductionStage.RECORDED, IntroductionStage.RECORDED.label),
    (IntroductionStage.AUDITED, IntroductionStage.AUDITED.label),
    (IntroductionStage.IN_PUBLICITY, IntroductionStage.IN_PUBLICITY.label),
    (IntroductionStage.AWAITING_EMPLOYER, IntroductionStage.AWAITING_EMPLOYER.label),
    (IntroductionStage.CONFIRMED, IntroductionStage.CONFIRMED.label),
    (ClaimStage.CLAIMABLE, ClaimStage.CLAIMABLE.label),
    (ClaimStage.CLAIMED, ClaimStage.CLAIMED.label),
    (IntroductionStage.EMPLOYER_DECLINED, IntroductionStage.EMPLOYER_DECLINED.label),
    (IntroductionStage.FAILED, IntroductionStage.FAILED.label),
)
