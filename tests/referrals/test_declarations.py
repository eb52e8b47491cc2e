"""Third parties declare the people they introduced; employers confirm or decline; a confirmed person is audited."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from portal.errors import PermissionDenied, PortalError
from portal.models import District, Employer, Notification, User
from positions.models import Position
from referrals.constants import COMPETING_DECLINE_REASON, DeclarationStatus, EmployerConfirmation, HireStatus
from referrals.declarations import (
    DeclaredPost,
    PersonData,
    declaration_submit,
    declared_person_decide,
    declared_person_withdraw,
)
from referrals.models import DeclaredPerson, Hire
from referrals.selectors import declared_people_followed, employer_declared_people
from referrals.services import hire_employer_decide, hire_move, notice_publish, notices_confirm_closed
from subsidies.selectors import claimable_hires
from subsidies.services import ClaimData, ClaimLine, claim_create
from tests.factories import (
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def employer(district: District) -> Employer:
    return EmployerFactory(district=district)


@pytest.fixture
def position(employer: Employer) -> Position:
    return PositionFactory(batch__district=employer.district, employer=employer, published=True)


@pytest.fixture
def headhunter() -> User:
    return UserFactory(third_party_user=True, third_party__verified=True)


@pytest.fixture
def rival() -> User:
    return UserFactory(third_party_user=True, third_party__verified=True)


@pytest.fixture
def hr(employer: Employer) -> User:
    return UserFactory(employer_user=True, employer=employer)


def person(n: int = 1, **extra: Any) -> PersonData:
    fields: dict[str, Any] = {
        "name": f"申报人{n}",
        "id_number": make_id_number(7000 + n),
        "mode": "full_time",
        "contract_term": "3年",
        "arrived_on": datetime.date(2026, 2, 2),
        "graduated_on": datetime.date(2025, 6, 30),
    }
    return PersonData(**(fields | extra))


def declare(by: User, post: DeclaredPost, *people: PersonData) -> list[DeclaredPerson]:
    declaration = declaration_submit(post=post, people=list(people) or [person()], by=by)
    return list(declaration.people.order_by("pk"))


# --- declaring ----------------------------------------------------------------------------------------------------


def test_a_verified_third_party_declares_people_at_a_portal_post(
    headhunter: User, position: Position, hr: User
) -> None:
    first, second = declare(
        headhunter, DeclaredPost(employer=position.employer, position=position), person(1), person(2)
    )
    assert first.status == DeclarationStatus.PENDING and first.third_party == headhunter.third_party
    assert first.declaration.post_name == position.name and first.declaration.channel == position.channel
    assert first.programme == "qihang"  # the post recruits graduates
    assert first.graduated_on == datetime.date(2025, 6, 30)
    assert Notification.objects.filter(recipient=hr, title__contains=headhunter.third_party.name).exists()
    entry = LogEntry.objects.get_for_object(first).get()
    assert first.id_number not in str(entry.changes)
    assert second.id_number not in Notification.objects.get(recipient=hr).body


def test_a_post_not_in_the_portal_needs_its_name_channel_and_a_programme_the_facts_decide(
    headhunter: User, employer: Employer
) -> None:
    with pytest.raises(PortalError, match="岗位名称"):
        declare(headhunter, DeclaredPost(employer=employer, channel="bounty_list"))
    with pytest.raises(PortalError, match="渠道"):
        declare(headhunter, DeclaredPost(employer=employer, post_name="工艺工程师", channel="x"))
    # Nothing from the post says the programme: without a graduation date or a work history there is none.
    with pytest.raises(PortalError, match=r"第1位人员.*请填写毕业时间（启航）或工作经历（海聚）"):
        declare(
            headhunter,
            DeclaredPost(employer=employer, post_name="工艺工程师", channel="bounty_list"),
            person(graduated_on=None),
        )
    [declared] = declare(
        headhunter,
        DeclaredPost(employer=employer, post_name=" 工艺  工程师 ", channel="special_recruitment"),
        person(programme="haiju", work_experience="2018-2025 某研究院 工程师"),
    )
    assert declared.declaration.position is None and declared.declaration.post_name == "工艺 工程师"
    assert not DeclaredPerson.objects.exclude(pk=declared.pk).exists()  # the refused ones wrote nothing


def test_the_person_fields_follow_the_clerks_rules(headhunter: User, position: Position) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    with pytest.raises(PortalError, match=r"第2位人员（申报人2）：.*校验") as caught:
        declare(headhunter, post, person(1), person(2, id_number="500103199901010050"))
    assert caught.value.field == "id_number"
    with pytest.raises(PortalError, match="引进方式"):
        declare(headhunter, post, person(1, mode="part_time"))
    with pytest.raises(PortalError, match="与第1位人员的身份证号码重复"):
        declare(headhunter, post, person(1), person(2, id_number=person(1).id_number))
    assert not DeclaredPerson.objects.exists()


def test_who_may_declare_and_where(headhunter: User, position: Position) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    with pytest.raises(PermissionDenied, match="核验"):
        declare(UserFactory(third_party_user=True), post)
    with pytest.raises(PermissionDenied):
        declare(UserFactory(employer_user=True, employer=position.employer), post)
    with pytest.raises(PortalError, match="不属于该用人单位"):
        declare(headhunter, DeclaredPost(employer=EmployerFactory(), position=position))
    with pytest.raises(PortalError, match="已发布"):
        draft = PositionFactory(employer=position.employer, batch__district=position.district)
        declare(headhunter, DeclaredPost(employer=position.employer, position=draft))
    unknown = EmployerFactory(credit_code=None, district=None)
    with pytest.raises(PortalError, match="统一社会信用代码或所在区县"):
        declare(headhunter, DeclaredPost(employer=unknown, post_name="工程师", channel="bounty_list"))


def test_the_same_third_party_cannot_declare_a_person_twice(headhunter: User, position: Position, hr: User) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    [declared] = declare(headhunter, post)
    with pytest.raises(PortalError, match="您已申报过该人员（待单位确认）"):
        declare(headhunter, post)
    declared_person_decide(person=declared, confirmed=True, by=hr)
    with pytest.raises(PortalError, match="您已申报过该人员（单位已确认）"):
        declare(headhunter, post)
    assert DeclaredPerson.objects.count() == 1


def test_a_declined_or_withdrawn_person_may_be_declared_again(headhunter: User, position: Position, hr: User) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    [first] = declare(headhunter, post)
    declared_person_withdraw(person=first, by=headhunter)
    [second] = declare(headhunter, post)
    declared_person_decide(person=second, confirmed=False, by=hr, reason="合同尚未签订")
    [third] = declare(headhunter, post)
    assert third.status == DeclarationStatus.PENDING


# --- the employer answers -----------------------------------------------------------------------------------------


def test_confirming_creates_a_hire_awaiting_the_districts_audit(
    headhunter: User, position: Position, hr: User, clerk: User, reviewer: User
) -> None:
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    declared = declared_person_decide(person=declared, confirmed=True, by=hr)
    hire = declared.hire
    assert hire is not None and declared.status == DeclarationStatus.CONFIRMED and declared.decided_by == hr
    assert hire.status == HireStatus.RECORDED and hire.district == position.employer.district
    assert hire.third_party == headhunter.third_party and hire.employer_confirmation == EmployerConfirmation.CONFIRMED
    assert hire.employer_confirmed_by == hr and hire.employer_confirmed_at is not None
    assert hire.recorded_by == hr and hire.position == position and hire.year == 2026
    assert hire.id_number == declared.id_number and hire.programme == "qihang"
    for user in (clerk, reviewer, headhunter):
        assert Notification.objects.filter(recipient=user).exists()


def test_a_declared_post_at_a_base_without_district_goes_to_the_talent_centre(headhunter: User) -> None:
    base = EmployerFactory(district=None)
    centre = UserFactory(centre=True)
    hr = UserFactory(employer_user=True, employer=base)
    [declared] = declare(
        headhunter,
        DeclaredPost(employer=base, post_name="基地工程师", channel="special_recruitment"),
        person(programme="haiju", work_experience="2018-2025 某研究院 工程师", arrived_on=datetime.date(2025, 12, 1)),
    )
    hire = declared_person_decide(person=declared, confirmed=True, by=hr).hire
    assert hire is not None and hire.district is None and hire.position is None
    assert (hire.post_name, hire.channel, hire.programme, hire.year) == (
        "基地工程师",
        "special_recruitment",
        "haiju",
        2025,
    )
    assert Notification.objects.filter(recipient=centre, title__contains="待初审").exists()


def test_declining_needs_a_reason_and_tells_the_third_party(headhunter: User, position: Position, hr: User) -> None:
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    with pytest.raises(PortalError, match="原因"):
        declared_person_decide(person=declared, confirmed=False, by=hr, reason=" ")
    declared = declared_person_decide(person=declared, confirmed=False, by=hr, reason="该人员系本单位自行招聘")
    assert declared.status == DeclarationStatus.DECLINED and declared.hire is None
    note = Notification.objects.get(recipient=headhunter, title__contains="不予确认")
    assert "自行招聘" in note.body
    with pytest.raises(PortalError, match="已处理"):
        declared_person_decide(person=declared, confirmed=True, by=hr)


def test_only_its_employer_answers_and_only_the_declarer_withdraws(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    with pytest.raises(PermissionDenied):
        declared_person_decide(person=declared, confirmed=True, by=UserFactory(employer_user=True))
    with pytest.raises(PermissionDenied):
        declared_person_withdraw(person=declared, by=rival)
    declared_person_withdraw(person=declared, by=headhunter)
    with pytest.raises(PortalError, match="已处理"):
        declared_person_decide(person=declared, confirmed=True, by=hr)
    with pytest.raises(PortalError, match="只能撤回待单位确认"):
        declared_person_withdraw(person=declared, by=headhunter)


def test_confirming_attaches_the_third_party_to_the_districts_own_record(
    headhunter: User, position: Position, hr: User
) -> None:
    recorded = HireFactory(position=position, id_number=person().id_number, status="audited")
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    declared = declared_person_decide(person=declared, confirmed=True, by=hr)
    assert declared.hire == recorded and Hire.objects.count() == 1
    recorded.refresh_from_db()
    assert recorded.third_party == headhunter.third_party and recorded.status == HireStatus.AUDITED
    assert recorded.employer_confirmation == EmployerConfirmation.CONFIRMED and recorded.employer_confirmed_by == hr


def test_a_record_confirmed_for_another_third_party_blocks_the_confirmation(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    recorded = HireFactory(
        position=position, id_number=person().id_number, third_party=rival.third_party, employer_confirmation="pending"
    )
    [declared] = declare(headhunter, post)
    with pytest.raises(PortalError, match="正等待本单位确认"):
        declared_person_decide(person=declared, confirmed=True, by=hr)
    Hire.objects.filter(pk=recorded.pk).update(employer_confirmation="confirmed")
    assert rival.third_party is not None
    with pytest.raises(PortalError, match=f"注明由{rival.third_party.name}推荐引进，且本单位已确认"):
        declared_person_decide(person=declared, confirmed=True, by=hr)
    declared.refresh_from_db()
    assert declared.status == DeclarationStatus.PENDING
    # Declaring the person now is refused outright.
    with pytest.raises(PortalError, match=COMPETING_DECLINE_REASON):
        declare(UserFactory(third_party_user=True, third_party__verified=True), post)


def test_a_record_the_employer_declined_for_another_third_party_takes_the_declarer(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    recorded = HireFactory(
        position=position, id_number=person().id_number, third_party=rival.third_party, employer_confirmation="declined"
    )
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    declared_person_decide(person=declared, confirmed=True, by=hr)
    recorded.refresh_from_db()
    assert recorded.third_party == headhunter.third_party and recorded.employer_confirmation == "confirmed"


def test_the_same_person_at_another_employer_this_year_is_refused_at_confirmation(
    headhunter: User, position: Position, hr: User
) -> None:
    elsewhere = HireFactory(id_number=person().id_number, programme="qihang", year=2026)
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    assert elsewhere.district is not None
    with pytest.raises(PortalError, match=f"已在{elsewhere.district.name}登记为2026年启航专项"):
        declared_person_decide(person=declared, confirmed=True, by=hr)
    assert DeclaredPerson.objects.get().status == DeclarationStatus.PENDING


# --- competing declarations ---------------------------------------------------------------------------------------


def test_competing_declarations_the_employer_confirms_one_and_the_others_are_declined(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    [ours] = declare(headhunter, post)
    [theirs] = declare(rival, post)
    listed = {row.pk: row.competing for row in employer_declared_people(user=hr)}  # type: ignore[attr-defined]
    assert listed == {ours.pk: 1, theirs.pk: 1}
    declared_person_decide(person=theirs, confirmed=True, by=hr)
    ours.refresh_from_db()
    assert ours.status == DeclarationStatus.DECLINED and ours.decline_reason == COMPETING_DECLINE_REASON
    assert ours.decided_by == hr
    note = Notification.objects.get(recipient=headhunter)
    assert COMPETING_DECLINE_REASON in note.body
    with pytest.raises(PortalError, match=COMPETING_DECLINE_REASON):
        declare(headhunter, post)
    with pytest.raises(PortalError, match="已处理"):
        declared_person_decide(person=ours, confirmed=True, by=hr)
    assert Hire.objects.get().third_party == rival.third_party


def test_the_database_holds_one_confirmation_per_person_and_employer(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    """What two employer accounts clicking at once meet if the lock were bypassed: the conditional unique constraint."""
    from django.db import IntegrityError, transaction

    post = DeclaredPost(employer=position.employer, position=position)
    [ours] = declare(headhunter, post)
    [theirs] = declare(rival, post)
    declared_person_decide(person=ours, confirmed=True, by=hr)
    hire = Hire.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclaredPerson.objects.filter(pk=theirs.pk).update(status=DeclarationStatus.CONFIRMED, hire=hire)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclaredPerson.objects.create(
            declaration=ours.declaration,
            employer=ours.employer,
            third_party=ours.third_party,
            name=ours.name,
            id_number=ours.id_number,
            mode="full_time",
            contract_term="3年",
        )


# --- the third party follows its people, then claims -------------------------------------------------------------


def test_from_declaration_to_claim(
    headhunter: User, position: Position, hr: User, clerk: User, reviewer: User, caps: None
) -> None:
    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))

    def stage() -> tuple[str, str]:
        row = declared_people_followed(user=headhunter).get(pk=declared.pk)
        return row.status, row.hire_stage  # type: ignore[attr-defined]

    assert stage() == ("pending", "")
    declared_person_decide(person=declared, confirmed=True, by=hr)
    assert stage() == ("confirmed", "recorded")
    hire = hire_move(hire=DeclaredPerson.objects.get().hire, action="audit", by=reviewer)  # type: ignore[arg-type]
    assert stage() == ("confirmed", "audited")
    publishing = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)
    notice = notice_publish(hires=[hire], published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=publishing)
    assert stage() == ("confirmed", "in_publicity")
    assert notices_confirm_closed(now=notice.closes_at + datetime.timedelta(minutes=1)) == 1
    assert stage() == ("confirmed", "confirmed")
    assert list(claimable_hires(user=headhunter)) == [hire]
    hire.refresh_from_db()
    claim = claim_create(
        data=ClaimData(
            employer=position.employer,
            employer_contact="张经理",
            employer_phone="023-45678901",
            lines=(ClaimLine(hire=hire, requested_amount=Decimal("30000")),),
            declares_introduced=True,
            declares_good_credit=True,
            declares_truthful=True,
        ),
        by=headhunter,
    )
    row = declared_people_followed(user=headhunter).get(pk=declared.pk)
    assert row.claim_reference == claim.reference  # type: ignore[attr-defined]


def test_a_third_party_follows_only_its_own_people(headhunter: User, rival: User, position: Position) -> None:
    post = DeclaredPost(employer=position.employer, position=position)
    [ours] = declare(headhunter, post)
    declare(rival, post, person(2))
    assert [row.pk for row in declared_people_followed(user=headhunter)] == [ours.pk]
    assert not declared_people_followed(user=UserFactory(employer_user=True, employer=position.employer)).exists()
    other_district = DistrictFactory()
    assert not employer_declared_people(user=UserFactory(clerk=True, district=other_district)).exists()


def test_the_demo_data_has_declarations_awaiting_the_demo_employer(reference_data: None) -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)  # re-runnable: nothing added the second time
    people = DeclaredPerson.objects.select_related("declaration")
    assert people.count() == 2 and {person.status for person in people} == {DeclarationStatus.PENDING}
    hr = User.objects.get(employer=people[0].employer, role="employer")
    assert employer_declared_people(user=hr, pending_only=True).count() == 2


def test_a_declared_person_is_anonymised_with_the_hire_it_became(
    headhunter: User, position: Position, hr: User
) -> None:
    from portal.retention import ANONYMISED_NAME, anonymise_expired

    [declared] = declare(headhunter, DeclaredPost(employer=position.employer, position=position))
    declared_person_decide(person=declared, confirmed=True, by=hr)
    Hire.objects.update(status=HireStatus.CONFIRMED, confirmed_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    anonymise_expired(now=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=7 * 366))
    declared.refresh_from_db()
    assert (declared.name, declared.id_number, declared.id_number_digest) == (ANONYMISED_NAME, "", None)
    assert all(person().id_number not in str(entry.changes) for entry in LogEntry.objects.get_for_object(declared))


def test_confirming_the_offices_record_of_a_hire_declines_the_other_third_parties_declarations(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    """The employer confirms on the hires page the third party the district named: the other third parties' pending
    declarations of the person there are declined as when it confirms a declaration, and their third parties told."""
    post = DeclaredPost(employer=position.employer, position=position)
    [ours] = declare(headhunter, post)
    [theirs] = declare(rival, post)
    recorded = HireFactory(
        position=position,
        id_number=person().id_number,
        third_party=headhunter.third_party,
        employer_confirmation=EmployerConfirmation.PENDING,
    )
    hire_employer_decide(hire=recorded, confirmed=True, by=hr)
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.status == DeclarationStatus.DECLINED and theirs.decline_reason == COMPETING_DECLINE_REASON
    assert theirs.decided_by == hr
    assert COMPETING_DECLINE_REASON in Notification.objects.get(recipient=rival).body
    assert ours.status == DeclarationStatus.PENDING  # the confirmed third party's own declaration is not declined
    with pytest.raises(PortalError, match=COMPETING_DECLINE_REASON):
        declare(rival, post)


def test_declining_on_the_hires_page_leaves_the_declarations_pending(
    headhunter: User, rival: User, position: Position, hr: User
) -> None:
    [theirs] = declare(rival, DeclaredPost(employer=position.employer, position=position))
    recorded = HireFactory(
        position=position,
        id_number=person().id_number,
        third_party=headhunter.third_party,
        employer_confirmation=EmployerConfirmation.PENDING,
    )
    hire_employer_decide(hire=recorded, confirmed=False, by=hr, reason="并非该机构推荐")
    theirs.refresh_from_db()
    assert theirs.status == DeclarationStatus.PENDING
