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
