"""Employers' post proposals (positions.proposals): who may propose, the Annex 1 rules, the sheet, the clerk's
adoption into the running 旬 and its return, re-proposing, withdrawing, and one adoption per proposal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry

from portal.calendar import TenDayPeriod
from portal.constants import NotificationKind
from portal.errors import PermissionDenied, PortalError
from portal.imports.sheets import PortalImportError
from portal.models import District, Employer, Notification, User
from positions.constants import BatchStatus, PositionSource, PositionStatus, ProposalStatus
from positions.models import Position, PostProposal
from positions.proposals import (
    NO_DISTRICT,
    proposal_adopt,
    proposal_create,
    proposal_repropose,
    proposal_return,
    proposal_withdraw,
    proposals_import,
    proposals_preview,
)
from positions.services import PositionData
from tests.factories import DistrictFactory, EmployerFactory, PositionBatchFactory, UserFactory
from tests.positions.test_importing import row, write_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> District:
    return DistrictFactory(name="需求测试区")


@pytest.fixture
def employer(district: District) -> Employer:
    return EmployerFactory(district=district, name="重庆需求测试科技有限公司（两江）")


@pytest.fixture
def account(employer: Employer) -> User:
    return UserFactory(employer_user=True, employer=employer)


@pytest.fixture
def clerk(district: District) -> User:
    return UserFactory(clerk=True, district=district)


def data(employer: Employer, **overrides: Any) -> PositionData:
    fields: dict[str, Any] = {
        "employer": employer,
        "channel": "special_recruitment",
        "name": "前沿通信技术与政策研究工程师",
        "headcount": 4,
        "education": "master",
        "majors": "电子信息、通信工程、计算机",
        "competencies": "1.熟悉通信协议；\n2.有政策研究经验。",
        "recruits_graduates": True,
        "salary_text": "15-25万元/年",
    }
    return PositionData(**(fields | overrides))


def test_an_employer_proposes_its_own_post_to_its_district_and_the_clerks_hear_of_it(
    employer: Employer, account: User, clerk: User, district: District
) -> None:
    other_clerk = UserFactory(clerk=True)
    proposal = proposal_create(data=data(employer, name="  前沿通信   工程师 "), by=account)
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.district == district and proposal.employer == employer
    assert proposal.name == "前沿通信 工程师"  # the same cleaning as the clerk's form
    assert proposal.proposed_by == account and proposal.proposed_at is not None
    note = Notification.objects.get(recipient=clerk)
    assert note.kind == NotificationKind.POST_PROPOSAL and employer.name in note.title
    assert not Notification.objects.filter(recipient=other_clerk).exists()
    entry = LogEntry.objects.get_for_object(proposal).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == account


def test_the_annex_1_rules_are_the_clerks(employer: Employer, account: User) -> None:
    with pytest.raises(PortalError, match="需求人数至少为1人"):
        proposal_create(data=data(employer, headcount=0), by=account)
    with pytest.raises(PortalError, match="请填写专业要求"):
        proposal_create(data=data(employer, majors="  "), by=account)
    with pytest.raises(PortalError, match="学历要求只能是"):
        proposal_create(data=data(employer, education="phd"), by=account)
    assert not PostProposal.objects.exists()


def test_only_an_employer_proposes_only_its_own_posts_and_only_with_a_district(
    employer: Employer, account: User, clerk: User
) -> None:
    with pytest.raises(PermissionDenied):
        proposal_create(data=data(employer), by=clerk)
    with pytest.raises(PortalError, match="只能提出本单位"):
        proposal_create(data=data(EmployerFactory(district=employer.district)), by=account)
    homeless = EmployerFactory(district=None)
    with pytest.raises(PortalError) as refused:
        proposal_create(data=data(homeless), by=UserFactory(employer_user=True, employer=homeless))
    assert refused.value.message == NO_DISTRICT == "您的单位尚未登记所在区县，请联系系统管理员。"
    assert not PostProposal.objects.exists()


def test_the_same_post_waits_only_once(employer: Employer, account: User) -> None:
    proposal_create(data=data(employer), by=account)
    with pytest.raises(PortalError, match="无需重复提出") as refused:
        proposal_create(data=data(employer), by=account)
    assert refused.value.code == "duplicate_proposal"
    # Another channel is another post.
    proposal_create(data=data(employer, channel="bounty_list"), by=account)
    assert PostProposal.objects.count() == 2


def test_the_clerk_adopts_with_an_edit_into_the_running_period(
    employer: Employer, account: User, clerk: User, district: District
) -> None:
    proposal = proposal_create(data=data(employer), by=account)
    position = proposal_adopt(proposal=proposal, data=data(employer, headcount=6, salary_text="20-30万元/年"), by=clerk)
    assert position.status == PositionStatus.DRAFT and position.source == PositionSource.PROPOSAL
    assert position.batch.period == str(TenDayPeriod.current()) and position.district == district
    assert position.headcount == 6 and position.salary_min == 200000 and position.created_by == clerk
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED and proposal.position == position
    assert proposal.decided_by == clerk and proposal.decided_at is not None
    assert proposal.headcount == 4  # what the employer proposed stays on record
    note = Notification.objects.get(recipient=account)
    assert "已采纳" in note.title and note.kind == NotificationKind.POST_PROPOSAL


def test_one_proposal_is_adopted_once(employer: Employer, account: User, clerk: User) -> None:
    proposal = proposal_create(data=data(employer), by=account)
    proposal_adopt(proposal=proposal, by=clerk)
    stale = PostProposal.objects.get(pk=proposal.pk)
    stale.status = ProposalStatus.PROPOSED  # the second click read the row before the first committed
    with pytest.raises(PortalError, match="不能采纳") as refused:
        proposal_adopt(proposal=stale, by=clerk)
    assert refused.value.code == "invalid_transition"
    assert Position.objects.count() == 1


def test_adoption_is_the_district_clerks_and_keeps_the_employer(employer: Employer, account: User) -> None:
    proposal = proposal_create(data=data(employer), by=account)
    for outsider in (
        UserFactory(clerk=True),
        UserFactory(district_reviewer=True, district=employer.district),
        account,
    ):
        with pytest.raises(PermissionDenied):
            proposal_adopt(proposal=proposal, by=outsider)
    clerk = UserFactory(clerk=True, district=employer.district)
    with pytest.raises(PortalError, match="不能更换用人单位"):
        proposal_adopt(proposal=proposal, data=data(EmployerFactory(district=employer.district)), by=clerk)
    assert not Position.objects.exists()
    assert PostProposal.objects.get().status == ProposalStatus.PROPOSED


def test_a_sent_batch_or_a_same_named_post_refuses_the_adoption_and_leaves_the_proposal_waiting(
    employer: Employer, account: User, clerk: User, district: District
) -> None:
    proposal = proposal_create(data=data(employer), by=account)
    batch = PositionBatchFactory(district=district)
    Position.objects.create(
        **data(employer).clean().as_fields(), district=district, batch=batch, created_by=clerk, status="draft"
    )
    with pytest.raises(PortalError, match="已有同名"):
        proposal_adopt(proposal=proposal, by=clerk)
    batch.status, batch.sent_at = BatchStatus.SENT, batch.created_at
    batch.save()
    with pytest.raises(PortalError, match="已报送"):
        proposal_adopt(proposal=proposal, data=data(employer, name="另一个岗位"), by=clerk)
    assert PostProposal.objects.get().status == ProposalStatus.PROPOSED


def test_return_with_a_reason_then_correct_and_propose_again(employer: Employer, account: User, clerk: User) -> None:
    proposal = proposal_create(data=data(employer), by=account)
    with pytest.raises(PortalError, match="须填写原因"):
        proposal_return(proposal=proposal, reason=" ", by=clerk)
    proposal_return(proposal=proposal, reason="请写明专业方向。", by=clerk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RETURNED and proposal.return_reason == "请写明专业方向。"
    assert "请写明专业方向" in Notification.objects.get(recipient=account).body
    with pytest.raises(PortalError, match="不能采纳"):
        proposal_adopt(proposal=proposal, by=clerk)
    with pytest.raises(PermissionDenied):
        proposal_repropose(proposal=proposal, data=data(employer), by=UserFactory(employer_user=True))

    again = proposal_repropose(proposal=proposal, data=data(employer, majors="通信工程（无线方向）"), by=account)
    assert again.pk == proposal.pk and again.status == ProposalStatus.PROPOSED
    assert again.majors == "通信工程（无线方向）" and again.return_reason == "" and again.decided_by is None
    assert Notification.objects.filter(recipient=clerk).count() == 2
    with pytest.raises(PortalError, match="不能修改后重新提出"):
        proposal_repropose(proposal=again, data=data(employer), by=account)


def test_withdraw_while_waiting_or_returned_never_once_adopted(employer: Employer, account: User, clerk: User) -> None:
    waiting = proposal_create(data=data(employer), by=account)
    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal=waiting, by=clerk)
    assert proposal_withdraw(proposal=waiting, by=account).status == ProposalStatus.WITHDRAWN
    # Withdrawn, the post may be proposed again.
    adopted = proposal_create(data=data(employer), by=account)
    proposal_adopt(proposal=adopted, by=clerk)
    with pytest.raises(PortalError, match="不能撤回"):
        proposal_withdraw(proposal=adopted, by=account)


def _sheet(tmp_path: Path, rows: list[list[Any]]) -> Path:
    return write_sheet(tmp_path / "proposals.xlsx", rows)


def test_a_sheet_of_own_posts_is_proposed_whole(tmp_path: Path, employer: Employer, account: User, clerk: User) -> None:
    own = employer.name
    sheet = _sheet(
        tmp_path,
        [
            row(1, employer=own, source=""),
            row(
                2,
                employer=" 重庆需求测试科技有限公司(两江)",
                source="需求测试区",
                bounty=None,
                special="工业软件架构师",
            ),
        ],
    )
    preview = proposals_preview(file=sheet, by=account)
    assert not preview.errors and preview.new_count == 2
    created = proposals_import(file=sheet, by=account)
    assert [proposal.source for proposal in created] == [PositionSource.IMPORT] * 2
    assert {proposal.employer for proposal in created} == {employer}
    assert Notification.objects.filter(recipient=clerk).count() == 1  # one notice for the sheet
    # The same sheet again adds nothing: the posts already wait at the district.
    again = proposals_preview(file=sheet, by=account)
    assert again.existing_count == 2 and again.new_count == 0
    assert proposals_import(file=sheet, by=account) == []
    assert PostProposal.objects.count() == 2


def test_a_sheet_with_another_employer_or_district_is_refused_by_row(
    tmp_path: Path, employer: Employer, account: User
) -> None:
    other = EmployerFactory(district=employer.district, name="重庆别家有限公司")
    sheet = _sheet(
        tmp_path,
        [
            row(1, employer=employer.name),
            row(2, employer=other.name),
            row(3, employer=employer.name, source="铜梁区"),
            row(4, employer=employer.name, headcount="四人"),
        ],
    )
    with pytest.raises(PortalImportError) as refused:
        proposals_import(file=sheet, by=account)
    errors = {(error.row, error.column): error.message for error in refused.value.errors}
    assert "不是本单位" in errors[(5, "用人单位")]
    assert "与本单位所在区县“需求测试区”不一致" in errors[(6, "填报来源")]
    assert "需求人数应为整数" in errors[(7, "需求人数")]
    assert (4, "用人单位") not in errors
    assert not PostProposal.objects.exists()
