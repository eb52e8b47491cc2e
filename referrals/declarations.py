"""Writes of third parties' declarations (申报): a third party names the people it introduced to an employer, the
employer confirms or declines each, and a confirmed person reaches the office that audits hires.

The rules (docs/workflows.md, "Declarations by third parties"):

* Only a verified third party declares; the employer must be identifiable (a credit code or a district); the post is
  one of the employer's posts on the portal's lists, or a post not in the portal given by its name and channel.
* Each person's Annex 3 fields go through ``referrals.services.hire_validate``, the clerk's own rules.
* A third party holds one declaration of a person at an employer (pending or confirmed): a second is refused, so a
  double click or a resubmitted sheet adds nothing. A person the employer already confirmed for another third party
  cannot be declared.
* The employer confirms at most one third party per person. Confirming one declines the other pending declarations
  of the same person at the same employer (their third parties are told why). The person's declarations are locked
  (``select_for_update``) while deciding, and a conditional unique constraint backs the rule under concurrency.
* A confirmed person becomes a hire awaiting the audit of the employer's district (the talent centre's where the
  employer has no district), recorded by the confirming employer account; if that office already recorded the
  person at the employer, the third party is attached to that hire instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import permissions as p
from portal.audit.recording import set_actor
from portal.constants import DISTRICT_ROLES, NotificationKind, Role
from portal.contacts import TALENT_CENTRE
from portal.errors import PermissionDenied, PortalError
from portal.models import Employer, ThirdParty, User
from portal.notifications.services import notify_many
from portal.security.crypto import keyed_digests
from positions.models import Position
from referrals import selectors
from referrals.constants import (
    COMPETING_DECLINE_REASON,
    DECLARATION_HELD,
    DeclarationStatus,
    EmployerConfirmation,
    HireStatus,
)
from referrals.eligibility import GraduateWindows, audit_problems
from referrals.models import Declaration, DeclaredPerson, Hire
from referrals.services import (
    HireData,
    competing_declarations_decline,
    declined_declarations_tell,
    duplicate_person_message,
    hire_validate,
)

#: The Annex 3 fields a declared person carries over to the hire (``hire_validate`` gives them cleaned).
PERSON_FIELDS = (
    "name",
    "id_number",
    "mode",
    "contract_term",
    "programme",
    "school",
    "major",
    "education",
    "title_rank",
    "skill_level",
    "arrived_on",
    "work_experience",
    "other_conditions",
)


@dataclass(frozen=True)
class DeclaredPost:
    """The post the people arrived at: one of the employer's posts on the portal, or a name and a channel."""

    employer: Employer
    position: Position | None = None
    channel: str = ""
    post_name: str = ""


@dataclass(frozen=True)
class PersonData:
    """One person's Annex 3 fields as the third party declares them, required first."""

    name: str
    id_number: str
    mode: str
    contract_term: str
    programme: str = ""
    school: str = ""
    major: str = ""
    education: str = ""
    graduated_on: datetime.date | None = None
    title_rank: str = ""
    skill_level: str = ""
    arrived_on: datetime.date | None = None
    work_experience: str = ""
    other_conditions: str = ""


def _hire_data(post: DeclaredPost, person: PersonData, third_party: ThirdParty | None) -> HireData:
    return HireData(
        position=post.position,
        employer=post.employer,
        channel=post.channel,
        post_name=post.post_name,
        name=person.name,
        id_number=person.id_number,
        mode=person.mode,
        contract_term=person.contract_term,
        programme=person.programme or None,
        third_party=third_party,
        school=person.school,
        major=person.major,
        education=person.education,
        title_rank=person.title_rank,
        skill_level=person.skill_level,
        arrived_on=person.arrived_on,
        work_experience=person.work_experience,
        other_conditions=person.other_conditions,
        graduated_on=person.graduated_on,
    )


