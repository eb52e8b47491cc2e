"""Writes of employers' post proposals (向所在区县提出岗位需求, docs/workflows.md, "Employers' post proposals").

An employer fills the Annex 1 fields of its own posts — by the form, the API or its own Annex 1 sheet — and they go to
its district as proposals (``PostProposal``). The district's clerk adopts one into the district's running 旬 batch,
through ``positions.services.position_create`` (a draft of the clerk's, which then travels like any post), or returns
it with a reason; the employer withdraws a proposal still waiting, or corrects and proposes again a returned one.
Every move is a row of ``positions.workflow.PROPOSAL_MOVES``, checked here after locking the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import permissions as p
from portal.audit.recording import set_actor
from portal.calendar import TenDayPeriod
from portal.constants import Channel, NotificationKind, Role
from portal.errors import PermissionDenied, PortalError
from portal.imports.sheets import PortalImportError, SheetFile
from portal.models import District, Employer, User
from portal.notifications.services import notify_many
from portal.workflow import check_move
from positions.constants import PositionSource, ProposalStatus
from positions.importing import ImportPreview, analyse_proposal_rows, read_sheet
from positions.models import Position, PostProposal
from positions.services import PositionData, position_create
from positions.workflow import PROPOSAL_MOVES

#: An employer proposes its own posts, a handful at a time; a longer sheet is a district's job, not a proposal.
MAX_SHEET_ROWS = 200

NO_DISTRICT = "您的单位尚未登记所在区县，请联系系统管理员。"


def proposer_employer(user: User) -> Employer:
    """The employer ``user`` proposes for, or the refusal: an employer account only, of an employer that has a
    district (the proposal has nowhere to go otherwise)."""
    employer = user.employer if p.is_employer.test(user) else None
    if employer is None:
        raise PermissionDenied("只有用人单位可以提出岗位需求。")
    if employer.district_id is None:
        raise PortalError(NO_DISTRICT, "employer_without_district")
    return employer


def _own(data: PositionData, employer: Employer) -> PositionData:
    clean = data.clean()
    if clean.employer.pk != employer.pk:
        raise PortalError(f"只能提出本单位（{employer.name}）的岗位需求。", "employer_not_own", field="employer")
    return clean


def _fields(clean: PositionData) -> dict[str, Any]:
    return {
        "channel": clean.channel,
        "name": clean.name,
        "headcount": clean.headcount,
        "education": clean.education,
        "majors": clean.majors,
        "competencies": clean.competencies,
        "recruits_graduates": clean.recruits_graduates,
        "salary_text": clean.salary_text,
    }


def proposal_data(proposal: PostProposal) -> PositionData:
    """The proposal's Annex 1 fields, as a post of its employer."""
    return PositionData(employer=proposal.employer, **_fields(proposal))  # type: ignore[arg-type]


def _duplicate(clean: PositionData, district: District) -> PortalError:
    return PortalError(
        f"您已提出“{Channel(clean.channel).label}”岗位需求“{clean.name}”，正等待{district.name}处理，无需重复提出。",
        "duplicate_proposal",
        field="name",
    )


def _refuse_waiting_twin(clean: PositionData, employer: Employer, *, exclude: int | None = None) -> None:
    """A second waiting proposal of the same post is refused here with its message; two requests at once get past
    this check together and meet the partial unique index (``post_proposal_one_waiting_per_post``) instead."""
    twins = PostProposal.objects.filter(
        employer=employer, channel=clean.channel, name=clean.name, status=ProposalStatus.PROPOSED
    )
    if exclude is not None:
        twins = twins.exclude(pk=exclude)
    twin = twins.select_related("district").first()
    if twin is not None:
        raise _duplicate(clean, twin.district)


def _tell_clerks(district: District, employer: Employer, proposals: list[PostProposal]) -> None:
    names = "、".join(f"“{proposal.name}”" for proposal in proposals[:3])
    more = f"等{len(proposals)}个" if len(proposals) > 3 else ""
    notify_many(
        recipients=User.objects.filter(role=Role.DISTRICT_CLERK, district=district, is_active=True),
        kind=NotificationKind.POST_PROPOSAL,
        title=f"{employer.name}提出了岗位需求",
        body=f"{employer.name}向{district.name}提出了岗位需求{names}{more}。请核对后采纳到本旬岗位或退回。",
        url=reverse("positions:proposal_queue"),
    )


def _tell_employer(proposal: PostProposal, outcome: str) -> None:
    notify_many(
        recipients=User.objects.filter(employer_id=proposal.employer_id, is_active=True),
        kind=NotificationKind.POST_PROPOSAL,
        title=f"岗位需求{outcome}：{proposal.name}",
        body=_outcome_text(proposal),
        url=reverse("positions:proposal_list"),
    )


def _outcome_text(proposal: PostProposal) -> str:
    if proposal.status == ProposalStatus.ADOPTED:
        return (
            f"{proposal.district.name}已采纳您提出的岗位需求“{proposal.name}”，纳入本旬岗位，"
            "经区县初审、市级复核后在岗位榜单发布。"
        )
    return f"{proposal.district.name}退回了您提出的岗位需求“{proposal.name}”，原因：{proposal.return_reason}"


def _insert(fields: dict[str, Any], clean: PositionData) -> PostProposal:
    try:
        with transaction.atomic():
            return PostProposal.objects.create(**fields)
    except IntegrityError:
        # The same post proposed by another request a moment ago (a double click, two tabs).
        raise _duplicate(clean, fields["district"]) from None


