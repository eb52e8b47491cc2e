"""Writes of the referrals app: record and audit hires, publicise them, handle objections, confirm."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from rules import Predicate

from portal import broker
from portal import permissions as p
from portal.audit.recording import as_read, audited_against, set_actor
from portal.calendar import TenDayPeriod, publicity_closes_at
from portal.concurrency import require_unchanged
from portal.constants import Channel, NotificationKind, Programme, Role
from portal.contacts import TALENT_CENTRE, TALENT_CENTRE_CODE
from portal.errors import PermissionDenied, PortalError
from portal.identity import normalise_id_number, normalise_phone
from portal.models import District, Employer, ThirdParty, User
from portal.notifications.services import notify_many
from portal.security.crypto import keyed_digest
from portal.workflow import check_move
from positions.models import Position
from referrals import selectors
from referrals.constants import (
    COMPETING_DECLINE_REASON,
    PUBLICITY_WORKING_DAYS,
    DeclarationStatus,
    EmployerConfirmation,
    EmploymentMode,
    HireStatus,
    ObjectionStatus,
)
from referrals.eligibility import GraduateWindows, Window, audit_problems, programme_at_recording
from referrals.models import DeclaredPerson, Hire, HireReport, Objection, PublicityExemptionRule, PublicityNotice
from referrals.workflow import MOVES, exempter_of_record, office_editor_of_record, office_staff_of_record

#: Posts a hire may point at: on the public list, or closed after being filled from it.
HIRABLE = selectors.HIRABLE


@dataclass(frozen=True)
class HireData:
    """The Annex 3 fields, required first. The post is either one of the portal's (``position``: its employer, channel
    and name are the hire's), or, for a post a third party declared that is not in the portal, given by ``employer``,
    ``channel`` and ``post_name`` (the hire's district is then its employer's)."""

    name: str
    id_number: str
    mode: str
    contract_term: str
    position: Position | None = None
    employer: Employer | None = None
    channel: str = ""
    post_name: str = ""
    programme: str | None = None
    third_party: ThirdParty | None = None
    school: str = ""
    major: str = ""
    education: str = ""
    title_rank: str = ""
    skill_level: str = ""
    arrived_on: datetime.date | None = None
    work_experience: str = ""
    other_conditions: str = ""
    graduated_on: datetime.date | None = None


def _post_fields(data: HireData, errors: list[PortalError]) -> dict[str, object]:
    """The hire's post, employer, channel, name and district, from the portal's post or from the declared ones."""
    if data.position is not None:
        if data.position.status not in HIRABLE:
            errors.append(PortalError("只能为已发布的岗位登记到岗人员。", "position_not_published", field="position"))
        return {
            "position": data.position,
            "employer_id": data.position.employer_id,
            "channel": data.position.channel,
            "post_name": data.position.name,
            "district_id": data.position.district_id,
        }
    if data.employer is None:
        errors.append(PortalError("请选择岗位或用人单位。", "required", field="position"))
    post_name = " ".join(data.post_name.split())
    if not post_name:
        errors.append(PortalError("请填写岗位名称。", "required", field="post_name"))
    if data.channel not in Channel.values:
        errors.append(PortalError("渠道只能是“揭榜招贤”或“引才专项”。", "invalid_channel", field="channel"))
    return {
        "position": None,
        "employer_id": data.employer.pk if data.employer else None,
        "channel": data.channel,
        "post_name": post_name,
        "district_id": data.employer.district_id if data.employer else None,
    }


def hire_validate(data: HireData, *, window: Window) -> tuple[dict[str, object], list[PortalError]]:
    """Every rule of the Annex 3 fields at once: the ``Hire`` fields ``data`` gives (without ``year`` and
    ``recorded_by``) and each rule it breaks, in field order, each naming its field. ``window`` is the 应届 window
    of the hire's programme year (``GraduateWindows.for_year``). Runs no query, so the sheet import
    (``referrals.importing``) checks every row with it; the services refuse on the first error."""
    errors: list[PortalError] = []
    post = _post_fields(data, errors)
    name = " ".join(data.name.split())
    if not name:
        errors.append(PortalError("请填写姓名。", "required", field="name"))
    id_number = ""
    try:
        id_number = normalise_id_number(data.id_number)
    except ValidationError as error:
        errors.append(PortalError(error.messages[0], str(error.code), field="id_number"))
    if data.mode not in EmploymentMode.values:
        errors.append(PortalError("引进方式只能是“全职”或“柔性”。", "invalid_mode", field="mode"))
    if not data.contract_term.strip():
        errors.append(PortalError("请填写劳动合同期限。", "required", field="contract_term"))
    # 启航 is for fresh graduates, 海聚 for experienced engineers: decided from the person's facts, not from the post's
    # 是否招聘应届生 (docs/workflows.md, "Which programme").
    programme = data.programme or ""
    if programme and programme not in Programme.values:
        errors.append(PortalError("专项只能是“启航”或“海聚”。", "invalid_programme", field="programme"))
    else:
        programme, problems = programme_at_recording(
            chosen=programme or None,
            mode=data.mode,
            graduated_on=data.graduated_on,
            work_experience=data.work_experience,
            window=window,
        )
        errors.extend(problems)
    fields: dict[str, object] = {
        **post,
        "third_party": data.third_party,
        "employer_confirmation": (
            EmployerConfirmation.PENDING if data.third_party is not None else EmployerConfirmation.NOT_NEEDED
        ),
        "programme": programme,
        "name": name,
        "id_number": id_number,
        "mode": data.mode,
        "contract_term": data.contract_term.strip(),
        "school": data.school.strip(),
        "major": data.major.strip(),
        "education": data.education,
        "title_rank": data.title_rank.strip(),
        "skill_level": data.skill_level.strip(),
        "arrived_on": data.arrived_on,
        "work_experience": data.work_experience.strip(),
        "other_conditions": data.other_conditions.strip(),
        "graduated_on": data.graduated_on,
    }
    return fields, errors


def _clean(data: HireData, *, year: int) -> dict[str, object]:
    fields, errors = hire_validate(data, window=GraduateWindows.load().for_year(year))
    if errors:
        raise errors[0]
    return fields


def duplicate_person_message(*, district_name: str, programme: str, year: int, subject: str = "该身份证号码") -> str:
    return f"{subject}已在{district_name}登记为{year}年{Programme(programme).label}专项引进人才，不能重复登记。"


def _same_person(id_number: str, programme: str, year: int) -> QuerySet[Hire]:
    """The hires of this person, programme and year: by the number's keyed digest (it is encrypted at rest)."""
    return Hire.objects.filter(id_number_digest=keyed_digest(id_number), programme=programme, year=year)


