"""Writes of the subsidies app: a third party's claim from draft to payment. Every money rule is here and, where
a race could beat a check, in the database (see ``subsidies.models``)."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from auditlog.context import disable_auditlog
from auditlog.receivers import log_create
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import broker
from portal import permissions as p
from portal.audit.recording import as_read, audited_against, set_actor
from portal.concurrency import require_unchanged
from portal.constants import NotificationKind
from portal.dates import prose_date
from portal.errors import PermissionDenied, PortalError
from portal.identity import mask_id_number, normalise_id_number, normalise_phone
from portal.limits import parse_amount
from portal.models import Employer, SubsidyCap, User
from portal.notifications.services import notify_many
from portal.workflow import check_move
from referrals.constants import EmployerConfirmation, HireStatus
from referrals.models import Hire
from subsidies.constants import (
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    REQUIRED_ATTACHMENTS,
    STORED_ACTIONS,
    ClaimAction,
    ClaimStatus,
)
from subsidies.models import Claim, ClaimAttachment, ClaimEvent, ClaimItem, PersonException
from subsidies.workflow import FIRST_REVIEW, MOVES, SECOND_REVIEW


def hire_cap_key(hire: Hire) -> tuple[str, datetime.date]:
    """What decides a hire's cap: its channel and its date (arrival, else confirmation)."""
    return hire.channel, hire.arrived_on or timezone.localdate(hire.confirmed_at or timezone.now())


def hire_cap(hire: Hire) -> SubsidyCap:
    """The cap of the hire's channel in force on the hire's date."""
    channel, day = hire_cap_key(hire)
    return SubsidyCap.amount_on(channel=channel, day=day)


@dataclass(frozen=True)
class ClaimLine:
    hire: Hire
    requested_amount: Decimal


@dataclass(frozen=True)
class ClaimData:
    """Annex 2 as the third party fills it."""

    employer: Employer
    employer_contact: str
    employer_phone: str
    lines: tuple[ClaimLine, ...]
    declares_introduced: bool = False
    declares_good_credit: bool = False
    declares_truthful: bool = False


@dataclass(frozen=True)
class ClaimRows:
    """A claim's lines (each with its hire), scans and history as a service has just written or read them inside its
    transaction, in the order the claim's detail lists them: whoever answers for the write (the API's reply) answers
    from them rather than reading them again. None for what the service did not need to read (whoever wants it
    reads it). Kept on the claim the service returns (``rows_in_hand``); they say what the claim was when the
    service returned, not what it is after later writes."""

    items: list[ClaimItem]
    attachments: list[ClaimAttachment] | None = None
    events: list[ClaimEvent] | None = None


#: The attribute of a claim returned by a service that holds its ``ClaimRows``.
_ROWS = "_rows_in_hand"


def rows_in_hand(claim: Claim) -> ClaimRows | None:
    """The rows the service that returned ``claim`` wrote or read for it (``ClaimRows``), or None."""
    rows = claim.__dict__.get(_ROWS)
    return rows if isinstance(rows, ClaimRows) else None


def _keep_rows(claim: Claim, rows: ClaimRows) -> Claim:
    # Rows without an id (a database that does not return the ids of a bulk insert) cannot stand for the stored ones.
    if all(row.pk is not None for row in (*rows.items, *(rows.attachments or ()), *(rows.events or ()))):
        setattr(claim, _ROWS, rows)
    return claim


def _person(hire: Hire) -> str:
    return f"{hire.name}（{mask_id_number(hire.id_number)}）"


def check_line(*, hire: Hire, requested: Decimal, claimant_id: int, employer_id: int) -> Decimal:
    """The rules of one line: this third party's introduction, at this employer, confirmed by publicity (or exempt)
    and by the employer, and an amount within its channel's cap. Returns the cap."""
    who = _person(hire)
    if hire.third_party_id != claimant_id:
        raise PortalError(f"{who}不是由本机构（个人）推荐引进的，不能申报。", "not_introduced_by_claimant")
    if hire.employer_id != employer_id:
        raise PortalError(
            f"{who}不是本次申报用人单位的引进人才。一次申报只能包含同一用人单位的人员。", "other_employer"
        )
    if hire.status != HireStatus.CONFIRMED:
        raise PortalError(
            f"{who}尚未经公示确认（当前状态：{hire.get_status_display()}），不能申报。", "hire_not_confirmed"
        )
    if hire.employer_confirmation != EmployerConfirmation.CONFIRMED:
        raise PortalError(
            f"{who}尚未经用人单位确认（{hire.get_employer_confirmation_display()}），不能申报。",
            "employer_not_confirmed",
        )
    cap = hire_cap(hire)
    if requested > cap.amount:
        raise PortalError(
            f"{who}的申请金额{requested:,.2f}元超过“{hire.get_channel_display()}”补助上限"
            f"{cap.amount:,.0f}元/人（{cap.source_note}）。",
            "over_cap",
        )
    return cap.amount