@transaction.atomic
def proposals_create(
    *, data: Iterable[PositionData], by: User, source: str = PositionSource.FORM
) -> list[PostProposal]:
    """Propose posts of the employer's own to its district, all or none; the district's clerks are told once."""
    employer = proposer_employer(by)
    district = employer.district
    assert district is not None
    now = timezone.now()
    created = []
    with set_actor(by):
        for item in data:
            clean = _own(item, employer)
            _refuse_waiting_twin(clean, employer)
            fields = {
                **_fields(clean),
                "employer": employer,
                "district": district,
                "source": source,
                "proposed_by": by,
                "proposed_at": now,
            }
            created.append(_insert(fields, clean))
    if created:
        _tell_clerks(district, employer, created)
    return created


def proposal_create(*, data: PositionData, by: User, source: str = PositionSource.FORM) -> PostProposal:
    return proposals_create(data=[data], by=by, source=source)[0]


def proposals_preview(*, file: SheetFile, by: User) -> ImportPreview:
    """What proposing the employer's Annex 1 sheet would do, row by row, without writing anything. A row whose
    post already waits at the district is marked ``exists`` and skipped, so the same sheet sent twice adds nothing."""
    employer = proposer_employer(by)
    raw_rows = read_sheet(file)
    if len(raw_rows) > MAX_SHEET_ROWS:
        raise PortalError(
            f"表格有{len(raw_rows)}行，一次最多提出{MAX_SHEET_ROWS}个岗位需求：请分成几张表分别上传。", "sheet_too_long"
        )
    preview = analyse_proposal_rows(raw_rows, employer=employer)
    waiting = set(
        PostProposal.objects.filter(employer=employer, status=ProposalStatus.PROPOSED).values_list("channel", "name")
    )
    for row in preview.rows:
        if row.data is not None:
            row.exists = (row.data.channel, row.data.name) in waiting
    return preview


def proposals_import(*, file: SheetFile, by: User) -> list[PostProposal]:
    """Propose every new row of the employer's sheet, or none (``PortalImportError`` with the rows' errors)."""
    preview = proposals_preview(file=file, by=by)
    if preview.errors:
        raise PortalImportError(preview.errors, what="岗位需求")
    new = [row.data for row in preview.rows if row.data is not None and not row.exists]
    return proposals_create(data=new, by=by, source=PositionSource.IMPORT)


def _locked(proposal: PostProposal) -> PostProposal:
    return (
        PostProposal.objects.select_for_update(of=("self",)).select_related("employer", "district").get(pk=proposal.pk)
    )


@transaction.atomic
def proposal_repropose(*, proposal: PostProposal, data: PositionData, by: User) -> PostProposal:
    """The employer corrects a returned proposal and proposes it again, to its district of now."""
    proposal = _locked(proposal)
    check_move(PROPOSAL_MOVES, action="repropose", obj=proposal, by=by, reason="", subject=proposal.name)
    employer = proposer_employer(by)
    clean = _own(data, employer)
    _refuse_waiting_twin(clean, employer, exclude=proposal.pk)
    for field, value in _fields(clean).items():
        setattr(proposal, field, value)
    proposal.district = employer.district  # type: ignore[assignment]
    proposal.status = ProposalStatus.PROPOSED
    proposal.return_reason = ""
    proposal.proposed_by = by
    proposal.proposed_at = timezone.now()
    proposal.decided_by = None
    proposal.decided_at = None
    try:
        with transaction.atomic(), set_actor(by):
            proposal.save()
    except IntegrityError:
        raise _duplicate(clean, proposal.district) from None
    _tell_clerks(proposal.district, employer, [proposal])
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: PostProposal, by: User) -> PostProposal:
    proposal = _locked(proposal)
    check_move(PROPOSAL_MOVES, action="withdraw", obj=proposal, by=by, reason="", subject=proposal.name)
    proposal.status = ProposalStatus.WITHDRAWN
    with set_actor(by):
        proposal.save()
    return proposal


@transaction.atomic
def proposal_adopt(*, proposal: PostProposal, by: User, data: PositionData | None = None) -> Position:
    """The district's clerk adopts the proposal into the district's running 旬 batch: the post is created by the
    clerk's own service (``position_create``, all its rules), as a draft the clerk then submits like any other.
    ``data``: the clerk's edits of the proposal's fields; the employer stays the proposal's.

    The row is locked first and its state checked: of two adoptions at once (a double click, two clerks), the
    second waits, then finds the proposal adopted and is refused — one proposal never becomes two posts."""
    proposal = _locked(proposal)
    check_move(PROPOSAL_MOVES, action="adopt", obj=proposal, by=by, reason="", subject=proposal.name)
    chosen = data if data is not None else proposal_data(proposal)
    if chosen.employer.pk != proposal.employer_id:
        raise PortalError("采纳时不能更换用人单位：岗位需求由该单位提出。", "employer_changed", field="employer")
    position = position_create(
        data=chosen,
        district=proposal.district,
        period=TenDayPeriod.current(),
        by=by,
        source=PositionSource.PROPOSAL,
    )
    proposal.status = ProposalStatus.ADOPTED
    proposal.position = position
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    with set_actor(by):
        proposal.save()
    _tell_employer(proposal, "已采纳")
    return position


@transaction.atomic
def proposal_return(*, proposal: PostProposal, reason: str, by: User) -> PostProposal:
    proposal = _locked(proposal)
    check_move(PROPOSAL_MOVES, action="return", obj=proposal, by=by, reason=reason, subject=proposal.name)
    proposal.status = ProposalStatus.RETURNED
    proposal.return_reason = reason.strip()
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    with set_actor(by):
        proposal.save()
    _tell_employer(proposal, "被退回")
    return proposal