def hire_duplicate_of(*, id_number: str, programme: str, year: int, exclude_pk: int | None = None) -> str | None:
    """The refusal for a second hire of the same person, programme and year, or None. The admin's form asks this too:
    the database's unique constraint is on the keyed digest, which no form field carries."""
    clash = _same_person(id_number, programme, year)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return _duplicate_message(id_number, programme, year) if clash.exists() else None


def _duplicate_message(id_number: str, programme: str, year: int) -> str:
    existing = _same_person(id_number, programme, year).select_related("district").first()
    where = "其他区县" if existing is None else existing.district.name if existing.district else TALENT_CENTRE
    return duplicate_person_message(district_name=where, programme=programme, year=year)


@transaction.atomic
def hire_record(*, data: HireData, by: User) -> Hire:
    """实际到岗: the district clerk records a person who arrived at one of the district's published posts."""
    if data.position is None or not (p.is_district_clerk.test(by) and by.district_id == data.position.district_id):
        raise PermissionDenied("只有岗位所属区县的经办人可以登记到岗人员。")
    arrived = data.arrived_on or timezone.localdate()
    fields = _clean(data, year=arrived.year)
    fields["year"] = arrived.year
    if _same_person(str(fields["id_number"]), str(fields["programme"]), arrived.year).exists():
        raise PortalError(
            _duplicate_message(str(fields["id_number"]), str(fields["programme"]), arrived.year),
            "duplicate_person",
            field="id_number",
        )
    try:
        with transaction.atomic(), set_actor(by):
            return Hire.objects.create(**fields, recorded_by=by)
    except IntegrityError:
        # Recorded at the same moment elsewhere: the unique constraint decided.
        raise PortalError(
            _duplicate_message(str(fields["id_number"]), str(fields["programme"]), arrived.year),
            "duplicate_person",
            field="id_number",
        ) from None