def _clean(data: ClaimData, *, by: User) -> list[tuple[ClaimLine, Decimal]]:
    if not p.is_third_party.test(by) or by.third_party is None:
        raise PermissionDenied("只有荐才机构或个人可以申报引才补助。")
    if not by.third_party.is_verified:
        raise PermissionDenied("您的账号尚未通过市人才中心核验，核验后方可申报。")
    if not data.lines:
        raise PortalError("请至少选择一名引进人才。", "no_hires", field="lines")
    hire_ids = [line.hire.pk for line in data.lines]
    if len(set(hire_ids)) != len(hire_ids):
        raise PortalError("同一人员在申报中重复出现。", "duplicate_line", field="lines")
    if not data.employer_contact.strip():
        raise PortalError("请填写用人单位联系人。", "required", field="employer_contact")
    try:
        normalise_phone(data.employer_phone)
    except ValidationError as error:
        raise PortalError(error.messages[0], "phone", field="employer_phone") from None
    claimant_id = by.third_party.pk
    return [
        (
            line,
            check_line(
                hire=line.hire, requested=line.requested_amount, claimant_id=claimant_id, employer_id=data.employer.pk
            ),
        )
        for line in data.lines
    ]


def _taken_message(hire_ids: list[int]) -> str:
    taken = (
        Hire.objects.filter(pk__in=hire_ids, claim_items__live=True)
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )
    names = "、".join(taken) or "所选人员"
    return f"{names}已在其他有效申报中，同一人员只能申报一次补助。"


def _person_refusal(hire: Hire, earlier_reference: str) -> str:
    tail = hire.id_number[-4:] if hire.id_number else "****"
    return (
        f"{hire.name}（身份证号码尾号{tail}）已在申报 {earlier_reference} 中申请过引才补助，每人只补助一次。"
        "如属例外，请联系市人社局流动处登记。"
    )


def _hold_people(claim: Claim, added: list[ClaimItem], kept: list[ClaimItem]) -> None:
    """Once per person (docs/subsidies.md, "Once per person"): give each new line its person's digest and, where the
    person already has a live line on another claim, one of the bureau's unused exceptions for that person, or
    refuse naming the earlier claim. The partial unique indexes decide under concurrency; this gives the message."""
    held = {item.person_digest: item for item in kept if item.person_digest}
    for item in added:
        item.person_digest = item.hire.id_number_digest
        if item.person_digest is None:  # anonymised: no person left to count
            continue
        if item.person_digest in held:
            raise PortalError(
                f"{item.hire.name}在本申报中出现了两次（不同年度或专项的引进记录），每人只补助一次。",
                "duplicate_person_line",
                field="lines",
            )
        held[item.person_digest] = item
    digests = [item.person_digest for item in added if item.person_digest]
    if not digests:
        return
    earlier = {
        digest: (reference, hire_id)
        for digest, reference, hire_id in ClaimItem.objects.filter(
            live=True, person_digest__in=digests, person_exception__isnull=True
        )
        .exclude(claim_id=claim.pk)
        .order_by("-pk")
        .values_list("person_digest", "claim__reference", "hire_id")
    }
    for item in added:
        if item.person_digest not in earlier:
            continue
        reference, hire_id = earlier[item.person_digest]
        if hire_id == item.hire_id:  # the same hire: the older rule says it
            raise PortalError(_taken_message([hire_id]), "hire_already_claimed", field="lines")
        exception = (
            PersonException.objects.filter(id_number_digest=item.person_digest)
            .exclude(items__live=True)
            .order_by("created_at", "pk")
            .first()
        )
        if exception is None:
            raise PortalError(_person_refusal(item.hire, reference), "person_already_claimed", field="lines")
        item.person_exception = exception