def post_errors(post: DeclaredPost) -> list[PortalError]:
    """What is wrong with the declared post itself (employer and post), in the order of the form."""
    errors: list[PortalError] = []
    if not selectors.declarable_employers().filter(pk=post.employer.pk).exists():
        errors.append(
            PortalError(
                "该用人单位尚无统一社会信用代码或所在区县，无法确认其身份，请联系市人才交流服务中心补充后再申报。",
                "employer_unknown",
                field="employer",
            )
        )
    if post.position is not None and post.position.employer_id != post.employer.pk:
        errors.append(PortalError("所选岗位不属于该用人单位。", "position_of_other_employer", field="position"))
    return errors


def person_validate(
    post: DeclaredPost, person: PersonData, *, windows: GraduateWindows
) -> tuple[dict[str, object], list[PortalError]]:
    """One person's fields, cleaned, and each rule they break (the clerk's rules: ``hire_validate``, with the 应届
    window of the person's programme year, as the clerk's hire would have). No query."""
    year = (person.arrived_on or timezone.localdate()).year
    window = windows.for_year(year)
    fields, errors = hire_validate(_hire_data(post, person, None), window=window)
    if not errors:
        # A clerk may leave a missing fact for the audit; the third party gives its programme's facts now, or the
        # hire would stall at the audit with nobody holding the person's papers to supply them.
        errors = audit_problems(
            programme=str(fields["programme"]),
            mode=person.mode,
            graduated_on=person.graduated_on,
            work_experience=person.work_experience,
            window=window,
        )
    # The post's own errors are reported once for the declaration, not once per person.
    errors = [error for error in errors if error.field not in {"position", "post_name", "channel"}]
    person_fields = {name: fields[name] for name in PERSON_FIELDS}
    person_fields["graduated_on"] = person.graduated_on
    return person_fields, errors


def _who(index: int, name: str) -> str:
    return f"第{index}位人员（{name}）" if name.strip() else f"第{index}位人员"


def declaration_refusals(*, post: DeclaredPost, id_numbers: Sequence[str], third_party: ThirdParty) -> dict[str, str]:
    """ID number → why that person cannot be declared by ``third_party`` at the post's employer now: it already holds
    a declaration of them there, or the employer has confirmed them for another third party (on a declaration, or on
    the district's own record). Two queries, whatever the number of people."""
    number_of = keyed_digests(id_numbers)
    refusals: dict[str, str] = {}
    held = DeclaredPerson.objects.filter(
        id_number_digest__in=list(number_of), employer=post.employer, status__in=DECLARATION_HELD
    ).values_list("id_number_digest", "third_party_id", "status")
    for digest, party_id, status in held:
        if party_id == third_party.pk:
            label = DeclarationStatus(status).label
            refusals[number_of[digest]] = f"您已申报过该人员（{label}），不能重复申报。"
        elif status == DeclarationStatus.CONFIRMED:
            refusals.setdefault(number_of[digest], f"{COMPETING_DECLINE_REASON}，不能再申报。")
    recorded = (
        Hire.objects.filter(
            id_number_digest__in=list(number_of),
            employer=post.employer,
            third_party__isnull=False,
            employer_confirmation=EmployerConfirmation.CONFIRMED,
        )
        .exclude(status=HireStatus.FAILED)
        .values_list("id_number_digest", "third_party_id")
    )
    for digest, party_id in recorded:
        if party_id == third_party.pk:
            refusals.setdefault(number_of[digest], "用人单位已确认该人员系由您推荐引进，无需再申报。")
        else:
            refusals.setdefault(number_of[digest], f"{COMPETING_DECLINE_REASON}，不能再申报。")
    return refusals


def require_declarer(by: User) -> ThirdParty:
    """The account's third party, if it may declare (verified), or ``PermissionDenied``."""
    if not p.is_verified_third_party.test(by) or by.third_party is None:
        raise PermissionDenied("只有注册信息已核验的第三方可以申报推荐引进的人员。")
    return by.third_party