@transaction.atomic
def hire_move(*, hire: Hire, action: str, by: User, reason: str = "") -> Hire:
    hire = Hire.objects.select_for_update().get(pk=hire.pk)
    move = check_move(MOVES, action=action, obj=hire, by=by, reason=reason, subject=hire.name)
    if action == "audit":
        # The 初审 checks the programme against the facts (docs/workflows.md, "Which programme").
        problems = audit_problems(
            programme=hire.programme,
            mode=hire.mode,
            graduated_on=hire.graduated_on,
            work_experience=hire.work_experience,
            window=GraduateWindows.load().for_year(hire.year),
        )
        if problems:
            first = problems[0]
            raise PortalError(
                f"{hire.name}：{first.message}请退回经办人补充或更正后再初审。", first.code, field=first.field
            )
    hire.status = move.target
    if move.needs_reason:
        hire.return_reason = reason.strip()
    with set_actor(by):
        hire.save()
    return hire


def _office_words(district: District | None) -> str:
    """How a refusal names the office: "本区县", or the talent centre for hires without a district."""
    return "本区县" if district is not None else TALENT_CENTRE


def _lock_audited(
    hires: list[Hire], *, by: User, who: Predicate = office_staff_of_record, refusal: str = ""
) -> tuple[District | None, list[Hire]]:
    """The audited hires, locked, all of one office of record, which must be the user's (docs/roles.md, "The office
    of record"): a district's staff publish its hires, the talent centre those without a district. ``who`` narrows
    who of the office may act (an exemption: its reviewer), ``refusal`` says so."""
    locked = list(
        Hire.objects.select_for_update(of=("self",))
        .select_related("district")
        .filter(pk__in=[hire.pk for hire in hires])
        .order_by("pk")
    )
    if not locked:
        raise PortalError("请选择人员。", "empty")
    districts = {hire.district_id for hire in locked}
    if len(districts) != 1:
        raise PortalError("一次只能处理同一区县（或同为市人才交流服务中心审核）的人员。", "mixed_districts")
    for hire in locked:
        if not who.test(by, hire):
            if refusal:
                raise PermissionDenied(refusal)
            if hire.district_id is None:
                raise PermissionDenied(f"{hire.name}无所属区县，由{TALENT_CENTRE}办理公示。")
            raise PermissionDenied("只有本区县人力社保部门可以办理本区县人员的公示。")
        if hire.status != HireStatus.AUDITED:
            raise PortalError(f"{hire.name}尚未初审通过或已处理（{hire.get_status_display()}）。", "not_audited")
    return locked[0].district, locked


@transaction.atomic
def hire_exempt(*, hires: list[Hire], rule: PublicityExemptionRule | None, by: User, note: str = "") -> list[Hire]:
    """按规定不公示: the district reviewer confirms audited hires without publicity, under one of the exemption rules
    the admin keeps (an active one), with an optional note (docs/workflows.md, "Exemption from publicity")."""
    if rule is None:
        raise PortalError("请选择不公示所依据的规则。", "rule_required", field="exemption_rule")
    rule = PublicityExemptionRule.objects.filter(pk=rule.pk, active=True).first()
    if rule is None:
        raise PortalError("所选不公示规则已停用，请重新选择。", "rule_inactive", field="exemption_rule")
    _, locked = _lock_audited(
        hires,
        by=by,
        who=exempter_of_record,
        refusal="只有本区县初审人员（无所属区县的，市人才交流服务中心审核人员）可以办理按规定不公示。",
    )
    now = timezone.now()
    with set_actor(by):
        for hire in locked:
            hire.status = HireStatus.CONFIRMED
            hire.exemption_rule = rule
            hire.exemption_note = note.strip()
            hire.confirmed_at = now
            hire.save()
    return locked