def _conflict_message(hire_ids: list[int], hires: list[Hire]) -> str:
    """Why the database refused a line, read after the refusal: the hire is on another live claim, or the person is."""
    if ClaimItem.objects.filter(hire_id__in=hire_ids, live=True).exists():
        return _taken_message(hire_ids)
    for hire in hires:
        earlier = (
            ClaimItem.objects.filter(live=True, person_digest=hire.id_number_digest)
            .exclude(person_digest=None)
            .select_related("claim")
            .order_by("pk")
            .first()
        )
        if earlier is not None:
            return _person_refusal(hire, earlier.claim.reference)
    return _taken_message(hire_ids)


def _write_lines(claim: Claim, checked: list[tuple[ClaimLine, Decimal]], *, replace: bool = True) -> list[ClaimItem]:
    """Write the claim's lines (``replace``: instead of those it has). A line kept for the same hire is updated in
    place, and only where its amount or cap differ: saving the form unchanged rewrites nothing and leaves no entry
    in the audit trail. The partial unique indexes decide, under any concurrency, that a hire is on one live claim
    only and a person on one (plus one per bureau exception); the loser gets a clear refusal and its transaction
    writes nothing. Returns the claim's lines as written, in their order (by id), each with its hire."""
    hire_ids = [line.hire.pk for line, _ in checked]
    try:
        with transaction.atomic():
            kept = {item.hire_id: item for item in claim.items.all()} if replace else {}
            for hire_id, item in list(kept.items()):
                if hire_id not in hire_ids:
                    item.delete()
                    del kept[hire_id]
            added: list[ClaimItem] = []
            for line, cap in checked:
                kept_item = kept.get(line.hire.pk)
                if kept_item is None:
                    added.append(
                        ClaimItem(
                            claim=claim, hire=line.hire, cap=cap, requested_amount=line.requested_amount, live=True
                        )
                    )
                else:
                    kept_item.hire = line.hire  # the same row, as just read for the checks
                    if (kept_item.cap, kept_item.requested_amount, kept_item.live) != (
                        cap,
                        line.requested_amount,
                        True,
                    ):
                        kept_item.cap, kept_item.requested_amount, kept_item.live = cap, line.requested_amount, True
                        kept_item.save(update_fields=["cap", "requested_amount", "live"])
            _hold_people(claim, added, list(kept.values()))
            ClaimItem.objects.bulk_create(added)
            for item in added:  # bulk_create sends no signal: each new line recorded as auditlog records a save
                log_create(sender=ClaimItem, instance=item, created=True)
    except IntegrityError:
        message = _conflict_message(hire_ids, [line.hire for line, _ in checked])
        raise PortalError(message, "hire_already_claimed", field="lines") from None
    claim.requested_total = sum((line.requested_amount for line, _ in checked), Decimal(0))
    # In id order: the kept lines were read in it, and the new ones are numbered after every existing line.
    return [*kept.values(), *added]


def _check_people(claim: Claim, items: list[ClaimItem]) -> None:
    """At submission, once per person again, by the hires' own digests: lines written before the rule carry none."""
    for item in items:
        digest = item.hire.id_number_digest
        if digest is None or item.person_exception_id is not None:
            continue
        earlier = (
            ClaimItem.objects.filter(live=True, hire__id_number_digest=digest, person_exception__isnull=True)
            .exclude(claim_id=claim.pk)
            .order_by("pk")
            .values_list("claim__reference", flat=True)
            .first()
        )
        if earlier is not None:
            raise PortalError(_person_refusal(item.hire, earlier), "person_already_claimed")


@transaction.atomic
def person_exception_record(*, id_number: str, name: str, reason: str, by: User) -> PersonException:
    """再次补助例外: the bureau lets a person bring a referral subsidy once more, with its reason (docs/subsidies.md,
    "Once per person"). Each exception lets one more live claim line hold the person."""
    if not p.is_bureau_reviewer.test(by):
        raise PermissionDenied("只有市人社局流动处复核人员可以登记再次补助例外。")
    try:
        number = normalise_id_number(id_number)
    except ValidationError as error:
        raise PortalError(error.messages[0], str(error.code), field="id_number") from None
    name = " ".join(name.split())
    if not name:
        raise PortalError("请填写姓名。", "required", field="name")
    if not reason.strip():
        raise PortalError("请填写例外原因。", "reason_required", field="reason")
    with set_actor(by):
        return PersonException.objects.create(id_number=number, name=name, reason=reason.strip(), recorded_by=by)


