"""Every work-queue card of every role opens a page that lists the items it counts, each with its action.

One world puts something in every queue, in the places that used to hide it: posts carried over to the next 旬 by
a send, returned by the city after the district sent early, waiting in a 旬 nobody sent, sent to the city in an
earlier 旬. Each role signs in, reads its cards, follows each link and finds every counted item there with the
button (or link) that does the work; a card nobody can act on (the hire report for the clerk) is not shown at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.calendar.workdays import calendar_year_known
from portal.models import CalendarYear, Employer, User
from positions.models import Position, PositionBatch
from positions.proposals import proposal_create, proposal_return
from positions.services import PositionData, batch_send, position_move
from referrals.declarations import DeclaredPost, PersonData, declaration_submit
from referrals.services import notice_publish, objection_lodge
from subsidies.models import Claim
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

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Expected:
    """What a card counts: ``items`` (text that names each one), the ``action`` each one's row carries on the
    target page, and ``page_action``, a button of the page itself (a batch or a report is sent as a whole)."""

    items: tuple[str, ...]
    action: str
    page_action: str = ""


@dataclass(frozen=True)
class Card:
    title: str
    count: int
    url: str | None


def _cards(page: str) -> list[Card]:
    cards = []
    for block in page.split('<article class="card portal-card portal-queue h-100">')[1:]:
        block = block[: block.index("</article>")]
        title = re.search(r'<h3 class="card-title h5">(.*?)</h3>', block)
        count = re.search(r'<span class="portal-queue-count[^"]*"[^>]*>(\d+)</span>', block)
        link = re.search(r'<a class="stretched-link portal-queue-link" href="([^"]+)"', block)
        assert title and count, block
        cards.append(Card(title.group(1), int(count.group(1)), link.group(1).replace("&amp;", "&") if link else None))
    return cards


def _containers(page: str, marker: str) -> list[str]:
    """Each table row (or, on pages of cards, each section) of ``page`` that holds ``marker``."""
    found = []
    for match in re.finditer(re.escape(marker), page):
        at = match.start()
        row_start, row_end = page.rfind("<tr", 0, at), page.rfind("</tr>", 0, at)
        if row_start > row_end:
            found.append(page[row_start : page.index("</tr>", at)])
            continue
        section = page.rfind("<section", 0, at)
        if section >= 0:
            found.append(page[section : page.index("</section>", at)])
    return found


def _ensure_calendar(*years: int) -> None:
    for year in years:
        if not calendar_year_known(year):
            CalendarYear.objects.create(year=year, notice_reference="工作台测试：按周末安排")


def _world() -> tuple[dict[str, User], dict[tuple[str, str], Expected]]:
    """Users by role, and every card each role must show: (role, title) → what it counts."""
    today = timezone.localdate()
    _ensure_calendar(today.year - 1, today.year, today.year + 1)
    ensure_caps()
    now = TenDayPeriod.current()
    earlier, long_ago = now.previous(), now.previous().previous()
    district, elsewhere = DistrictFactory(name="工作台甲区"), DistrictFactory(name="工作台乙区")
    employer, other_employer = EmployerFactory(district=district), EmployerFactory(district=elsewhere)
    party = ThirdPartyFactory(verified=True, name="工作台荐才机构")
    users = {
        "clerk": UserFactory(clerk=True, district=district),
        "reviewer": UserFactory(district_reviewer=True, district=district),
        "centre": UserFactory(centre=True),
        "bureau": UserFactory(bureau=True),
        "third_party": UserFactory(third_party_user=True, third_party=party),
        "unverified": UserFactory(third_party_user=True, third_party=ThirdPartyFactory(name="工作台待核验机构")),
        "employer": UserFactory(employer_user=True, employer=other_employer),
        "admin": UserFactory(admin=True),
    }
    clerk, reviewer, centre, bureau = (users[role] for role in ("clerk", "reviewer", "centre", "bureau"))

    def post(period: TenDayPeriod, name: str, status: str = "draft") -> Position:
        batch = PositionBatchFactory(district=district, period=str(period))
        return PositionFactory(batch=batch, employer=employer, name=name, status=status, created_by=clerk)

    # A 旬 nobody sent: a draft and an approved post still wait in it.
    post(long_ago, "往旬草稿岗位")
    post(long_ago, "往旬待报送岗位", "approved")
    # The 旬 before: sent; the city aggregates one, returns one (to the running 旬) and leaves one waiting.
    waiting, aggregated, returned = (
        post(earlier, name, "approved") for name in ("上旬待汇总岗位", "上旬待复核岗位", "结转退回岗位")
    )
    later_returned = post(earlier, "市级退回岗位", "approved")
    batch_send(batch=waiting.batch, by=reviewer)
    for position in (aggregated, later_returned):
        position_move(position=position, action="aggregate", by=centre)
    position_move(position=returned, action="city_return", by=centre, reason="请补充职业能力要求")
    # The running 旬, sent early: its drafts and the returned post go on to the next 旬; the bureau then returns a
    # post, which lands there too; the clerk submits a carried draft there.
    post(now, "本旬已报送岗位", "approved")
    post(now, "结转草稿岗位")
    to_submit = post(now, "结转待初审岗位")
    batch_send(batch=PositionBatch.objects.get(district=district, period=str(now)), by=reviewer)
    position_move(position=later_returned, action="city_return", by=bureau, reason="薪资范围请写明单位")
    position_move(position=Position.objects.get(pk=to_submit.pk), action="submit", by=clerk)
    assert Position.objects.get(pk=to_submit.pk).batch.period == str(now.next())

    published = post(long_ago, "已发布岗位", "published")
    for name, status in (("人员退回", "returned"), ("人员待审", "recorded"), ("人员待公示", "audited")):
        HireFactory(position=published, name=name, status=status, recorded_by=clerk)
    HireFactory(position=published, name="人员已确认", status="confirmed", confirmed_at=timezone.now())
    objected = HireFactory(position=published, name="人员异议", status="audited", recorded_by=clerk)
    notice_publish(hires=[objected], published_on=today, title="工作台公示", by=clerk)
    objection_lodge(hire=objected, name="异议人", phone="13800000001", statement="学历信息与实际不符，请核查。")

    # Hires at a base without a district: the talent centre audits, publicises and resolves (its own cards).
    for name, status in (("基地人员待审", "recorded"), ("基地人员待公示", "audited")):
        HireFactory(without_district=True, name=name, status=status)
    base_objected = HireFactory(without_district=True, name="基地人员异议", status="audited")
    notice_publish(hires=[base_objected], published_on=today, title="工作台基地公示", by=centre)
    objection_lodge(hire=base_objected, name="异议人", phone="13800000002", statement="工作经历与实际不符，请核查。")

    # The employer (in the other district) and the claims of the third party.
    at_other = PositionFactory(batch__district=elsewhere, employer=other_employer, published=True)
    for name, status in (("人员待单位确认", "audited"), ("人员公示失败", "failed")):
        HireFactory(position=at_other, name=name, status=status, third_party=party, employer_confirmation="pending")
    claimant = users["third_party"]
    claimable_hire(party, employer=other_employer, name="可申报人")
    # A person the third party declared at the employer, awaiting the employer's answer.
    declaration_submit(
        post=DeclaredPost(employer=other_employer, post_name="工作台申报岗位", channel="bounty_list"),
        people=[
            PersonData(
                name="申报待确认人", id_number=make_id_number(4321), mode="full_time", contract_term="3年",
                programme="haiju", work_experience="2018-2025 某研究院 工程师",
            )
        ],
        by=claimant,
    )  # fmt: skip

    # Employers' post proposals: one waiting at the clerk's district, one of the employer's returned to it.
    def proposal(of: Employer, name: str) -> PositionData:
        return PositionData(
            employer=of,
            channel="bounty_list",
            name=name,
            headcount=1,
            education="master",
            majors="机械工程",
            competencies="",
            recruits_graduates=False,
            salary_text="面议",
        )

    proposal_create(data=proposal(employer, "单位待采纳需求"), by=UserFactory(employer_user=True, employer=employer))
    back_proposal = proposal_create(data=proposal(other_employer, "单位被退回需求"), by=users["employer"])
    proposal_return(proposal=back_proposal, reason="请写明专业方向。", by=UserFactory(clerk=True, district=elsewhere))

    def claim(name: str, amount: str, **state: object) -> Claim:
        fields: dict[str, object] = {
            "employer_contact": "联系人",
            "employer_phone": "023-66666666",
            "first_opinion": "材料齐全。",
            "second_opinion": "同意。",
        }
        return ClaimFactory(
            by=claimant,
            employer=other_employer,
            amounts=(amount,),
            hire_names=(name,),
            attached=True,
            centre=centre,
            bureau=bureau,
            **(fields | state),
        )

    draft = claim("申报草稿人", "1000")
    back = claim("申报退回人", "1100", returned=True, first_opinion="请补充盖章页。")
    submitted = claim("申报待初审人", "1200", submitted=True)
    passed = claim("申报待复核人", "1300", first_passed=True)
    approved = claim("申报待发放人", "1400", approved=True)

    def claim_link(claim: Claim) -> str:
        return f'href="{reverse("subsidies:claim_detail", args=[claim.pk])}"'

    submit = ">提交初审</button>"
    publicity = Expected(("人员待公示",), 'aria-label="选择 ')
    objections = Expected(("人员异议",), ">异议不成立</button>")
    verification = Expected(("工作台待核验机构",), ">核验通过</button>")
    expected = {
        ("clerk", "被退回的岗位"): Expected(("结转退回岗位", "市级退回岗位"), submit),
        ("clerk", "未提交的草稿"): Expected(("往旬草稿岗位", "结转草稿岗位"), submit),
        ("clerk", "被退回的到岗人员"): Expected(("人员退回",), ">重新提交</button>"),
        ("clerk", "待公示的人员"): publicity,
        ("clerk", "待处理的异议"): objections,
        ("reviewer", "待初审的岗位"): Expected(("结转待初审岗位",), ">初审通过</button>"),
        ("reviewer", "待报送的岗位"): Expected(
            ("往旬待报送岗位",), ">退回</button>", f"报送{long_ago.label}岗位（1个）"
        ),
        ("reviewer", "待初审的到岗人员"): Expected(("人员待审",), ">初审通过</button>"),
        ("reviewer", "待公示的人员"): publicity,
        ("reviewer", "待处理的异议"): objections,
        ("reviewer", "待旬报的入职结果"): Expected(("人员已确认",), "<td", f"报送{now.label}入职结果"),
        ("centre", "待核验的第三方"): verification,
        ("centre", "待汇总的岗位"): Expected(("上旬待汇总岗位", "本旬已报送岗位"), ">汇总</button>"),
        ("centre", "待初审的补助申报"): Expected((submitted.reference,), ">办理</a>"),
        ("centre", "待初审的基地人员"): Expected(("基地人员待审",), ">初审通过</button>"),
        ("centre", "待公示的基地人员"): Expected(("基地人员待公示",), 'aria-label="选择 '),
        ("centre", "待处理的基地人员异议"): Expected(("基地人员异议",), ">异议不成立</button>"),
        ("bureau", "待复核发布的岗位"): Expected(("上旬待复核岗位",), ">复核发布</button>"),
        ("bureau", "待复核的补助申报"): Expected((passed.reference,), ">办理</a>"),
        ("bureau", "待登记发放的补助"): Expected((approved.reference,), ">办理</a>"),
        ("third_party", "可申报补助的人才"): Expected(("可申报人",), ">去申报</a>"),
        ("third_party", "被退回的申报"): Expected((back.reference,), claim_link(back)),
        ("third_party", "未提交的申报草稿"): Expected((draft.reference,), claim_link(draft)),
        ("unverified", "注册信息待核验"): Expected(("工作台待核验机构",), ""),
        ("employer", "待确认的引进人才"): Expected(("人员待单位确认",), ">确认</button>"),
        ("employer", "被退回的岗位需求"): Expected(("单位被退回需求",), ">修改后重新提出</a>"),
        ("clerk", "单位提出的岗位需求"): Expected(("单位待采纳需求",), ">退回</button>"),
        ("employer", "第三方申报待确认"): Expected(("申报待确认人",), ">确认</button>"),
        ("third_party", "待单位确认的申报"): Expected(("申报待确认人",), ">撤回</button>"),
        ("unverified", "待单位确认的申报"): Expected((), ""),
        ("admin", "待核验的第三方"): verification,
    }
    return users, expected


def test_every_card_of_every_role_opens_the_page_listing_what_it_counts_with_the_action() -> None:
    users, expected = _world()
    failures: list[str] = []
    seen: set[tuple[str, str]] = set()
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        workspace = client.get(reverse("portal:workspace"))
        assert workspace.status_code == 200
        for card in _cards(workspace.content.decode()):
            key = (role, card.title)
            seen.add(key)
            want = expected.get(key)
            if want is None:
                failures.append(f"{role}: card “{card.title}” ({card.count}) is not expected for this role")
                continue
            if card.count != len(want.items):
                failures.append(f"{role}: “{card.title}” counts {card.count}, expected {len(want.items)}")
            if card.url is None:
                if want.action:
                    failures.append(f"{role}: “{card.title}” links nowhere")
                continue
            response = client.get(card.url)
            if response.status_code != 200:
                failures.append(f"{role}: “{card.title}” → {card.url} answered {response.status_code}")
                continue
            page = response.content.decode()
            for item in want.items:
                if not any(want.action in container for container in _containers(page, item)):
                    failures.append(f"{role}: “{card.title}” → {card.url} does not list {item} with {want.action}")
            if want.page_action and want.page_action not in page:
                failures.append(f"{role}: “{card.title}” → {card.url} has no “{want.page_action}”")
            if want.action.startswith(">") or want.action.startswith("aria-label"):
                # The page lists no more items with this action than the card counts.
                rows = {container for item in want.items for container in _containers(page, item)}
                acting = sum(1 for part in re.split(r"<tr|<section", page) if want.action in part)
                if acting != card.count:
                    failures.append(
                        f"{role}: “{card.title}” counts {card.count}, {card.url} offers “{want.action}” {acting} times"
                        f" ({len(rows)} rows name the items)"
                    )
    missing = sorted(set(expected) - seen)
    assert not missing, f"cards not shown: {missing}"
    assert not failures, "\n".join(failures)


def test_the_clerk_has_no_card_for_the_hire_report_only_the_reviewer_sends_it() -> None:
    users, _expected = _world()
    titles = {}
    for role in ("clerk", "reviewer"):
        client = Client()
        client.force_login(users[role])
        titles[role] = {card.title for card in _cards(client.get(reverse("portal:workspace")).content.decode())}
    assert "待旬报的入职结果" not in titles["clerk"]
    assert "待旬报的入职结果" in titles["reviewer"]


def test_the_admins_workspace_links_to_the_imports_it_can_use() -> None:
    admin = UserFactory(admin=True)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("portal:workspace")).content.decode()
    for title, url in (
        ("导入岗位表（附件1）", reverse("positions:import")),
        ("导入到岗人员（附件3）", reverse("referrals:hire_import")),
    ):
        assert f'href="{url}">{title}</a>' in page
        target = client.get(url).content.decode()
        assert "下载空白表格" in target
