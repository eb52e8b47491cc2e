"""Writes of the positions app: create and edit posts, move them along ``positions.workflow``, send batches."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal import limits
from portal import permissions as p
from portal.audit.recording import as_read, audited_against, set_actor
from portal.calendar import TenDayPeriod
from portal.concurrency import require_unchanged
from portal.constants import Channel, Education
from portal.errors import PermissionDenied, PortalError
from portal.models import District, Employer, User
from portal.workflow import check_move
from positions.constants import BatchStatus, PositionSource, PositionStatus
from positions.models import Position, PositionBatch
from positions.salary import parse_salary
from positions.workflow import EDITABLE, MOVES

# TextChoices.values builds a new list on every access; imports call clean() once per row.
_CHANNELS = frozenset(Channel.values)
_EDUCATIONS = frozenset(Education.values)


@dataclass(frozen=True)
class PositionData:
    """The Annex 1 fields a clerk fills, in the annex's order."""

    employer: Employer
    channel: str
    name: str
    headcount: int
    education: str
    majors: str
    competencies: str
    recruits_graduates: bool
    salary_text: str

    def clean(self) -> PositionData:
        name = " ".join(self.name.split())
        if not name:
            raise PortalError("请填写岗位名称。", "required", field="name")
        if self.channel not in _CHANNELS:
            raise PortalError("渠道只能是“揭榜招贤”或“引才专项”。", "invalid_channel", field="channel")
        if self.education not in _EDUCATIONS:
            raise PortalError("学历要求只能是大专、本科、硕士、博士或不限。", "invalid_education", field="education")
        if self.headcount < limits.HEADCOUNT.min_value:
            raise PortalError(limits.HEADCOUNT.error_messages["min_value"], "invalid_headcount", field="headcount")
        if self.headcount > limits.HEADCOUNT.max_value:
            raise PortalError(limits.HEADCOUNT.error_messages["max_value"], "invalid_headcount", field="headcount")
        if not self.majors.strip():
            raise PortalError("请填写专业要求。", "required", field="majors")
        return PositionData(
            employer=self.employer,
            channel=self.channel,
            name=name,
            headcount=self.headcount,
            education=self.education,
            majors=self.majors.strip(),
            competencies=self.competencies.strip(),
            recruits_graduates=self.recruits_graduates,
            salary_text=self.salary_text.strip(),
        )

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def education_label(self) -> str:
        return str(Education(self.education).label)

    def as_fields(self) -> dict[str, Any]:
        salary = parse_salary(self.salary_text)
        return {
            "employer": self.employer,
            "channel": self.channel,
            "name": self.name,
            "headcount": self.headcount,
            "education": self.education,
            "majors": self.majors,
            "competencies": self.competencies,
            "recruits_graduates": self.recruits_graduates,
            "salary_text": self.salary_text,
            "salary_min": salary.minimum,
            "salary_max": salary.maximum,
        }


def batch_get_open(*, district: District, period: TenDayPeriod) -> PositionBatch:
    """The district's batch for ``period``, created on first use; refused once sent (a sent batch is frozen)."""
    batch, _ = PositionBatch.objects.get_or_create(district=district, period=str(period))
    if batch.status != BatchStatus.OPEN:
        raise PortalError(
            f"{district}{period.label}的岗位已报送，不能再修改；如需补报，请联系市人社局流动处重新开放。", "batch_sent"
        )
    return batch


def batch_open_from(*, district: District, period: TenDayPeriod) -> PositionBatch:
    """The district's first open batch from ``period`` on, created if need be: where a post moves when its own
    batch is no longer open (returned by the city, or carried over by a send). A batch already sent is skipped —
    the district may have sent the running 旬 early — so the post never lands in a frozen batch."""
    while True:
        batch, _ = PositionBatch.objects.get_or_create(district=district, period=str(period))
        if batch.status == BatchStatus.OPEN:
            return batch
        period = period.next()


def batch_ensure(*, district: District, period: TenDayPeriod) -> PositionBatch | None:
    """The district's batch of ``period``, created for a 旬 that has begun (it must exist to be sent, even
    empty as a zero report); never created for a future 旬, which has no batch until it starts."""
    if period > TenDayPeriod.current():
        return PositionBatch.objects.filter(district=district, period=str(period)).first()
    batch, _ = PositionBatch.objects.get_or_create(district=district, period=str(period))
    return batch


def _require_clerk_of(user: User, district: District) -> None:
    if not (p.is_district_clerk.test(user) and user.district_id == district.pk):
        raise PermissionDenied("只有本区县的经办人可以填报岗位。")


def _require_employer_of(employer: Employer, district: District) -> None:
    """A district fills posts for its own employers. The form offers no other; the API names one by id, so the
    rule is here, where every way in meets it."""
    if employer.district_id != district.pk:
        raise PortalError(
            "所选用人单位不属于本区县。请选择本区县的用人单位；如单位所在区县有误，请联系管理员核对。",
            "employer_other_district",
            field="employer",
        )


@transaction.atomic
def position_create(
    *, data: PositionData, district: District, period: TenDayPeriod, by: User, source: str = PositionSource.FORM
) -> Position:
    _require_clerk_of(by, district)
    batch = batch_get_open(district=district, period=period)
    clean = data.clean()
    _require_employer_of(clean.employer, district)
    if Position.objects.filter(batch=batch, employer=clean.employer, channel=clean.channel, name=clean.name).exists():
        raise PortalError(
            f"{clean.employer}在本旬已有同名的“{Channel(clean.channel).label}”岗位：{clean.name}。", "duplicate"
        )
    with set_actor(by):
        return Position.objects.create(
            **clean.as_fields(),
            district=district,
            batch=batch,
            created_by=by,
            source=source,
            status=PositionStatus.DRAFT,
        )


