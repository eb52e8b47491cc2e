"""The talent base's path end to end, each step by its person in the browser (docs/bases.md, docs/workflows.md): the
base, signed in with its credit code, proposes a post; the district adopts it, reviews it and sends it in its 旬
batch; the talent centre aggregates it and the bureau publishes it. A third party declares two people at the
published post; the base confirms one and declines the other; the district audits and publicises the confirmed one;
after the publicity closes the third party claims the subsidy for that person, and the claim waits in the talent
centre's queue. A second third party's declaration of the same person is refused. The bureau's dashboard shows the
base's post and its confirmed hire. One browser context per person, a screenshot (and axe check) at each key page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from bases.services import base_account_create, batch_title
from portal.calendar import TenDayPeriod
from portal.calendar.workdays import CalendarUnknown, nth_working_day
from portal.management.commands.seed_demo import DEMO_PASSWORD
from portal.models import District, User
from positions.constants import PositionStatus, ProposalStatus
from positions.models import Position, PostProposal
from referrals.constants import COMPETING_DECLINE_REASON, DeclarationStatus, EmployerConfirmation, HireStatus
from referrals.models import DeclaredPerson, Hire, PublicityNotice
from referrals.services import notices_confirm_closed
from subsidies.constants import ClaimStatus
from subsidies.models import Claim
from tests.browser.conftest import (
    assert_accessible,
    enter_password,
    log_in,
    message,
    open_from_menu,
    replace_initial_password,
)
from tests.factories import (
    BaseBatchFactory,
    EmployerFactory,
    TalentBaseFactory,
    ThirdPartyFactory,
    UserFactory,
    make_id_number,
    make_uscc,
)

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICT = "铜梁区"
BASE = "重庆铜梁卓越智造基地有限公司"
BASE_CODE = make_uscc(7311)
POST = "工业互联网平台开发工程师"
AGENCY = "重庆英才人力资源服务有限公司"
RIVAL = "重庆猎才咨询有限公司"
# Robust to the programme rules: 全职, 启航 with a graduation in the hire's year, arrival in the same year.
KEPT, DECLINED = "沈启航", "顾思远"
KEPT_ID = make_id_number(61, region="500151", birthday="20010412")
DECLINED_ID = make_id_number(62, region="500106", birthday="20000918")
DECLINE_REASON = "该人员已与本单位解除录用意向，未实际到岗"


def fill_person(page: Page, number: int, name: str, id_number: str, year: int) -> None:
    """One person of Annex 3: 全职, 启航, graduated and arrived this year."""
    person = page.get_by_role("group", name=f"第{number}位人员")
    person.get_by_label("姓名").fill(name)
    person.get_by_label("身份证号码").fill(id_number)
    person.get_by_label("引进方式").select_option(label="全职")
    person.get_by_label("劳动合同期限").fill("3年")
    person.get_by_label("专项").select_option(label="启航")
    person.get_by_label("毕业院校").fill("重庆大学")
    person.get_by_label("专业").fill("计算机科学与技术")
    person.get_by_label("学历").select_option(label="硕士")
    person.get_by_label("毕业时间").fill(f"{year}-06-30")
    person.get_by_label("入职时间").fill(f"{year}-07-15")


def start_declaration(page: Page) -> None:
    """From 我的推荐申报: find the base by its credit code and pick its published post."""
    from playwright.sync_api import expect

    open_from_menu(page, "我的推荐申报")
    page.get_by_role("link", name="申报推荐引进的人员").click()
    page.get_by_label("单位名称或统一社会信用代码").fill(BASE_CODE)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name=re.compile(BASE)).click()
    expect(page.get_by_role("heading", name=f"申报推荐引进的人员 · {BASE}")).to_be_visible()
    page.get_by_label("岗位", exact=True).select_option(label=f"{POST}（揭榜招贤）")


def upload_signed_annex(page: Page, kind: str, link: str, filename: str) -> None:
    """The annex the portal filled, downloaded and uploaded again as its signed scan."""
    href = page.get_by_role("link", name=link).get_attribute("href")
    assert href
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200 and response.body().startswith(b"%PDF-"), href
    page.get_by_label("材料类别").select_option(kind)
    scan: FilePayload = {"name": filename, "mimeType": "application/pdf", "buffer": response.body()}
    page.get_by_label("扫描件").set_input_files(files=[scan])
    page.get_by_role("button", name="上传").click()
    expect_message(page, f"：{filename}。")


def expect_message(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    expect(message(page, text)).to_be_visible()


def test_a_base_proposes_a_post_and_a_third_party_claims_for_the_hire_it_declared_there(
    demo_data: None,
    open_person: Callable[[], Page],
    screenshot_of: Callable[[Page, str], Path],
    confirmations: list[str],
    settings: object,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    try:
        nth_working_day(today, 5)
    except CalendarUnknown as error:
        pytest.skip(f"the official holiday arrangement is not known, the publicity cannot be computed: {error.message}")
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]
    year = today.year

    # 0. The base: an employer of 铜梁区 named in a batch, its credit code recorded, its account made by the admin
    #    (the admin's base-list action, walked in test_bases.py, calls this service).
    tongliang = District.objects.get(name=DISTRICT)
    base = TalentBaseFactory(
        batch=BaseBatchFactory(year=year - 1, number=1, title=batch_title(year - 1, 1)),
        employer=EmployerFactory(
            name=BASE, credit_code=BASE_CODE, district=tongliang, contact_name="钱人事", contact_phone="023-45671234"
        ),
        number=1,
    )
    account = base_account_create(base=base, by=User.objects.get(username="admin"))
    for username, name in (("tp_yingcai", AGENCY), ("tp_liecai", RIVAL)):
        UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True, name=name), username=username)

    # 1. The base proposes the post to its district.
    hr = open_person()
    enter_password(hr, BASE_CODE, account.initial_password)
    replace_initial_password(hr, account.initial_password)
    expect(hr.get_by_text("本单位是卓越工程师人才基地")).to_be_visible()
    open_from_menu(hr, "我的岗位需求")
    hr.get_by_role("link", name="提出岗位需求").click()
    hr.get_by_label("揭榜招贤").check()
    hr.get_by_label("岗位名称").fill(POST)
    hr.get_by_label("需求人数").fill("2")
    hr.get_by_label("学历要求").select_option(label="硕士")
    hr.get_by_label("专业要求").fill("计算机科学与技术、软件工程")
    hr.get_by_label("职业能力要求").fill("1.熟悉工业互联网平台架构；\n2.有制造业数据采集项目经验。")
    hr.get_by_label("是", exact=True).check()
    hr.get_by_label("薪资范围").fill("18-30万元/年")
    hr.get_by_role("button", name="提交", exact=True).click()
    expect_message(hr, f"已向{DISTRICT}提出岗位需求：{POST}。")
    screenshot_of(hr, "base-journey-01-base-proposed")

    # 2. The clerk adopts it into the running 旬 with one edit (one person more), and submits it.
    clerk = open_person()
    log_in(clerk, "clerk_tongliang", DEMO_PASSWORD)
    open_from_menu(clerk, "单位岗位需求")
    row = clerk.get_by_role("row").filter(has_text=POST)
    expect(row).to_contain_text(BASE)
    row.get_by_role("link", name="采纳").click()
    clerk.get_by_label("需求人数").fill("3")
    clerk.get_by_role("button", name="采纳并保存为草稿").click()
    expect_message(clerk, f"已采纳：{POST}，已保存为{TenDayPeriod.current().label}的岗位草稿。")
    row = clerk.get_by_role("row").filter(has_text=POST)
    expect(row.get_by_text("基地")).to_be_visible()
    row.get_by_role("button", name="提交初审").click()
    expect_message(clerk, f"已提交初审：{POST}")
    screenshot_of(clerk, "base-journey-02-clerk-submitted")

    # 3. The district reviewer approves it and sends the 旬 batch; the centre aggregates; the bureau publishes.
    reviewer = open_person()
    log_in(reviewer, "reviewer_tongliang", DEMO_PASSWORD)
    reviewer.goto("/positions/district/")
    reviewer.get_by_role("checkbox", name=f"选择 {POST}").check()
    reviewer.get_by_role("button", name="批量初审通过").click()
    expect(reviewer.get_by_text("已初审通过1个岗位")).to_be_visible()
    reviewer.get_by_role("button", name=re.compile(r"报送.*岗位（1个）")).click()
    expect(reviewer.get_by_text(re.compile(r"已报送.*的岗位，共1个"))).to_be_visible()

    centre = open_person()
    log_in(centre, "centre_officer", DEMO_PASSWORD)
    open_from_menu(centre, "岗位汇总")
    expect(centre.get_by_role("row").filter(has=centre.get_by_role("rowheader", name=DISTRICT))).to_contain_text(
        "已报送（1个岗位）"
    )
    centre.get_by_role("button", name="汇总全部（1）").click()
    expect(centre.get_by_text("已汇总1个岗位")).to_be_visible()

    bureau = open_person()
    log_in(bureau, "bureau_reviewer", DEMO_PASSWORD)
    bureau.goto("/positions/city/")
    bureau.get_by_role("row").filter(has_text=POST).get_by_role("button", name="复核发布").click()
    expect(bureau.get_by_text(f"已复核发布：{POST}")).to_be_visible()
    post = Position.objects.get(name=POST)
    assert (post.status, post.headcount, post.employer_id) == (PositionStatus.PUBLISHED, 3, base.employer_id)
    assert PostProposal.objects.get(name=POST).status == ProposalStatus.ADOPTED

    hr.reload()
    row = hr.get_by_role("row").filter(has_text=POST)
    expect(row.get_by_text("已采纳")).to_be_visible()
    expect(row.get_by_text("已发布")).to_be_visible()
    screenshot_of(hr, "base-journey-03-base-sees-published")

    # 4. A verified third party declares two people at the base's published post.
    agency = open_person()
    log_in(agency, "tp_yingcai")
    start_declaration(agency)
    fill_person(agency, 1, KEPT, KEPT_ID, year)
    agency.get_by_role("button", name="添加人员").click()
    fill_person(agency, 2, DECLINED, DECLINED_ID, year)
    screenshot_of(agency, "base-journey-04-declaration-form")
    agency.get_by_role("button", name="提交申报").click()
    expect_message(agency, f"已向{BASE}申报2名人员")

    # 5. The base confirms one and declines the other with a reason.
    open_from_menu(hr, "第三方申报待确认")
    expect(hr.get_by_role("heading", name=f"{BASE} · 第三方申报待确认")).to_be_visible()
    screenshot_of(hr, "base-journey-05-base-declarations")
    hr.get_by_role("row").filter(has_text=KEPT).get_by_role("button", name="确认", exact=True).click()
    expect_message(hr, f"已确认：{KEPT}由{AGENCY}推荐引进")
    declined = hr.get_by_role("row").filter(has_text=DECLINED)
    declined.get_by_role("textbox").fill(DECLINE_REASON)
    declined.get_by_role("button", name="不予确认").click()
    expect_message(hr, f"已不予确认：{DECLINED}。")
    hire = Hire.objects.get()
    assert (hire.name, hire.status, hire.district, hire.programme) == (KEPT, HireStatus.RECORDED, tongliang, "qihang")
    assert hire.employer_confirmation == EmployerConfirmation.CONFIRMED

    # 6. The district reviewer audits the confirmed person; the clerk publishes a notice with that person.
    open_from_menu(reviewer, "引进人才")
    row = reviewer.get_by_role("row").filter(has_text=KEPT)
    expect(row).to_contain_text(AGENCY)
    row.get_by_role("link", name=KEPT).click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text(KEPT)
    screenshot_of(reviewer, "base-journey-06-reviewer-hire")
    reviewer.get_by_role("button", name="初审通过").click()
    expect_message(reviewer, f"已初审通过：{KEPT}。")

    open_from_menu(clerk, "引进人才")
    clerk.get_by_role("link", name="发布公示").click()
    expect(clerk.get_by_role("checkbox", name=f"选择 {KEPT}")).to_be_checked()
    clerk.get_by_label("公示开始日期").fill(today.isoformat())
    clerk.get_by_role("button", name="发布公示").click()
    expect(clerk).to_have_url(re.compile(r"/notices/\d+/$"))
    assert confirmations[-1] == "确定发布公示吗？发布后公示内容将向社会公开。"
    notice = PublicityNotice.objects.get()
    expect(clerk.get_by_role("row").filter(has_text=KEPT)).to_contain_text(BASE)
    screenshot_of(clerk, "base-journey-07-clerk-notice")
    agency.goto("/declarations/")
    expect(agency.get_by_role("row").filter(has_text=KEPT).get_by_text("公示中")).to_be_visible()
    declined = agency.get_by_role("row").filter(has_text=DECLINED)
    expect(declined.get_by_text("单位不予确认")).to_be_visible()
    expect(declined).to_contain_text(DECLINE_REASON)

    # 7. The 5th working day ends (the scheduled job, run here with its clock past the close): the person is
    #    confirmed, the third party sees it claimable and claims it with the signed annexes.
    assert notices_confirm_closed(now=notice.closes_at + datetime.timedelta(minutes=1)) == 1
    hire.refresh_from_db()
    assert hire.status == HireStatus.CONFIRMED
    agency.reload()
    expect(agency.get_by_role("row").filter(has_text=KEPT).get_by_text("已确认（可申报补助）")).to_be_visible()
    screenshot_of(agency, "base-journey-08-agency-claimable")

    open_from_menu(agency, "补助申报")
    card = agency.locator(".card").filter(has=agency.get_by_role("heading", name=BASE))
    expect(card.get_by_text("可申报 1 人")).to_be_visible()
    card.get_by_role("link", name="新建申报").click()
    expect(agency.get_by_role("heading", name="卓越工程师引进补助申报表")).to_be_visible()
    expect(agency.get_by_label("用人单位联系人")).to_have_value("钱人事")
    row = agency.get_by_role("row").filter(has_text=KEPT)
    expect(row).to_contain_text("30,000.00")
    agency.get_by_role("checkbox", name=KEPT).check()
    agency.get_by_label(f"{KEPT}的申请金额").fill("30000")
    agency.get_by_label("本机构（个人）已向该用人单位推荐引进卓越工程师").check()
    agency.get_by_label("本机构（个人）无不良信用记录").check()
    agency.get_by_label("所提交的申报材料真实、准确、完整").check()
    screenshot_of(agency, "base-journey-09-claim-form")
    agency.get_by_role("button", name="保存", exact=True).click()
    expect(agency).to_have_url(re.compile(r"/claims/\d+/$"))
    claim = Claim.objects.get()
    upload_signed_annex(agency, "annex2", "下载申报表（附件2）", "附件2-签字盖章.pdf")
    upload_signed_annex(agency, "annex3", "下载确认表（附件3）", "附件3-基地盖章.pdf")
    agency.get_by_role("button", name="提交申报").click()
    expect_message(agency, f"已提交申报{claim.reference}，等待市人才交流服务中心初审。")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert list(claim.items.values_list("hire__name", flat=True)) == [KEPT]

    open_from_menu(centre, "补助审核")
    row = centre.get_by_role("row").filter(has_text=claim.reference)
    expect(row).to_contain_text(AGENCY)
    expect(row).to_contain_text(BASE)
    expect(row.get_by_text("基地")).to_be_visible()
    screenshot_of(centre, "base-journey-10-centre-queue")

    # 8. A second third party declares the same confirmed person at the base: refused, with the reason.
    rival = open_person()
    log_in(rival, "tp_liecai")
    start_declaration(rival)
    fill_person(rival, 1, KEPT, KEPT_ID, year)
    rival.get_by_role("button", name="提交申报").click()
    refusal = rival.get_by_role("alert").filter(has_text=COMPETING_DECLINE_REASON)
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(f"第1位人员（{KEPT}）")
    screenshot_of(rival, "base-journey-11-rival-refused")
    assert not DeclaredPerson.objects.filter(third_party__name=RIVAL).exists()
    assert sorted(DeclaredPerson.objects.values_list("status", flat=True)) == sorted(
        [DeclarationStatus.CONFIRMED, DeclarationStatus.DECLINED]
    )

    # 9. The bureau's dashboard: the base with its one post (3 people wanted) and its one confirmed 启航 hire.
    bureau.goto("/dashboard/")
    section = bureau.locator(".portal-dashboard-section").filter(has=bureau.locator('[data-dashboard-chart="bases"]'))
    cells = section.get_by_role("row").filter(has_text=BASE).get_by_role("cell")
    expect(cells.nth(0)).to_have_text("1")  # 岗位数
    expect(cells.nth(1)).to_have_text("3")  # 需求人数
    expect(cells.nth(2)).to_have_text("1")  # 启航
    expect(cells.nth(3)).to_have_text("0")  # 海聚
    expect(cells.nth(4)).to_have_text("1")  # 确认人数
    assert_accessible(bureau, "dashboard")
    screenshot_of(bureau, "base-journey-12-dashboard")