@transaction.atomic
def declaration_submit(*, post: DeclaredPost, people: Sequence[PersonData], by: User) -> Declaration:
    """The third party declares that it introduced ``people`` to the post: all of them, or none (the first error,
    naming the person). The employer's accounts are told."""
    third_party = require_declarer(by)
    errors = post_errors(post)
    windows = GraduateWindows.load()
    post_fields, hire_errors = hire_validate(
        _hire_data(post, people[0], None) if people else _empty(post),
        window=windows.for_year(timezone.localdate().year),
    )
    errors += [error for error in hire_errors if error.field in {"position", "post_name", "channel"}]
    if errors:
        raise errors[0]
    if not people:
        raise PortalError("请至少填写一位人员。", "no_people", field="people")
    cleaned: list[dict[str, object]] = []
    first_of: dict[str, int] = {}
    for index, person in enumerate(people, start=1):
        fields, person_errors = person_validate(post, person, windows=windows)
        if person_errors:
            error = person_errors[0]
            raise PortalError(f"{_who(index, person.name)}：{error.message}", error.code, field=error.field)
        number = str(fields["id_number"])
        if number in first_of:
            raise PortalError(
                f"{_who(index, person.name)}：与第{first_of[number]}位人员的身份证号码重复。",
                "duplicate_in_declaration",
                field="id_number",
            )
        first_of[number] = index
        cleaned.append(fields)
    refusals = declaration_refusals(post=post, id_numbers=list(first_of), third_party=third_party)
    for index, fields in enumerate(cleaned, start=1):
        refusal = refusals.get(str(fields["id_number"]))
        if refusal:
            raise PortalError(f"{_who(index, str(fields['name']))}：{refusal}", "already_declared", field="id_number")
    try:
        with transaction.atomic(), set_actor(by):
            declaration = Declaration.objects.create(
                third_party=third_party,
                employer=post.employer,
                position=post.position,
                channel=str(post_fields["channel"]),
                post_name=str(post_fields["post_name"]),
                submitted_by=by,
            )
            for fields in cleaned:
                DeclaredPerson.objects.create(
                    declaration=declaration, employer=post.employer, third_party=third_party, **fields
                )
    except IntegrityError:
        # The same declaration submitted twice at the same moment: the unique constraint kept the first.
        raise PortalError(
            "您刚刚已提交过这些人员的申报，请在“我的推荐申报”中查看，不要重复提交。", "already_declared"
        ) from None
    notify_many(
        recipients=_employer_users(post.employer),
        kind=NotificationKind.HIRE_CONFIRMATION,
        title=f"第三方申报待确认：{third_party.name}",
        body=f"{third_party.name}申报向本单位“{declaration.post_name}”岗位推荐引进了{len(cleaned)}名人员，"
        "请核实后逐人确认或不予确认（附件3）。",
        url=reverse("referrals:employer_declarations"),
    )
    return declaration


def _empty(post: DeclaredPost) -> HireData:
    """A person-less ``HireData`` to check the post alone (the person's errors are then ignored)."""
    return HireData(
        name="", id_number="", mode="", contract_term="", position=post.position, employer=post.employer,
        channel=post.channel, post_name=post.post_name,
    )  # fmt: skip


def _employer_users(employer: Employer) -> list[User]:
    return list(User.objects.filter(employer=employer, role=Role.EMPLOYER, is_active=True))


def _third_party_users(party_id: int) -> list[User]:
    return list(User.objects.filter(third_party_id=party_id, role=Role.THIRD_PARTY, is_active=True))


def _office_users(hire: Hire) -> list[User]:
    """Who audits the hire: its district's clerks and reviewers, or the talent centre's officers."""
    if hire.district_id is None:
        return list(User.objects.filter(role=Role.TALENT_CENTRE, is_active=True))
    return list(User.objects.filter(role__in=DISTRICT_ROLES, district_id=hire.district_id, is_active=True))


@transaction.atomic
def declared_person_withdraw(*, person: DeclaredPerson, by: User) -> DeclaredPerson:
    """The third party withdraws a person its employer has not answered yet."""
    person = DeclaredPerson.objects.select_for_update().get(pk=person.pk)
    if not (p.is_third_party.test(by) and by.third_party_id == person.third_party_id):
        raise PermissionDenied("只能撤回本机构申报的人员。")
    if person.status != DeclarationStatus.PENDING:
        raise PortalError(
            f"{person.name}的申报当前为“{person.get_status_display()}”，只能撤回待单位确认的申报。", "not_pending"
        )
    with set_actor(by):
        person.status = DeclarationStatus.WITHDRAWN
        person.save()
    return person