@transaction.atomic
def position_update(
    *, position: Position, data: PositionData, by: User, opened_at: datetime.datetime | None = None
) -> Position:
    """The clerk's save of a post's Annex 1 form. ``opened_at``: the post's ``updated_at`` when the form was opened
    (the page form passes it): a post saved since is not overwritten (``portal.concurrency``)."""
    # The post's row is locked (``of``: not its district's, which the check only reads).
    position = Position.objects.select_for_update(of=("self",)).select_related("district").get(pk=position.pk)
    row_as_read = as_read(position)  # what the audit entry diffs against: the row as read under the lock
    _require_clerk_of(by, position.district)
    if position.status not in EDITABLE:
        raise PortalError(f"岗位当前状态为“{position.get_status_display()}”，不能修改。", "not_editable")
    require_unchanged(position.updated_at, opened_at, what="该岗位")
    clean = data.clean()
    _require_employer_of(clean.employer, position.district)
    duplicate = Position.objects.filter(
        batch_id=position.batch_id, employer=clean.employer, channel=clean.channel, name=clean.name
    ).exclude(pk=position.pk)
    if duplicate.exists():
        raise PortalError(
            f"{clean.employer}在本旬已有同名的“{Channel(clean.channel).label}”岗位：{clean.name}。", "duplicate"
        )
    for field, value in clean.as_fields().items():
        setattr(position, field, value)
    with set_actor(by), audited_against(row_as_read):
        position.save()
    return position


@transaction.atomic
def position_move(*, position: Position, action: str, by: User, reason: str = "") -> Position:
    """Make one move of ``positions.workflow.MOVES``. Locks the row: two reviewers at once give one move."""
    position = Position.objects.select_for_update().select_related("batch").get(pk=position.pk)
    move = check_move(MOVES, action=action, obj=position, by=by, reason=reason, subject=position.name)
    reason = reason.strip()
    position.status = move.target
    if move.target == PositionStatus.RETURNED:
        position.return_reason = reason
        if position.batch.status != BatchStatus.OPEN:
            # Returned from the city: the correction goes up in the district's running 旬, or the first later one
            # still open if the district has already sent it.
            position.batch = batch_open_from(district=position.district, period=TenDayPeriod.current())
    elif move.target == PositionStatus.PUBLISHED:
        position.published_at = timezone.now()
    elif move.target == PositionStatus.CLOSED:
        position.close_reason = "filled" if action == "close_filled" else "withdrawn"
        position.return_reason = reason
    with set_actor(by):
        position.save()
    return position


def position_move_many(*, positions: list[Position], action: str, by: User, reason: str = "") -> list[Position]:
    """The same move on several posts, all or nothing (the reviewer's 批量审核)."""
    with transaction.atomic():
        return [position_move(position=position, action=action, by=by, reason=reason) for position in positions]


@transaction.atomic
def batch_send(*, batch: PositionBatch, by: User) -> PositionBatch:
    """Send a district's 旬 batch to the talent centre. No approved post → a zero report (零报告).

    Posts still waiting for the reviewer block the send (the clerk submitted them for this 旬: sending past them
    would delay them unseen); drafts and returned posts move on to the next 旬. A 旬 not yet begun is not sent.
    """
    batch = PositionBatch.objects.select_for_update().get(pk=batch.pk)
    if not (p.is_district_reviewer.test(by) and by.district_id == batch.district_id):
        raise PermissionDenied("只有本区县的初审人可以报送旬报。")
    if batch.status != BatchStatus.OPEN:
        raise PortalError("该旬报已报送，请勿重复报送。", "already_sent")
    period = batch.ten_day_period
    if period > TenDayPeriod.current():
        raise PortalError(f"{period.label}尚未开始，不能报送。", "period_not_started")
    positions = batch.positions.all()
    waiting = positions.filter(status=PositionStatus.SUBMITTED).count()
    if waiting:
        raise PortalError(
            f"尚有{waiting}个岗位待初审：请先逐个初审通过或退回修改，再报送{period.label}的岗位。", "pending_review"
        )
    carried = list(positions.filter(status__in=EDITABLE))
    if carried:
        next_batch = batch_open_from(district=batch.district, period=max(period.next(), TenDayPeriod.current()))
        with set_actor(by):
            for position in carried:
                position.batch = next_batch
                position.save(update_fields=["batch", "updated_at"])
    approved = list(positions.filter(status=PositionStatus.APPROVED))
    with set_actor(by):
        for position in approved:
            position.status = PositionStatus.SENT
            position.save(update_fields=["status", "updated_at"])
        batch.status = BatchStatus.SENT
        batch.is_zero_report = not approved
        batch.sent_at = timezone.now()
        batch.sent_by = by
        batch.save()
    return batch


@transaction.atomic
def batch_reopen(*, batch: PositionBatch, by: User, reason: str) -> PositionBatch:
    batch = PositionBatch.objects.select_for_update().get(pk=batch.pk)
    if not p.is_bureau_reviewer.test(by):
        raise PermissionDenied("只有市人社局流动处可以重新开放已报送的旬报。")
    if batch.status != BatchStatus.SENT:
        raise PortalError("该旬报尚未报送，无需重新开放。", "not_sent")
    if not reason.strip():
        raise PortalError("重新开放旬报须填写原因。", "reason_required", field="reason")
    with set_actor(by):
        batch.status = BatchStatus.OPEN
        batch.is_zero_report = False
        batch.reopened_reason = reason.strip()
        batch.save()
    return batch
