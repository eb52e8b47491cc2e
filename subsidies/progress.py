"""The claimant's progress view: each step of the claim, the office responsible, when the claim arrived there,
when it left, and by when that office expects to have acted (its commitment in working days)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from portal.calendar import CalendarUnknown, nth_working_day
from portal.dates import prose_date
from subsidies.constants import STEP_OFFICES, ClaimAction, ClaimStatus
from subsidies.models import Claim, ClaimEvent


@dataclass(frozen=True)
class Step:
    label: str
    office: str
    state: str  # "done", "current", "pending", "stopped"
    arrived_at: datetime.datetime | None = None
    left_at: datetime.datetime | None = None
    expected_by: datetime.date | None = None
    note: str = ""


def _expected(arrived: datetime.datetime, status: str) -> tuple[datetime.date | None, str]:
    days = STEP_OFFICES.get(status, ("", 0))[1]
    if not days:
        return None, ""
    try:
        return nth_working_day(timezone.localdate(arrived) + datetime.timedelta(days=1), days), ""
    except CalendarUnknown:
        return None, "（该年度节假日安排尚未录入，暂无法计算）"


#: The path of a claim that goes well, with the status that means "waiting at this step".
_PATH = (
    ("提交申报", "申报人", ClaimStatus.DRAFT),
    ("初审", STEP_OFFICES[ClaimStatus.SUBMITTED][0], ClaimStatus.SUBMITTED),
    ("复核、核定金额", STEP_OFFICES[ClaimStatus.FIRST_PASSED][0], ClaimStatus.FIRST_PASSED),
    ("拨付", STEP_OFFICES[ClaimStatus.APPROVED][0], ClaimStatus.APPROVED),
)
_LEAVES = {
    ClaimStatus.DRAFT: {ClaimAction.SUBMIT},
    ClaimStatus.SUBMITTED: {ClaimAction.FIRST_PASS, ClaimAction.FIRST_RETURN, ClaimAction.FIRST_REJECT},
    ClaimStatus.FIRST_PASSED: {ClaimAction.APPROVE, ClaimAction.SECOND_RETURN, ClaimAction.SECOND_REJECT},
    ClaimStatus.APPROVED: {ClaimAction.PAY},
}


def claim_progress(claim: Claim, events: list[ClaimEvent]) -> list[Step]:
    """Steps of the claim's latest round (a returned claim starts again at the first review when resubmitted)."""
    last_submit = max((i for i, e in enumerate(events) if e.action == ClaimAction.SUBMIT), default=None)
    round_events = events[last_submit:] if last_submit is not None else events
    steps: list[Step] = []
    for label, office, waiting in _PATH:
        arrived = next((e.at for e in round_events if e.to_status == waiting), None)
        if waiting == ClaimStatus.DRAFT:
            arrived = claim.created_at
        left = next((e.at for e in round_events if e.action in _LEAVES[waiting] and e.from_status == waiting), None)
        if claim.status == waiting and waiting != ClaimStatus.DRAFT:
            expected, note = _expected(claim.status_since, waiting)
            steps.append(Step(label, office, "current", claim.status_since, None, expected, note))
        elif waiting == ClaimStatus.DRAFT and claim.status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED):
            note = "已退回，请按意见修改后重新提交。" if claim.status == ClaimStatus.RETURNED else "草稿，尚未提交。"
            steps.append(Step(label, office, "current", claim.status_since, None, None, note))
        elif left is not None:
            steps.append(Step(label, office, "done", arrived, left))
        else:
            steps.append(Step(label, office, "pending"))
    if claim.status in (ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN):
        steps.append(Step(claim.get_status_display(), "", "stopped", claim.status_since))
    elif claim.status == ClaimStatus.PAID:
        steps.append(Step("已发放", "", "done", claim.status_since, note=f"发放日期：{prose_date(claim.paid_on)}"))
    return steps


def claimant_next_step(claim: Claim) -> str:
    """What the claimant can still do with the claim in its state, or that nothing is left for it to do: the
    claimant's page says only this (a paid claim does not ask for signatures any more)."""
    status = claim.status
    if status == ClaimStatus.DRAFT:
        return "请下载申报表（附件2）和确认表（附件3），签字盖章后扫描上传，勾选三项承诺后提交申报。"
    if status == ClaimStatus.RETURNED:
        return (
            "申报已退回修改：请按办理记录中的意见修改；如修改了人员或金额，请重新下载申报表和确认表，"
            "签字盖章后上传新的扫描件，再重新提交。"
        )
    if status == ClaimStatus.SUBMITTED:
        return "申报已提交，等待市人才交流服务中心初审，审核期间不能修改。如需更正，可先撤回申报。"
    if status == ClaimStatus.FIRST_PASSED:
        return "初审已通过，等待市人力社保局流动处复核并核定激励金额，您无需操作。"
    if status == ClaimStatus.APPROVED:
        return f"已核定激励金额{claim.approved_total:,.2f}元，等待拨付，您无需操作。"
    if status == ClaimStatus.PAID:
        return f"补助{claim.approved_total:,.2f}元已于{claim.paid_on:%Y年%-m月%-d日}发放，申报办理完毕，您无需操作。"
    if status == ClaimStatus.REJECTED:
        return "申报不予支持，办理结束，原因见办理记录。其中人员已释放，如有新的材料可重新申报。"
    return "申报已撤回，其中人员可重新申报。"