def _decline(person: DeclaredPerson, *, reason: str, by: User, now: datetime.datetime) -> None:
    person.status = DeclarationStatus.DECLINED
    person.decline_reason = reason
    person.decided_by = by
    person.decided_at = now
    person.save()


@transaction.atomic
def declared_person_decide(
    *, person: DeclaredPerson, confirmed: bool, by: User, reason: str = "", now: datetime.datetime | None = None
) -> DeclaredPerson:
    """Annex 3 确认 of a declared person by its employer: confirmed, it becomes a hire awaiting audit (or joins the
    office's own record of the person); declined, with the reason, the third party is told why."""
    now = now or timezone.now()
    # Every declaration of this person at this employer, locked in one order: two accounts of the employer deciding
    # two competing declarations at once are serialised here (the unique constraint decides if this is bypassed).
    target = DeclaredPerson.objects.only("id_number_digest", "employer_id").get(pk=person.pk)
    same_person = list(
        DeclaredPerson.objects.select_for_update()
        .filter(id_number_digest=target.id_number_digest, employer_id=target.employer_id)
        .select_related("declaration", "third_party", "employer")
        .order_by("pk")
    )
    person = next(row for row in same_person if row.pk == target.pk)
    if not (p.is_employer.test(by) and by.employer_id == person.employer_id):
        raise PermissionDenied("只有人员所在用人单位可以确认。")
    if person.status != DeclarationStatus.PENDING:
        raise PortalError(f"{person.name}的申报已处理（{person.get_status_display()}）。", "already_decided")
    if not confirmed:
        if not reason.strip():
            raise PortalError("请填写不予确认的原因。", "reason_required", field="reason")
        with set_actor(by):
            _decline(person, reason=reason.strip(), by=by, now=now)
        declined_declarations_tell([person], reason=reason.strip())
        return person
    if any(row.status == DeclarationStatus.CONFIRMED for row in same_person):
        raise PortalError(f"{COMPETING_DECLINE_REASON}，本申报不能再确认。", "confirmed_for_other")
    hire, created = _hire_for(person, by=by, now=now)
    try:
        with transaction.atomic(), set_actor(by):
            person.status = DeclarationStatus.CONFIRMED
            person.hire = hire
            person.decided_by = by
            person.decided_at = now
            person.decline_reason = ""
            person.save()
    except IntegrityError:
        raise PortalError(f"{COMPETING_DECLINE_REASON}，本申报不能再确认。", "confirmed_for_other") from None
    # The same rule and notice as when the employer confirms the third party on the office's record of the hire.
    competing_declarations_decline(
        id_number_digest=person.id_number_digest,
        employer_id=person.employer_id,
        confirmed_third_party_id=person.third_party_id,
        by=by,
        now=now,
    )
    notify_many(
        recipients=_third_party_users(person.third_party_id),
        kind=NotificationKind.HIRE_CONFIRMATION,
        title=f"用人单位确认：{person.name}",
        body=f"{person.employer.name}已确认{person.name}（{person.declaration.post_name}）系由您推荐引进，"
        f"人员已转入{hire.district.name + '人力社保局' if hire.district else TALENT_CENTRE}审核，"
        "经审核、公示确认后即可申报引才补助。",
        url=reverse("referrals:declaration_list"),
    )
    if created:
        office = hire.district.name if hire.district else TALENT_CENTRE
        notify_many(
            recipients=_office_users(hire),
            kind=NotificationKind.HIRE_CONFIRMATION,
            title=f"新的到岗人员待初审：{hire.name}",
            body=f"{person.third_party.name}申报、{person.employer.name}已确认的到岗人员{hire.name}"
            f"（{hire.post_name}）已转入{office}，请审核。",
            url=reverse("referrals:hire_detail", args=[hire.pk]) if hire.district_id else reverse("portal:workspace"),
        )
    return person