@transaction.atomic
def notice_publish(
    *, hires: list[Hire], published_on: datetime.date, title: str, by: User, now: datetime.datetime | None = None
) -> PublicityNotice:
    """Publish audited hires for 5 working days. The close is computed on the official calendar; a year whose
    arrangement is unknown is refused (``CalendarUnknown``), never guessed."""
    if published_on < timezone.localdate(now or timezone.now()):
        # A notice dated in the past would open already closed, or shortened: the public must get all five days.
        raise PortalError("公示开始日期不能早于今天。", "published_in_past", field="published_on")
    district, locked = _lock_audited(hires, by=by)
    closes_at = publicity_closes_at(published_on, PUBLICITY_WORKING_DAYS)
    year = published_on.year
    sequence = selectors.notice_next_sequence(district=district, year=year)
    title = " ".join(title.split()) or selectors.notice_default_title(district=district, year=year, sequence=sequence)
    # One title per district: the public tells a district's notices apart by their titles (a constraint backs it).
    same = PublicityNotice.objects.filter(district=district, title=title).only("reference").first()
    if same is not None:
        raise PortalError(
            f"{_office_words(district)}已有标题为“{title}”的公示（{same.reference}），请在标题中注明批次或日期以示区别，"
            "或留空由系统按批次命名。",
            "duplicate_title",
            field="title",
        )
    try:
        with transaction.atomic(), set_actor(by):
            notice = PublicityNotice.objects.create(
                district=district,
                reference=f"GS-{district.code if district else TALENT_CENTRE_CODE}-{year}-{sequence:03d}",
                title=title,
                published_on=published_on,
                closes_at=closes_at,
                published_by=by,
            )
    except IntegrityError:
        # Another clerk of the district (officer of the centre) published at the same moment and took the number or
        # the title.
        raise PortalError(
            f"{_office_words(district)}刚刚有另一条公示发布，编号或标题与之重复，请刷新后重新提交。", "notice_conflict"
        ) from None
    with set_actor(by):
        for hire in locked:
            hire.status = HireStatus.IN_PUBLICITY
            hire.notice = notice
            hire.save()
    # The notice's PDF is stored once the publication is committed (never inside it: a render takes seconds).
    transaction.on_commit(partial(notice_paper_kick, notice.pk), robust=True)
    return notice


def notice_paper_kick(notice_id: int) -> None:
    """Ask a worker to store the notice's PDF (after commit). When the broker does not answer, the first download
    renders and stores it."""
    from referrals.tasks import store_notice_paper

    broker.kick(store_notice_paper, (notice_id,), what=f"公示{notice_id}存档")


@transaction.atomic
def objection_lodge(
    *, hire: Hire, name: str, phone: str, statement: str, now: datetime.datetime | None = None
) -> Objection:
    """Anyone may object to a named hire while its publicity runs; real name, phone and statement required."""
    now = now or timezone.now()
    hire = Hire.objects.select_for_update(of=("self",)).select_related("notice").get(pk=hire.pk)
    if (
        hire.status != HireStatus.IN_PUBLICITY
        or hire.notice is None
        or timezone.localdate(now) < hire.notice.published_on
        or now >= hire.notice.closes_at
    ):
        raise PortalError("该人员不在公示期内，不能提出异议。", "not_in_publicity")
    if not name.strip():
        raise PortalError("请填写真实姓名。", "required", field="name")
    if len(statement.strip()) < 10:
        raise PortalError("请具体说明异议的事实和理由（至少10个字）。", "statement_too_short", field="statement")
    try:
        phone = normalise_phone(phone)
    except ValidationError as error:
        raise PortalError(error.messages[0], "phone", field="phone") from None
    return Objection.objects.create(
        hire=hire,
        # The date in the receipt is the day in Chongqing: an objection lodged at 00:51 on 5 December says 20261205.
        receipt=f"YY{timezone.localdate(now):%Y%m%d}{secrets.token_hex(3).upper()}",
        name=name.strip(),
        phone=phone,
        statement=statement.strip(),
    )


@transaction.atomic
def objection_resolve(*, objection: Objection, upheld: bool, reason: str, by: User) -> Objection:
    """Upheld: the hire fails (and can never be claimed). Dismissed: the hire is confirmed if its publicity has
    closed and no other objection is open."""
    objection = Objection.objects.select_for_update(of=("self",)).select_related("hire__notice").get(pk=objection.pk)
    hire = Hire.objects.select_for_update().get(pk=objection.hire_id)
    if not office_staff_of_record.test(by, hire):
        raise PermissionDenied(
            "只有被异议人员所在区县可以处理异议。"
            if hire.district_id is not None
            else f"{hire.name}无所属区县，异议由{TALENT_CENTRE}处理。"
        )
    if objection.status != ObjectionStatus.OPEN:
        raise PortalError("该异议已处理。", "already_resolved")
    if not reason.strip():
        raise PortalError("请填写处理意见。", "reason_required", field="reason")
    now = timezone.now()
    with set_actor(by):
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution = reason.strip()
        objection.resolved_by = by
        objection.resolved_at = now
        objection.save()
        if upheld:
            hire.status = HireStatus.FAILED
            hire.save()
        elif hire.notice is not None and hire.notice.closes_at <= now:
            _confirm_if_clear(hire, now)
    return objection


