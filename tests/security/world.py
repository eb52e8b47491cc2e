"""The world the access matrix runs in: two districts, three employers, two verified third parties, and on each
side every object some URL needs, in the states that matter — built with the factories and the services.

Every object belongs to one *side*, seen from the acting users (district A's clerk and reviewer, employer E1's
account, third party TP1's account):

=================  ==========  ==========  ===========
side               district    employer    third party
=================  ==========  ==========  ===========
own                A           E1          TP1
other_third_party  A           E1          TP2
other_employer     A           E2          TP1
other_district     B           EB          TP2
=================  ==========  ==========  ===========

So "other_district" is foreign in every way, and the two middle sides differ from "own" in one way only: a
district clerk of A sees all three A sides, employer E1 sees own and other_third_party, TP1 sees own and
other_employer. Objects that have no employer or third party (notices, batches, objections) exist on own (A)
and other_district (B) only.

Each object also carries *markers*: strings that identify it (a person's name, an ID number, a claim's reference
and amounts). A response that must not show a row must not contain any of its markers.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from portal.calendar import TenDayPeriod
from portal.calendar.workdays import calendar_year_known
from portal.constants import ImportJobKind, ImportJobStatus, NotificationKind, Role
from portal.imports.jobs import import_job_create, import_job_run
from portal.models import CalendarYear, District, Employer, Notification, ThirdParty, User
from portal.notifications.services import notify
from positions.models import Position, PositionBatch
from positions.proposals import proposal_create, proposal_return
from positions.services import PositionData
from referrals.declarations import DeclaredPost, PersonData, declaration_submit
from referrals.exporting import hire_template_workbook
from referrals.models import Hire, Objection, PublicityExemptionRule, PublicityNotice
from referrals.services import hire_report_send, notice_publish, objection_lodge
from rollups.tenday import rollup_run
from subsidies.models import Claim, ClaimAttachment
from tests.factories import (
    ClaimFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionBatchFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
    ensure_caps,
    make_id_number,
)

ANON = "anonymous"
CLERK = str(Role.DISTRICT_CLERK)
REVIEWER = str(Role.DISTRICT_REVIEWER)
EMPLOYER = str(Role.EMPLOYER)
THIRD_PARTY = str(Role.THIRD_PARTY)
CENTRE = str(Role.TALENT_CENTRE)
BUREAU = str(Role.BUREAU_REVIEWER)
ADMIN = str(Role.ADMIN)
#: Every role of portal.constants.Role, and the visitor who has not signed in.
ROLES = (ANON, CLERK, REVIEWER, EMPLOYER, THIRD_PARTY, CENTRE, BUREAU, ADMIN)

OWN = "own"
OTHER_THIRD_PARTY = "other_third_party"
OTHER_EMPLOYER = "other_employer"
OTHER_DISTRICT = "other_district"
#: For notifications: the acting user's own notice, and somebody else's.
OTHER_USER = "other_user"
#: For third parties: one that registered and waits for verification.
PENDING = "pending"
SIDES = (OWN, OTHER_THIRD_PARTY, OTHER_EMPLOYER, OTHER_DISTRICT)
#: Sides of objects that belong to a district but to no employer or third party.
DISTRICT_SIDES = (OWN, OTHER_DISTRICT)
#: Sides of objects that belong to a district and an employer but to no third party.
EMPLOYER_SIDES = (OWN, OTHER_EMPLOYER, OTHER_DISTRICT)

#: Every claim's amount is its own: a leaked amount names the row it came from.
CLAIM_AMOUNTS = {
    (OWN, "draft"): Decimal("21111.11"),
    (OWN, "submitted"): Decimal("21222.22"),
    (OWN, "approved"): Decimal("21333.33"),
    (OTHER_THIRD_PARTY, "draft"): Decimal("22111.11"),
    (OTHER_THIRD_PARTY, "submitted"): Decimal("22222.22"),
    (OTHER_THIRD_PARTY, "approved"): Decimal("22333.33"),
    (OTHER_EMPLOYER, "draft"): Decimal("23111.11"),
    (OTHER_EMPLOYER, "submitted"): Decimal("23222.22"),
    (OTHER_EMPLOYER, "approved"): Decimal("23333.33"),
    (OTHER_DISTRICT, "draft"): Decimal("24111.11"),
    (OTHER_DISTRICT, "submitted"): Decimal("24222.22"),
    (OTHER_DISTRICT, "approved"): Decimal("24333.33"),
}
SIDE_LABEL = {OWN: "本方", OTHER_THIRD_PARTY: "他机构", OTHER_EMPLOYER: "他单位", OTHER_DISTRICT: "外区"}


@dataclass(frozen=True)
class Owners:
    district: District
    employer: Employer
    third_party: ThirdParty


@dataclass
class World:
    districts: dict[str, District]
    employers: dict[str, Employer]
    third_parties: dict[str, ThirdParty]
    #: The acting user of each role (anonymous has none).
    users: dict[str, User]
    #: People who own the other sides' objects: district B's staff, the other employers' and TP2's accounts.
    bystanders: dict[str, User]
    period: TenDayPeriod
    rolled_period: TenDayPeriod
    today: datetime.date
    #: (target, side) → the object; target names say what and in which state: "hire.recorded", "claim.draft" …
    objects: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: (target, side) → strings that identify the object in any response.
    markers: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def add(self, target: str, side: str, obj: Any, *markers: str) -> Any:
        self.objects[target, side] = obj
        self.markers[target, side] = tuple(marker for marker in markers if marker)
        return obj

    def get(self, target: str, side: str) -> Any:
        return self.objects[target, side]

    def sides(self, target: str) -> list[str]:
        return [side for (name, side) in self.objects if name == target]

    def family(self, prefix: str) -> list[tuple[str, str]]:
        """Every (target, side) whose target is ``prefix`` or starts with ``prefix + "."``."""
        return [key for key in self.objects if key[0] == prefix or key[0].startswith(prefix + ".")]

    def owners(self, side: str) -> Owners:
        employer = {OWN: "E1", OTHER_THIRD_PARTY: "E1", OTHER_EMPLOYER: "E2", OTHER_DISTRICT: "EB"}[side]
        party = {OWN: "TP1", OTHER_THIRD_PARTY: "TP2", OTHER_EMPLOYER: "TP1", OTHER_DISTRICT: "TP2"}[side]
        district = "B" if side == OTHER_DISTRICT else "A"
        return Owners(self.districts[district], self.employers[employer], self.third_parties[party])

    def claimant(self, side: str) -> User:
        party = self.owners(side).third_party
        return self.users[THIRD_PARTY] if party == self.third_parties["TP1"] else self.bystanders["TP2"]

    def district_staff(self, side: str, role: str) -> User:
        if self.owners(side).district == self.districts["A"]:
            return self.users[role]
        return self.bystanders[role + "_B"]

    def bank_accounts(self) -> tuple[str, ...]:
        return tuple(party.bank_account for party in self.third_parties.values() if party.bank_account)


def _ensure_calendar(*years: int) -> None:
    """Publicity needs the official calendar of its years; a year the ``holidays`` package does not know yet (the
    suite may run in one) is entered as an admin would, so the world never depends on the date it is built."""
    for year in years:
        if not calendar_year_known(year):
            CalendarYear.objects.create(year=year, notice_reference="访问矩阵测试：按周末安排")


def _people(world: World) -> None:
    a, b = world.districts["A"], world.districts["B"]
    world.users.update(
        {
            CLERK: UserFactory(clerk=True, district=a, display_name="矩阵甲区经办"),
            REVIEWER: UserFactory(district_reviewer=True, district=a, display_name="矩阵甲区初审"),
            EMPLOYER: UserFactory(employer_user=True, employer=world.employers["E1"]),
            THIRD_PARTY: UserFactory(third_party_user=True, third_party=world.third_parties["TP1"]),
            CENTRE: UserFactory(centre=True, display_name="矩阵人才中心"),
            BUREAU: UserFactory(bureau=True, display_name="矩阵流动处"),
            ADMIN: UserFactory(admin=True, display_name="矩阵管理员"),
        }
    )
    world.bystanders.update(
        {
            CLERK + "_B": UserFactory(clerk=True, district=b),
            REVIEWER + "_B": UserFactory(district_reviewer=True, district=b),
            "E2": UserFactory(employer_user=True, employer=world.employers["E2"]),
            "EB": UserFactory(employer_user=True, employer=world.employers["EB"]),
            "TP2": UserFactory(third_party_user=True, third_party=world.third_parties["TP2"]),
        }
    )


def _positions(world: World) -> None:
    for side in EMPLOYER_SIDES:
        owners = world.owners(side)
        clerk = world.district_staff(side, CLERK)
        label = SIDE_LABEL[side]
        for state, extra in (("draft", {}), ("published", {"published": True})):
            name = f"矩阵{label}{'草稿' if state == 'draft' else '发布'}岗位"
            position = PositionFactory(
                batch__district=owners.district,
                employer=owners.employer,
                name=name,
                headcount=50,
                created_by=clerk,
                **extra,
            )
            world.add(f"position.{state}", side, position, name)
    for side in DISTRICT_SIDES:
        district = world.owners(side).district
        world.add("batch.open", side, PositionBatch.objects.get(district=district, period=str(world.period)))
        sent = PositionBatchFactory(
            district=district,
            period=str(world.period.previous()),
            status="sent",
            sent_at=timezone.now(),
            sent_by=world.district_staff(side, REVIEWER),
        )
        world.add("batch.sent", side, sent)


def _proposals(world: World) -> None:
    """Per employer: a post proposal waiting at its district and one its district returned."""
    accounts = {
        OWN: world.users[EMPLOYER],
        OTHER_EMPLOYER: world.bystanders["E2"],
        OTHER_DISTRICT: world.bystanders["EB"],
    }
    for side in EMPLOYER_SIDES:
        employer = world.owners(side).employer
        for state in ("proposed", "returned"):
            name = f"矩阵{SIDE_LABEL[side]}{'待处理' if state == 'proposed' else '被退回'}需求"
            data = PositionData(
                employer=employer,
                channel="bounty_list",
                name=name,
                headcount=2,
                education="master",
                majors="机械工程",
                competencies="",
                recruits_graduates=False,
                salary_text="面议",
            )
            proposal = proposal_create(data=data, by=accounts[side])
            if state == "returned":
                proposal = proposal_return(
                    proposal=proposal, reason="矩阵退回：请补充。", by=world.district_staff(side, CLERK)
                )
            world.add(f"proposal.{state}", side, proposal, name)


def _hire(world: World, side: str, state: str, *, position: Position | None = None, **fields: Any) -> Hire:
    owners = world.owners(side)
    name = f"矩阵{SIDE_LABEL[side]}{state}人"
    hire = HireFactory(
        position=position or world.get("position.published", _post_side(side)),
        third_party=owners.third_party,
        employer_confirmation="pending",
        recorded_by=world.district_staff(side, CLERK),
        name=name,
        **fields,
    )
    world.add(f"hire.{state}", side, hire, name, hire.id_number)
    return hire


def _post_side(side: str) -> str:
    """The side of the published post where a hire of ``side`` works (posts have no third party)."""
    return side if side in EMPLOYER_SIDES else OWN


def _hires(world: World) -> None:
    for side in SIDES:
        _hire(world, side, "recorded")
        _hire(world, side, "audited", status="audited")
        _hire(world, side, "pending", status="confirmed", confirmed_at=timezone.now())


def _notices(world: World) -> None:
    """Per district: a notice under publicity now (public) and one whose publicity ended (staff only), each with an
    objection lodged while it ran."""
    for side in DISTRICT_SIDES:
        clerk = world.district_staff(side, CLERK)
        open_hire = _hire(world, side, "publicity", status="audited")
        notice = notice_publish(
            hires=[open_hire], published_on=world.today, title=f"矩阵{SIDE_LABEL[side]}公示", by=clerk
        )
        world.add("notice.open", side, notice, notice.reference)
        objection = objection_lodge(
            hire=open_hire,
            name=f"矩阵{SIDE_LABEL[side]}异议人",
            phone=f"1380000000{DISTRICT_SIDES.index(side) + 1}",
            statement="该人员的学历信息与实际情况不符，请核查。",
        )
        world.add("objection", side, objection, objection.name, objection.receipt)

        published_on = world.today - datetime.timedelta(days=40)
        then = timezone.make_aware(datetime.datetime.combine(published_on, datetime.time(9)))
        closed_hire = _hire(world, side, "closed", status="audited")
        closed = notice_publish(
            hires=[closed_hire], published_on=published_on, title=f"矩阵{SIDE_LABEL[side]}旧公示", by=clerk, now=then
        )
        world.add("notice.closed", side, closed, closed.reference)


def _claim(world: World, side: str, state: str) -> Claim:
    owners = world.owners(side)
    claimant = world.claimant(side)
    hire = claimable_hire(
        owners.third_party,
        position=world.get("position.published", _post_side(side)),
        name=f"矩阵{SIDE_LABEL[side]}申报{state}人",
        recorded_by=world.district_staff(side, CLERK),
    )
    amount = CLAIM_AMOUNTS[side, state]
    claim = ClaimFactory(
        by=claimant,
        employer=owners.employer,
        hires=[hire],
        amounts=[amount],
        employer_contact="矩阵联系人",
        employer_phone="023-66666666",
        attached=True,
        status=state,
        centre=world.users[CENTRE],
        bureau=world.users[BUREAU],
        first_opinion="材料齐全。",
        second_opinion="同意。",
    )
    markers = (claim.reference, f"{amount:,.2f}", f"{amount}")
    world.add(f"claim.{state}", side, claim, *markers)
    world.add(f"hire.claim_{state}", side, hire, hire.name, hire.id_number)
    attachment = ClaimAttachment.objects.filter(claim=claim, kind="annex2").get()
    world.add(f"attachment.{state}", side, attachment, claim.reference)
    return claim


def _claims(world: World) -> None:
    for side in SIDES:
        for state in ("draft", "submitted", "approved"):
            _claim(world, side, state)
    # A hire each third party may still claim (on no claim yet), at employer E1.
    for side in (OWN, OTHER_THIRD_PARTY):
        hire = claimable_hire(
            world.owners(side).third_party,
            position=world.get("position.published", OWN),
            name=f"矩阵{SIDE_LABEL[side]}可申报人",
            recorded_by=world.users[CLERK],
        )
        world.add("hire.spare", side, hire, hire.name, hire.id_number)
    # An attachment asked for under the wrong claim: TP1's own draft, with district B's draft's file.
    world.add(
        "attachment.mismatched",
        OTHER_DISTRICT,
        (world.get("claim.draft", OWN), world.get("attachment.draft", OTHER_DISTRICT)),
        world.get("claim.draft", OTHER_DISTRICT).reference,
    )


def _declarations(world: World) -> None:
    """Per side: a person its third party declared at its employer (a post not in the portal), awaiting the employer."""
    for number, side in enumerate(SIDES, start=1):
        owners = world.owners(side)
        name = f"矩阵{SIDE_LABEL[side]}申报人员"
        declaration = declaration_submit(
            post=DeclaredPost(
                employer=owners.employer, post_name=f"矩阵{SIDE_LABEL[side]}申报岗位", channel="bounty_list"
            ),
            people=[
                PersonData(
                    name=name,
                    id_number=make_id_number(860 + number, birthday="19950505"),
                    mode="full_time",
                    contract_term="3年",
                    programme="haiju",
                    work_experience="2018-2025 某研究院 工程师",
                )
            ],
            by=world.claimant(side),
        )
        person = declaration.people.get()
        world.add("declaration", side, declaration, name, person.id_number)
        world.add("declared.pending", side, person, name, person.id_number)


def _reports_and_rollup(world: World) -> None:
    for side in DISTRICT_SIDES:
        hire_report_send(
            district=world.owners(side).district,
            period=world.period.previous(),
            by=world.district_staff(side, REVIEWER),
            note="矩阵旬报",
        )
    rollup_run(period=world.rolled_period)


def _notifications(world: World) -> None:
    for role, user in world.users.items():
        title = f"矩阵通知给{role}"
        note = notify(recipient=user, kind=NotificationKind.ACCOUNT, title=title, body=title, url="/workspace/")
        world.add(f"notification.{role}", OWN, note, title)
    other = world.bystanders["TP2"]
    title = "矩阵通知给他人"
    note = notify(recipient=other, kind=NotificationKind.ACCOUNT, title=title, body=title, url="/workspace/")
    world.add("notification", OTHER_USER, note, title)


def _import_sheet(position: Position, name: str, id_number: str) -> bytes:
    """The blank Annex 3 sheet the portal hands out, with one arrival at ``position`` filled in."""
    workbook = load_workbook(io.BytesIO(hire_template_workbook()))
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            1,
            name,
            id_number,
            position.name,
            "全职",
            "3年",
            "重庆大学",
            "机械工程",
            "硕士",
            "",
            "",
            None,
            "2016年起从事机械设计",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import_jobs(world: World) -> None:
    """Per district: a clerk's sheet import, checked by the worker and waiting for its owner's confirmation."""
    for number, side in enumerate(DISTRICT_SIDES, start=1):
        clerk = world.district_staff(side, CLERK)
        assert clerk.district is not None
        name = f"矩阵{SIDE_LABEL[side]}导入人"
        job = import_job_create(
            kind=ImportJobKind.HIRES,
            data=_import_sheet(world.get("position.published", side), name, make_id_number(800 + number)),
            filename=f"矩阵{SIDE_LABEL[side]}导入.xlsx",
            district=clerk.district,
            period=None,
            by=clerk,
        )
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ImportJobStatus.AWAITING_CONFIRMATION, job.message
        world.add("import_job", side, job, job.filename)


def build_world() -> World:
    """The whole world (a few seconds): factories for rows, services for every step that has rules."""
    today = timezone.localdate()
    _ensure_calendar(today.year - 1, today.year, today.year + 1)
    ensure_caps()
    PublicityExemptionRule.objects.get_or_create(name="矩阵不公示规则")
    districts = {
        "A": DistrictFactory(name="矩阵甲区", code="MXA01"),
        "B": DistrictFactory(name="矩阵乙区", code="MXB01"),
    }
    employers = {
        "E1": EmployerFactory(district=districts["A"], name="矩阵本单位有限公司"),
        "E2": EmployerFactory(district=districts["A"], name="矩阵他单位有限公司"),
        "EB": EmployerFactory(district=districts["B"], name="矩阵外区单位有限公司"),
    }
    third_parties = {
        "TP1": ThirdPartyFactory(verified=True, name="矩阵本机构", bank_account="6217000011112222333"),
        "TP2": ThirdPartyFactory(verified=True, name="矩阵他机构", bank_account="6217000044445555666"),
        PENDING: ThirdPartyFactory(
            individual=True, name="矩阵待核验个人", id_number=make_id_number(777, birthday="19880808")
        ),
    }
    period = TenDayPeriod.current()
    world = World(
        districts=districts,
        employers=employers,
        third_parties=third_parties,
        users={},
        bystanders={},
        period=period,
        rolled_period=period.previous(),
        today=today,
    )
    for side, key in ((OWN, "A"), (OTHER_DISTRICT, "B")):
        world.add("district", side, districts[key], districts[key].name)
    for side, key in ((OWN, "E1"), (OTHER_EMPLOYER, "E2"), (OTHER_DISTRICT, "EB")):
        world.add("employer", side, employers[key], employers[key].name)
    for side, key in ((OWN, "TP1"), (OTHER_THIRD_PARTY, "TP2")):
        world.add("third_party", side, third_parties[key], third_parties[key].name)
    world.add("third_party.pending", PENDING, third_parties[PENDING])
    _people(world)
    _positions(world)
    _proposals(world)
    _hires(world)
    _notices(world)
    _claims(world)
    _declarations(world)
    _reports_and_rollup(world)
    _import_jobs(world)
    _notifications(world)
    for obj in world.objects.values():
        # The services worked on their own copies: the world holds the rows as they are now.
        if hasattr(obj, "refresh_from_db"):
            obj.refresh_from_db()
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert Objection.objects.count() == 2 and PublicityNotice.objects.count() == 4
    return world