def _hire_for(person: DeclaredPerson, *, by: User, now: datetime.datetime) -> tuple[Hire, bool]:
    """The hire a confirmed person is: the office's own record of them at the employer (the third party attached
    to it), or a new one awaiting audit. ``(hire, created)``."""
    existing = (
        Hire.objects.select_for_update(of=("self",))
        .filter(id_number_digest=person.id_number_digest, employer_id=person.employer_id)
        .exclude(status=HireStatus.FAILED)
        .select_related("third_party")
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return _attach(existing, person, by=by, now=now), False
    return _create_hire(person, by=by, now=now), True


def _attach(hire: Hire, person: DeclaredPerson, *, by: User, now: datetime.datetime) -> Hire:
    other = hire.third_party if hire.third_party_id not in (None, person.third_party_id) else None
    if other is not None and hire.employer_confirmation == EmployerConfirmation.CONFIRMED:
        raise PortalError(
            f"区县登记{hire.name}时注明由{other.name}推荐引进，且本单位已确认，不能再确认其他第三方的申报。"
            "如确有错误，请联系区县人力社保部门。",
            "confirmed_for_other",
        )
    if other is not None and hire.employer_confirmation == EmployerConfirmation.PENDING:
        raise PortalError(
            f"区县登记{hire.name}时注明由{other.name}推荐引进，正等待本单位确认：请先在“引进人才”页处理该确认"
            "（不予确认后，即可确认本申报）。",
            "pending_for_other",
        )
    # No third party yet, the same one, or one the employer declined: the declarer is the introducer.
    with set_actor(by):
        hire.third_party_id = person.third_party_id
        hire.employer_confirmation = EmployerConfirmation.CONFIRMED
        hire.employer_confirmed_by = by
        hire.employer_confirmed_at = now
        hire.employer_decline_reason = ""
        hire.save()
    return hire


def _create_hire(person: DeclaredPerson, *, by: User, now: datetime.datetime) -> Hire:
    declaration = person.declaration
    post = DeclaredPost(
        employer=person.employer,
        position=declaration.position,
        channel=declaration.channel,
        post_name=declaration.post_name,
    )
    data = _hire_data(post, _person_data(person), person.third_party)
    year = (person.arrived_on or timezone.localdate(now)).year
    fields, errors = hire_validate(data, window=GraduateWindows.load().for_year(year))
    if errors:
        # The post may have been withdrawn since the declaration, or the data predates a rule.
        raise PortalError(f"{person.name}：{errors[0].message}", errors[0].code, field=errors[0].field)
    programme = str(fields["programme"])
    clash = (
        Hire.objects.filter(id_number_digest=person.id_number_digest, programme=programme, year=year)
        .select_related("district")
        .first()
    )
    if clash is not None:
        where = clash.district.name if clash.district else "市人才交流服务中心"
        raise PortalError(
            duplicate_person_message(subject="该人员", district_name=where, programme=programme, year=year),
            "duplicate_person",
        )
    fields.update(
        # The office that audits the hire is the employer's district (the talent centre where it has none).
        district_id=person.employer.district_id,
        year=year,
        employer_confirmation=EmployerConfirmation.CONFIRMED,
        employer_confirmed_by=by,
        employer_confirmed_at=now,
        # Recorded by the employer's account that confirmed it: the office's staff audit what the employer stamped.
        recorded_by=by,
    )
    try:
        with transaction.atomic(), set_actor(by):
            return Hire.objects.create(**fields)
    except IntegrityError:
        raise PortalError(
            duplicate_person_message(subject="该人员", district_name="其他区县", programme=programme, year=year),
            "duplicate_person",
        ) from None


def _person_data(person: DeclaredPerson) -> PersonData:
    return PersonData(
        name=person.name,
        id_number=person.id_number,
        mode=person.mode,
        contract_term=person.contract_term,
        programme=person.programme,
        school=person.school,
        major=person.major,
        education=person.education,
        graduated_on=person.graduated_on,
        title_rank=person.title_rank,
        skill_level=person.skill_level,
        arrived_on=person.arrived_on,
        work_experience=person.work_experience,
        other_conditions=person.other_conditions,
    )