def _confirm_if_clear(hire: Hire, now: datetime.datetime) -> bool:
    if hire.status != HireStatus.IN_PUBLICITY:
        return False
    if hire.objections.filter(status__in=[ObjectionStatus.OPEN, ObjectionStatus.UPHELD]).exists():
        return False
    hire.status = HireStatus.CONFIRMED
    hire.confirmed_at = now
    hire.save()
    return True


@transaction.atomic
def notices_confirm_closed(*, now: datetime.datetime | None = None) -> int:
    """After the 5th working day: confirm every hire of a closed notice with no open or upheld objection.

    Idempotent: a second run finds nothing left in publicity without an open objection. Returns how many hires
    it confirmed."""
    now = now or timezone.now()
    blocking = Objection.objects.filter(hire=OuterRef("pk"), status__in=[ObjectionStatus.OPEN, ObjectionStatus.UPHELD])
    due = (
        Hire.objects.select_for_update(skip_locked=True)
        .filter(status=HireStatus.IN_PUBLICITY, notice__closes_at__lte=now)
        .exclude(Exists(blocking))
    )
    confirmed = 0
    for hire in due:
        hire.status = HireStatus.CONFIRMED
        hire.confirmed_at = now
        hire.save(update_fields=["status", "confirmed_at", "updated_at"])
        confirmed += 1
    PublicityNotice.objects.filter(closes_at__lte=now, closed_processed_at__isnull=True).update(closed_processed_at=now)
    return confirmed


#: A hire can be corrected while it has not left the clerk's desk for good.
HIRE_EDITABLE = (HireStatus.RECORDED, HireStatus.RETURNED)


def hire_is_declared(hire: Hire) -> bool:
    """The hire came from a third party's declaration its employer confirmed (``referrals.declarations``): its
    employer is the one that stamped it, and its post may be one the portal never listed. A hire read with the
    ``confirmed_declaration`` annotation (``selectors.hire_office_editable``) answers from it, without a query."""
    if hire.position_id is None:
        return True
    confirmed: bool | None = getattr(hire, "confirmed_declaration", None)
    if confirmed is not None:
        return confirmed
    return hire.declared_people.filter(status=DeclarationStatus.CONFIRMED).exists()


@transaction.atomic
def hire_update(*, hire: Hire, data: HireData, by: User, opened_at: datetime.datetime | None = None) -> Hire:
    """The office corrects a hire not yet audited (or returned): a district's clerk, or for a hire without a
    district the talent centre (docs/workflows.md, "Hires without a district"). The same rules as recording; the
    programme year follows the date of arrival.

    The post is one of the portal's, or, for a hire whose post is not in the portal (a declared one), that post kept
    by its name and channel (``position`` None with ``employer``, ``channel`` and ``post_name``). A declared hire
    keeps its employer: the employer confirmed the person, another cannot be put in its place.

    ``opened_at``: the hire's ``updated_at`` when the correction form was opened (the page form passes it): a hire
    saved since is not overwritten (``portal.concurrency``)."""
    hire = Hire.objects.select_for_update().get(pk=hire.pk)
    row_as_read = as_read(hire)  # what the audit entry diffs against: the row as read under the lock
    if not office_editor_of_record.test(by, hire):
        if hire.district_id is None:
            raise PermissionDenied(f"{hire.name}无所属区县，由{TALENT_CENTRE}修改。")
        raise PermissionDenied("只有本区县经办人可以修改到岗人员。")
    if hire.status not in HIRE_EDITABLE:
        raise PortalError(f"{hire.name}当前状态为“{hire.get_status_display()}”，不能修改。", "not_editable")
    require_unchanged(hire.updated_at, opened_at, what=f"{hire.name}的登记信息")
    if data.position is None and hire.position_id is not None:
        raise PortalError("请选择本区县已发布的岗位。", "required", field="position")
    year = (data.arrived_on or timezone.localdate(hire.created_at)).year
    fields = _clean(data, year=year)
    if fields["employer_id"] != hire.employer_id and hire_is_declared(hire):
        raise PortalError(
            f"{hire.name}由用人单位确认第三方申报而来，不能改为其他用人单位的岗位。", "employer_fixed", field="position"
        )
    if fields["district_id"] != hire.district_id:
        raise PermissionDenied("只能选择本区县的岗位。" if hire.district_id else "只能保留原岗位或选择本单位的岗位。")
    clash = _same_person(str(fields["id_number"]), str(fields["programme"]), year).exclude(pk=hire.pk)
    if clash.exists():
        raise PortalError(
            _duplicate_message(str(fields["id_number"]), str(fields["programme"]), year),
            "duplicate_person",
            field="id_number",
        )
    if hire.third_party_id != (data.third_party.pk if data.third_party else None):
        # A different introducer needs the employer's confirmation anew.
        hire.employer_confirmed_at = None
        hire.employer_confirmed_by = None
        hire.employer_decline_reason = ""
    else:
        fields.pop("employer_confirmation")
    # Compared as stored (a post by its id): reading the hire's current post row only to compare it is a query wasted.
    stored = [Hire._meta.get_field(name).attname for name in [*fields, "year"]]  # type: ignore[union-attr]
    before = {name: getattr(hire, name) for name in stored}
    for name, value in fields.items():
        setattr(hire, name, value)
    hire.year = year
    if any(getattr(hire, name) != value for name, value in before.items()):
        # Only a real correction makes its author the hire's last editor (who may then not audit it).
        hire.edited_by = by
    try:
        # No savepoint of its own: a clash (the unique person per programme and year, raced past the check above)
        # ends the whole correction, whose transaction the PortalError rolls back.
        with set_actor(by), audited_against(row_as_read):
            hire.save()
    except IntegrityError:
        raise PortalError(
            _duplicate_message(str(fields["id_number"]), str(fields["programme"]), year),
            "duplicate_person",
            field="id_number",
        ) from None
    return hire


