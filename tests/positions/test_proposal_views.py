"""The pages of employers' post proposals through Django's test client: the employer's form, list and sheet, the
clerk's queue, adoption with an edit and return; who may open what; a double adoption."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import District, Employer, User
from positions.constants import PositionSource, PositionStatus, ProposalStatus
from positions.models import Position, PostProposal
from positions.proposals import proposal_adopt, proposal_create, proposal_return
from positions.services import PositionData
from tests.factories import DistrictFactory, EmployerFactory, UserFactory
from tests.positions.test_importing import row, write_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> District:
    return DistrictFactory(name="需求页面区")


@pytest.fixture
def employer(district: District) -> Employer:
    return EmployerFactory(district=district, name="重庆需求页面有限公司")


@pytest.fixture
def account(employer: Employer) -> User:
    return UserFactory(employer_user=True, employer=employer)


@pytest.fixture
def clerk(district: District) -> User:
    return UserFactory(clerk=True, district=district)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "channel": "bounty_list",
        "name": "智能装备研发工程师",
        "headcount": "3",
        "education": "master",
        "majors": "机械工程、控制科学与工程",
        "competencies": "1.熟悉伺服控制；\n2.有整机研发经验。",
        "recruits_graduates": "1",
        "salary_text": "20-30万元/年",
    }
    return values | overrides


def proposed(employer: Employer, account: User, name: str = "工业软件架构师") -> PostProposal:
    data = PositionData(
        employer=employer,
        channel="special_recruitment",
        name=name,
        headcount=2,
        education="doctor",
        majors="软件工程",
        competencies="",
        recruits_graduates=False,
        salary_text="面议",
    )
    return proposal_create(data=data, by=account)


def test_the_employer_proposes_one_after_another_and_sees_them_listed(account: User, clerk: User) -> None:
    client = login(account)
    refused = client.post(reverse("positions:proposal_create"), form(headcount="0"))
    assert refused.status_code == 200 and "需求人数至少为1人。" in refused.content.decode()
    assert not PostProposal.objects.exists()

    first = client.post(reverse("positions:proposal_create"), form(another="1"))
    assert first.status_code == 302 and first["Location"] == reverse("positions:proposal_create")
    second = client.post(reverse("positions:proposal_create"), form(name="伺服驱动工程师"), follow=True)
    page = second.content.decode()
    assert "已向需求页面区提出岗位需求：伺服驱动工程师。" in page
    assert "智能装备研发工程师" in page and "待区县处理" in page
    assert PostProposal.objects.filter(status=ProposalStatus.PROPOSED).count() == 2
    # The same post twice (a double click) is refused with its reason.
    again = client.post(reverse("positions:proposal_create"), form())
    assert "无需重复提出" in again.content.decode()
    assert PostProposal.objects.count() == 2


def test_an_employer_without_a_district_is_told_to_ask_the_admin() -> None:
    homeless = UserFactory(employer_user=True, employer=EmployerFactory(district=None))
    client = login(homeless)
    listing = client.get(reverse("positions:proposal_list")).content.decode()
    assert "您的单位尚未登记所在区县，请联系系统管理员。" in listing
    assert reverse("positions:proposal_create") not in listing
    response = client.post(reverse("positions:proposal_create"), form(), follow=True)
    assert "您的单位尚未登记所在区县，请联系系统管理员。" in response.content.decode()
    assert not PostProposal.objects.exists()


def test_the_list_shows_the_reason_and_the_adopted_posts_state_with_the_public_link(
    employer: Employer, account: User, clerk: User
) -> None:
    returned = proposed(employer, account, "被退回的需求")
    proposal_return(proposal=returned, reason="请补充职业能力要求。", by=clerk)
    adopted = proposed(employer, account, "被采纳的需求")
    position = proposal_adopt(proposal=adopted, by=clerk)
    client = login(account)
    page = client.get(reverse("positions:proposal_list")).content.decode()
    assert "退回原因：请补充职业能力要求。" in page and reverse("positions:proposal_edit", args=[returned.pk]) in page
    assert "草稿" in page and reverse("positions:public_detail", args=[position.pk]) not in page
    Position.objects.filter(pk=position.pk).update(status=PositionStatus.PUBLISHED)
    page = client.get(reverse("positions:proposal_list")).content.decode()
    assert "已发布" in page and reverse("positions:public_detail", args=[position.pk]) in page


def test_correct_and_propose_again_then_withdraw(employer: Employer, account: User, clerk: User) -> None:
    proposal = proposed(employer, account)
    client = login(account)
    waiting = client.get(reverse("positions:proposal_edit", args=[proposal.pk]), follow=True)
    assert "不能修改" in waiting.content.decode()
    proposal_return(proposal=proposal, reason="请写明研究方向。", by=clerk)
    page = client.get(reverse("positions:proposal_edit", args=[proposal.pk])).content.decode()
    assert "请写明研究方向。" in page and 'value="工业软件架构师"' in page
    client.post(
        reverse("positions:proposal_edit", args=[proposal.pk]),
        form(name="工业软件架构师", majors="软件工程（工业软件方向）"),
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and proposal.majors == "软件工程（工业软件方向）"
    response = client.post(reverse("positions:proposal_withdraw", args=[proposal.pk]), follow=True)
    assert "已撤回岗位需求：工业软件架构师。" in response.content.decode()
    assert PostProposal.objects.get().status == ProposalStatus.WITHDRAWN


def test_another_employers_proposal_is_not_there(employer: Employer, account: User) -> None:
    proposal = proposed(employer, account)
    neighbour = login(UserFactory(employer_user=True, employer=EmployerFactory(district=employer.district)))
    assert neighbour.get(reverse("positions:proposal_edit", args=[proposal.pk])).status_code == 404
    assert neighbour.post(reverse("positions:proposal_withdraw", args=[proposal.pk])).status_code == 404
    assert "工业软件架构师" not in neighbour.get(reverse("positions:proposal_list")).content.decode()
    assert PostProposal.objects.get().status == ProposalStatus.PROPOSED


def test_the_clerk_adopts_with_one_edit_and_a_second_click_adopts_nothing(
    employer: Employer, account: User, clerk: User
) -> None:
    proposal = proposed(employer, account)
    client = login(clerk)
    queue = client.get(reverse("positions:proposal_queue")).content.decode()
    assert "工业软件架构师" in queue and employer.name in queue
    page = client.get(reverse("positions:proposal_adopt", args=[proposal.pk])).content.decode()
    assert 'value="工业软件架构师"' in page and "软件工程" in page
    edited = form(channel="special_recruitment", name="工业软件架构师", education="doctor", headcount="5")
    response = client.post(reverse("positions:proposal_adopt", args=[proposal.pk]), edited)
    position = Position.objects.get()
    assert response.status_code == 302 and response["Location"].startswith(reverse("positions:district_batch"))
    assert position.headcount == 5 and position.employer == employer and position.source == PositionSource.PROPOSAL
    mine = login(account).get(reverse("positions:proposal_list")).content.decode()
    assert (
        "区县修改了" in mine
        and "需求人数：2 → <strong>5</strong>" in mine
        and "是否招聘应届生：否 → <strong>是</strong>" in mine
    )
    twice = client.post(reverse("positions:proposal_adopt", args=[proposal.pk]), edited, follow=True)
    assert "不能采纳" in twice.content.decode()
    assert Position.objects.count() == 1
    adopted = client.get(reverse("positions:proposal_queue") + "?status=adopted").content.decode()
    assert reverse("positions:detail", args=[position.pk]) in adopted


def test_the_clerk_returns_with_a_reason_and_another_districts_proposal_is_404(
    employer: Employer, account: User, clerk: User
) -> None:
    proposal = proposed(employer, account)
    client = login(clerk)
    refused = client.post(reverse("positions:proposal_return", args=[proposal.pk]), {"reason": ""}, follow=True)
    assert "退回须填写原因" in refused.content.decode()
    done = client.post(
        reverse("positions:proposal_return", args=[proposal.pk]), {"reason": "专业要求过宽。"}, follow=True
    )
    assert "已退回岗位需求：工业软件架构师" in done.content.decode()
    assert PostProposal.objects.get().return_reason == "专业要求过宽。"

    elsewhere = login(UserFactory(clerk=True, district=DistrictFactory()))
    other = proposed(employer, account, "另一个需求")
    assert elsewhere.get(reverse("positions:proposal_adopt", args=[other.pk])).status_code == 404
    assert elsewhere.post(reverse("positions:proposal_return", args=[other.pk]), {"reason": "x"}).status_code == 404
    assert "另一个需求" not in elsewhere.get(reverse("positions:proposal_queue")).content.decode()
    assert PostProposal.objects.get(pk=other.pk).status == ProposalStatus.PROPOSED


def test_each_side_is_shut_out_of_the_others_pages(account: User, clerk: User, district: District) -> None:
    reviewer = login(UserFactory(district_reviewer=True, district=district))
    for name in ("positions:proposal_list", "positions:proposal_create", "positions:proposal_import"):
        assert login(clerk).get(reverse(name)).status_code == 403
        assert reviewer.get(reverse(name)).status_code == 403
    assert login(account).get(reverse("positions:proposal_queue")).status_code == 403
    assert reviewer.get(reverse("positions:proposal_queue")).status_code == 403
    assert Client().get(reverse("positions:proposal_list")).status_code == 302


def test_the_sheet_is_previewed_with_its_row_errors_then_proposed(
    tmp_path: Path, employer: Employer, account: User
) -> None:
    client = login(account)
    bad = write_sheet(tmp_path / "bad.xlsx", [row(1, employer=employer.name), row(2, employer="重庆别家有限公司")])
    with bad.open("rb") as upload:
        preview = client.post(reverse("positions:proposal_import"), {"file": upload}).content.decode()
    assert "不是本单位" in preview and "第5行" in preview
    assert "确认导入" not in preview
    good = write_sheet(
        tmp_path / "good.xlsx",
        [row(1, employer=employer.name, source=""), row(2, employer=employer.name, source="需求页面区")],
    )
    with good.open("rb") as upload:
        preview = client.post(reverse("positions:proposal_import"), {"file": upload}).content.decode()
    assert "将提出" in preview and "确认导入 2" in preview
    done = client.post(reverse("positions:proposal_import"), {"confirm": "1"}, follow=True)
    assert "已向需求页面区提出岗位需求2个。" in done.content.decode()
    assert PostProposal.objects.filter(source=PositionSource.IMPORT).count() == 2
    template = client.get(reverse("positions:proposal_template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")


def test_the_menus_name_the_pages(account: User, clerk: User) -> None:
    assert "我的岗位需求" in login(account).get(reverse("portal:workspace")).content.decode()
    assert "单位岗位需求" in login(clerk).get(reverse("portal:workspace")).content.decode()


def test_the_lists_do_not_grow_in_queries_with_their_rows(employer: Employer, account: User, clerk: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    employer_client, clerk_client = login(account), login(clerk)

    def queries(client: Client, name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            proposal = proposed(employer, account, f"需求{number}")
            if number % 2:
                proposal_adopt(proposal=proposal, by=clerk)

    add(2, 0)
    few = queries(employer_client, "positions:proposal_list"), queries(clerk_client, "positions:proposal_queue")
    add(6, 2)
    assert (
        queries(employer_client, "positions:proposal_list"),
        queries(clerk_client, "positions:proposal_queue"),
    ) == few