def _fill(claim: Claim, data: ClaimData) -> None:
    claim.employer = data.employer
    claim.employer_contact = data.employer_contact.strip()
    claim.employer_phone = normalise_phone(data.employer_phone)
    claim.declares_introduced = data.declares_introduced
    claim.declares_good_credit = data.declares_good_credit
    claim.declares_truthful = data.declares_truthful


def _event(claim: Claim, *, action: str, from_status: str, by: User, opinion: str = "") -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim, action=action, from_status=from_status, to_status=claim.status, opinion=opinion, actor=by
    )


def _store_papers_after_commit(claim: Claim, event: ClaimEvent) -> None:
    """The papers as they stand after this event, stored once it is committed (never inside the decision's
    transaction: a render takes seconds, and a failed one must not undo the decision). Registered after the
    claimant's e-mails; both kicks go together after the request (``portal.broker``), and with the broker down both
    are left to their sweeps."""
    if event.action in STORED_ACTIONS:
        transaction.on_commit(partial(papers_kick, claim.pk, event.pk), robust=True)


def papers_kick(claim_id: int, event_id: int) -> None:
    """Ask a worker to store the claim's papers at this event (after commit). When the broker does not answer, the
    first download renders and stores them."""
    from subsidies.tasks import store_claim_papers

    broker.kick(store_claim_papers, (claim_id, event_id), what=f"申报文件存档（办理记录{event_id}）")


@transaction.atomic
def claim_create(*, data: ClaimData, by: User) -> Claim:
    """A draft claim (保存草稿). Its hires are held at once: nobody else can claim them while it lives."""
    checked = _clean(data, by=by)
    now = timezone.now()
    claim = Claim(
        reference=f"tmp-{uuid.uuid4().hex[:20]}",
        verification_code=secrets.token_hex(6).upper(),
        third_party=by.third_party,
        status=ClaimStatus.DRAFT,
        status_since=now,
        created_by=by,
    )
    _fill(claim, data)
    with set_actor(by):
        with disable_auditlog():  # the creation is recorded once complete, below
            claim.save()
        # A reference from the row's own number: unique without a race on "the next number".
        claim.reference = f"BZ-{timezone.localdate(now):%Y}-{claim.pk:06d}"
        items = _write_lines(claim, checked, replace=False)
        Claim.objects.filter(pk=claim.pk).update(reference=claim.reference, requested_total=claim.requested_total)
        # One audit entry for the creation, with the reference and total the claim was created with (not an entry
        # for a placeholder reference and another for filling it in).
        log_create(sender=Claim, instance=claim, created=True)
        event = _event(claim, action=ClaimAction.CREATE, from_status="", by=by)
    # A new claim has no scans yet, and its creation is its whole history.
    return _keep_rows(claim, ClaimRows(items=items, attachments=[], events=[event]))