@transaction.atomic
def hire_report_send(
    *, district: District, period: TenDayPeriod, by: User, note: str = "", now: datetime.datetime | None = None
) -> HireReport:
    """每旬上报: the district reports to the city every hire confirmed since its last report, up to now or the end
    of ``period`` (whichever is earlier). Due by the end of the 旬; sent later, it is accepted and marked late. Once
    per district and 旬; with nothing new it is a zero report."""
    now = now or timezone.now()
    if not (p.is_district_reviewer.test(by) and by.district_id == district.pk):
        raise PermissionDenied("只有本区县初审人员可以报送入职结果。")
    if now < timezone.make_aware(datetime.datetime.combine(period.first_day, datetime.time.min)):
        raise PortalError(f"{period.label}尚未开始，不能报送。", "period_not_started")
    # Serialise the district's reports: two reviewers sending at once must not both take the same hires.
    District.objects.select_for_update().get(pk=district.pk)
    if HireReport.objects.filter(district=district, period=str(period)).exists():
        raise PortalError(f"{district.name}{period.label}的入职结果已报送，不能重复报送。", "already_sent")
    until = min(now, period.closes_at)
    with set_actor(by):
        report = HireReport.objects.create(
            district=district,
            period=str(period),
            sent_at=now,
            sent_by=by,
            is_late=now > period.closes_at,
            note=note.strip(),
        )
        Hire.objects.filter(
            district=district, status=HireStatus.CONFIRMED, report__isnull=True, confirmed_at__lte=until
        ).update(report=report, updated_at=now)
    return report