def _lock(claim: Claim) -> Claim:
    """The claim's row, locked for this transaction, with its third party (locked as well) and its employer (read,
    not locked: claims of other third parties for the same employer do not wait on each other)."""
    return (
        Claim.objects.select_for_update(of=("self", "third_party"))
        .select_related("third_party", "employer")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_update(*, claim: Claim, data: ClaimData, by: User, opened_at: datetime.datetime | None = None) -> Claim:
    """The third party edits its draft, or corrects a returned claim. ``opened_at``: the claim's ``updated_at`` when
    the form was opened (the page's hidden field, the API's ``If-Match``): a claim saved since is not overwritten
    (``portal.concurrency``)."""
    claim = _lock(claim)
    row_as_read = as_read(claim)  # what the audit entry diffs against: the row as read under the lock
    if claim.third_party_id != by.third_party_id:
        raise PermissionDenied("只能修改本机构（个人）的申报。")
    if claim.status not in EDITABLE_STATUSES:
        raise PortalError(f"申报当前状态为“{claim.get_status_display()}”，不能修改。", "not_editable")
    require_unchanged(claim.updated_at, opened_at, what=f"申报{claim.reference}")
    if data.employer.pk != claim.employer_id:
        raise PortalError("申报的用人单位不能更改；如需申报其他单位的人员，请另行申报。", "employer_changed")
    checked = _clean(data, by=by)
    _fill(claim, data)
    with set_actor(by):
        items = _write_lines(claim, checked)
        with audited_against(row_as_read):
            claim.save()
    return _keep_rows(claim, ClaimRows(items=items))


def _missing_attachments(attachments: list[ClaimAttachment]) -> list[str]:
    present = {attachment.kind for attachment in attachments}
    return [str(kind.label) for kind in REQUIRED_ATTACHMENTS if kind not in present]


@transaction.atomic
def claim_submit(*, claim: Claim, by: User) -> Claim:
    """提交申报: every rule again (hires may have changed since the draft), the declarations, both signed annexes."""
    claim = _lock(claim)
    row_as_read = as_read(claim)  # what the audit entry diffs against: the row as read under the lock
    move = check_move(MOVES, action=ClaimAction.SUBMIT, obj=claim, by=by, reason="", subject=claim.reference)
    items = list(claim.items.select_related("hire"))
    if not items:
        raise PortalError("请至少选择一名引进人才。", "no_hires")
    # The claimant's own third party is the claim's, read (and locked) with it: not read a second time.
    own_party = claim.third_party if by.third_party_id == claim.third_party_id else by.third_party
    if not own_party or not own_party.is_verified:
        raise PermissionDenied("您的账号尚未通过市人才中心核验，核验后方可申报。")
    for item in items:
        check_line(
            hire=item.hire,
            requested=item.requested_amount,
            claimant_id=claim.third_party_id,
            employer_id=claim.employer_id,
        )
    _check_people(claim, items)
    if not (claim.declares_introduced and claim.declares_good_credit and claim.declares_truthful):
        raise PortalError("请阅读并勾选申报表中的三项承诺。", "declarations_required", field="declarations")
    attachments = list(claim.attachments.all())
    missing = _missing_attachments(attachments)
    if missing:
        raise PortalError(f"请先上传：{'、'.join(missing)}。", "attachments_required", field="attachments")
    party = claim.third_party
    now = timezone.now()
    previous = claim.status
    claim.status = move.target
    claim.status_since = now
    claim.submitted_at = claim.submitted_at or now
    claim.payee_name, claim.payee_phone = party.name, party.phone
    claim.bank_name, claim.bank_account = party.bank_name, party.bank_account
    with set_actor(by), audited_against(row_as_read):
        # What the submission changes (the rest of the locked row is as read): the update and its audit entry
        # cover these columns only.
        claim.save(
            update_fields=[
                *("status", "status_since", "submitted_at", "updated_at"),
                *("payee_name", "payee_phone", "bank_name", "bank_account"),
            ]
        )
        event = _event(claim, action=ClaimAction.SUBMIT, from_status=previous, by=by)
    _store_papers_after_commit(claim, event)
    return _keep_rows(claim, ClaimRows(items=items, attachments=attachments))


@transaction.atomic
def claim_withdraw(*, claim: Claim, by: User, reason: str = "") -> Claim:
    """The claimant withdraws: the claim's hires are released for a new claim."""
    claim = _lock(claim)
    move = check_move(MOVES, action=ClaimAction.WITHDRAW, obj=claim, by=by, reason=reason, subject=claim.reference)
    return _move(claim, move.target, action=ClaimAction.WITHDRAW, by=by, opinion=reason)


def _move(claim: Claim, target: str, *, action: str, by: User, opinion: str = "") -> Claim:
    previous = claim.status
    claim.status = target
    claim.status_since = timezone.now()
    with set_actor(by):
        claim.save()
        if target not in LIVE_STATUSES:
            claim.items.update(live=False)
        event = _event(claim, action=action, from_status=previous, by=by, opinion=opinion)
    if action in _DECISIONS:
        _notify_claimant(claim, action=action, opinion=opinion)
    _store_papers_after_commit(claim, event)
    return claim


#: Decisions the claimant is told about (its own submit and withdraw are not news to it).
_DECISIONS = {
    action
    for action in ClaimAction.values
    if action not in (ClaimAction.CREATE, ClaimAction.SUBMIT, ClaimAction.WITHDRAW)
}


def _notify_claimant(claim: Claim, *, action: str, opinion: str) -> None:
    """Every account of the claiming third party hears of each decision, in the inbox and (if it chose) by e-mail,
    committed with the decision itself."""
    label = ClaimAction(action).label
    if action == ClaimAction.PAY:
        kind, body = (
            NotificationKind.CLAIM_PAYMENT,
            f"补助{claim.approved_total:,.2f}元已于{prose_date(claim.paid_on)}发放。",
        )
    else:
        kind = NotificationKind.CLAIM_DECISION
        body = f"您的引才补助申报{claim.reference}（{claim.employer.name}）：{label}，当前状态为“{claim.get_status_display()}”。"
        if action == ClaimAction.APPROVE:
            body += f"核定激励金额{claim.approved_total:,.2f}元。"
        if opinion:
            body += f"意见：{opinion}"
    notify_many(
        recipients=User.objects.filter(third_party_id=claim.third_party_id, is_active=True),
        kind=kind,
        title=f"申报{claim.reference}：{label}",
        body=body,
        url=reverse("subsidies:claim_detail", args=[claim.pk]),
    )


@transaction.atomic
def claim_review(
    *,
    claim: Claim,
    action: str,
    opinion: str,
    by: User,
    approved: Mapping[int, object] | None = None,
) -> Claim:
    """A first review (talent centre: pass, return, reject) or a re-review (bureau: approve with the final amount per
    hire, return, reject). Decisions on one claim are serialised by the row lock: of two reviewers acting at once,
    one decides and the other is told the claim has moved on."""
    claim = _lock(claim)
    move = check_move(MOVES, action=action, obj=claim, by=by, reason=opinion, subject=claim.reference)
    if action in SECOND_REVIEW and claim.first_reviewer_id == by.pk:
        raise PermissionDenied("同一申报的初审和复核须由不同人员办理。")
    now = timezone.now()
    if action in FIRST_REVIEW:
        claim.first_reviewer, claim.first_opinion, claim.first_reviewed_at = by, opinion.strip(), now
    else:
        claim.second_reviewer, claim.second_opinion, claim.second_reviewed_at = by, opinion.strip(), now
    if action == ClaimAction.APPROVE:
        claim.approved_total = _approve_lines(claim, approved or {})
    return _move(claim, move.target, action=action, by=by, opinion=opinion.strip())


def _approve_lines(claim: Claim, approved: Mapping[int, object]) -> Decimal:
    items = list(claim.items.select_related("hire"))
    if set(approved) != {item.pk for item in items}:
        raise PortalError("请逐人核定激励金额。", "approved_amounts_required", field="approved")
    total = Decimal(0)
    for item in items:
        label = f"{item.hire.name}的核定金额"
        raw = approved[item.pk]
        amount = parse_amount(raw, label=label, allow_zero=True)
        if amount > item.requested_amount:
            raise PortalError(
                f"{label}{amount:,.2f}元不能超过申请金额{item.requested_amount:,.2f}元。", "over_requested"
            )
        item.approved_amount = amount
        total += amount
    ClaimItem.objects.bulk_update(items, ["approved_amount"])
    return total


@transaction.atomic
def claim_pay(*, claim: Claim, paid_on: datetime.date, reference: str, by: User) -> Claim:
    """登记发放: the approved amount has been paid, on this date, with this payment reference."""
    claim = _lock(claim)
    move = check_move(MOVES, action=ClaimAction.PAY, obj=claim, by=by, reason="", subject=claim.reference)
    if not reference.strip():
        raise PortalError("请填写支付凭证号。", "reference_required", field="payment_reference")
    if paid_on > timezone.localdate():
        raise PortalError("发放日期不能晚于今天。", "paid_in_future", field="paid_on")
    if claim.second_reviewed_at and paid_on < timezone.localdate(claim.second_reviewed_at):
        raise PortalError("发放日期不能早于复核核定日期。", "paid_before_approval", field="paid_on")
    claim.paid_on, claim.payment_reference, claim.paid_by = paid_on, reference.strip(), by
    return _move(claim, move.target, action=ClaimAction.PAY, by=by, opinion=f"支付凭证号：{reference.strip()}")