@transaction.atomic
def hire_employer_decide(*, hire: Hire, confirmed: bool, by: User, reason: str = "") -> Hire:
    """Annex 3 确认: the employer confirms (or declines, with a reason) that a third party introduced this person.
    A claim needs the confirmation; a declined hire can be confirmed later after all (the employer corrects it)."""
    now = timezone.now()
    if confirmed:
        # The person's declarations are locked before the hire, in the order ``declared_person_decide`` takes them
        # (declarations, then the hire): the two ways of confirming never wait on each other crosswise.
        person = Hire.objects.only("id_number_digest", "employer_id").get(pk=hire.pk)
        _lock_declarations(id_number_digest=person.id_number_digest, employer_id=person.employer_id)
    hire = Hire.objects.select_for_update(of=("self",)).select_related("employer").get(pk=hire.pk)
    if not (p.is_employer.test(by) and by.employer_id == hire.employer_id):
        raise PermissionDenied("只有人员所在用人单位可以确认。")
    if hire.third_party_id is None:
        raise PortalError("该人员不是第三方推荐引进的，无需单位确认。", "not_introduced")
    if hire.status == HireStatus.FAILED:
        raise PortalError("该人员公示异议成立，不能确认。", "hire_failed")
    if not confirmed and not reason.strip():
        raise PortalError("请填写不予确认的原因。", "reason_required", field="reason")
    with set_actor(by):
        hire.employer_confirmation = EmployerConfirmation.CONFIRMED if confirmed else EmployerConfirmation.DECLINED
        hire.employer_confirmed_at = now
        hire.employer_confirmed_by = by
        hire.employer_decline_reason = "" if confirmed else reason.strip()
        hire.save()
    if confirmed:
        # The employer named this third party as the introducer: the other third parties' pending declarations of
        # the person there are declined, as when it confirms one declaration (docs/workflows.md, "Declarations by
        # third parties").
        assert hire.third_party_id is not None
        competing_declarations_decline(
            id_number_digest=hire.id_number_digest,
            employer_id=hire.employer_id,
            confirmed_third_party_id=hire.third_party_id,
            by=by,
            now=now,
        )
    outcome = "已确认系由您推荐引进" if confirmed else f"不予确认（原因：{reason.strip()}）"
    notify_many(
        recipients=User.objects.filter(third_party_id=hire.third_party_id, is_active=True),
        kind=NotificationKind.HIRE_CONFIRMATION,
        title=f"用人单位确认：{hire.name}",
        body=f"{hire.employer.name}对{hire.name}（{hire.post_name}）{outcome}。"
        + (_claimable_when(hire) if confirmed else ""),
        url=reverse("subsidies:claim_list"),
    )
    return hire


def _claimable_when(hire: Hire) -> str:
    """What the third party still waits for, once the employer confirmed: a hire already confirmed (by publicity or
    exempt from it) can be claimed now."""
    if hire.status == HireStatus.CONFIRMED:
        return "该人员已确认，现在即可申报引才补助。"
    return "经公示确认后即可申报引才补助。"


def _lock_declarations(*, id_number_digest: str | None, employer_id: int) -> list[DeclaredPerson]:
    """Every declaration of the person at the employer, locked in one order (primary key): whoever confirms the
    person for a third party holds these first, so two confirmations of the same person are serialised."""
    if not id_number_digest:
        return []
    return list(
        DeclaredPerson.objects.select_for_update(of=("self",))
        .filter(id_number_digest=id_number_digest, employer_id=employer_id)
        .order_by("pk")
    )


def competing_declarations_decline(
    *, id_number_digest: str | None, employer_id: int, confirmed_third_party_id: int, by: User, now: datetime.datetime
) -> list[DeclaredPerson]:
    """The employer has confirmed the person for ``confirmed_third_party_id`` (on a declaration, or on the office's
    record of the hire): every other third party's declaration of the person at the employer still pending is
    declined with ``COMPETING_DECLINE_REASON``, and their third parties are told. Returns the declined ones.

    The one function both ways of confirming call (``referrals.declarations.declared_person_decide`` and
    ``hire_employer_decide``); the caller holds the declarations' locks (``_lock_declarations``)."""
    competitors = [
        row
        for row in _lock_declarations(id_number_digest=id_number_digest, employer_id=employer_id)
        if row.status == DeclarationStatus.PENDING and row.third_party_id != confirmed_third_party_id
    ]
    if not competitors:
        return []
    by_pk = {
        row.pk: row
        for row in DeclaredPerson.objects.select_related("employer", "declaration").filter(
            pk__in=[row.pk for row in competitors]
        )
    }
    competitors = [by_pk[row.pk] for row in competitors]
    with set_actor(by):
        for row in competitors:
            row.status = DeclarationStatus.DECLINED
            row.decline_reason = COMPETING_DECLINE_REASON
            row.decided_by = by
            row.decided_at = now
            row.save()
    declined_declarations_tell(competitors, reason=COMPETING_DECLINE_REASON)
    return competitors


def declined_declarations_tell(people: list[DeclaredPerson], *, reason: str) -> None:
    """Each declined person's third party is told, with the reason."""
    for person in people:
        notify_many(
            recipients=User.objects.filter(third_party_id=person.third_party_id, role=Role.THIRD_PARTY, is_active=True),
            kind=NotificationKind.HIRE_CONFIRMATION,
            title=f"用人单位不予确认：{person.name}",
            body=f"{person.employer.name}对您申报的{person.name}（{person.declaration.post_name}）不予确认，"
            f"原因：{reason}。",
            url=reverse("referrals:declaration_list"),
        )
