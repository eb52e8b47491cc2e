"""A hire's whole journey as the people see it (docs/workflows.md, "Hires"): the district clerk records an arrival, the
district reviewer audits it, the clerk publicises it, a member of the public objects and the clerk dismisses the
objection, the publicity closes and the hire is confirmed, the employer confirms the introduction, the reviewer sends
the district's 旬 report and the bureau sees it arrive. One browser context per person, a screenshot of each page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.calendar.tenday import SHANGHAI, end_of_day
from portal.calendar.workdays import CalendarUnknown, nth_working_day
from portal.identity import mask_id_number
from portal.models import PersonalDataAccess
from referrals.constants import EmployerConfirmation, HireStatus, ObjectionStatus
from referrals.models import Hire, HireReport, Objection, PublicityNotice
from referrals.tasks import confirm_closed_publicity
from tests.browser.conftest import log_in, message, open_from_menu
from tests.factories import DistrictFactory, PositionFactory, ThirdPartyFactory, UserFactory, make_id_number

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICT = "璧山区"
EMPLOYER = "重庆渝创智能装备有限公司"
POST = "工业机器人算法工程师"
THIRD_PARTY = "重庆英才人力资源服务有限公司"
NAME = "李明远"
SCHOOL = "重庆大学"
ID_NUMBER = make_id_number(37, region="500227", birthday="20010315")
# The same number with a wrong check digit: the clerk's typo.
WRONG_ID_NUMBER = ID_NUMBER[:-1] + ("1" if ID_NUMBER[-1] != "1" else "2")


def ymd(day: datetime.date) -> str:
    return f"{day:%Y年%-m月%-d日}"


def test_a_hire_goes_from_arrival_to_the_district_report(
    open_person: Callable[[], Page],
    screenshot_of: Callable[[Page, str], Path],
    confirmations: list[str],
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    try:
        last_day = nth_working_day(today, 5)
    except CalendarUnknown as error:
        pytest.skip(f"the official holiday arrangement is not known, the publicity cannot be computed: {error.message}")
    period = TenDayPeriod.current()

    # 1. The district, its published post (1 person, graduates), a third party, the people.
    district = DistrictFactory(code="500120", name=DISTRICT)
    post = PositionFactory(
        published=True,
        batch__district=district,
        employer__name=EMPLOYER,
        name=POST,
        headcount=1,
        recruits_graduates=True,
        education="master",
    )
    ThirdPartyFactory(name=THIRD_PARTY)
    UserFactory(clerk=True, district=district, username="clerk_bishan", display_name="张经办")
    UserFactory(district_reviewer=True, district=district, username="reviewer_bishan", display_name="王初审")
    UserFactory(employer_user=True, employer=post.employer, username="hr_yuchuang", display_name="渝创人事")
    UserFactory(bureau=True, username="bureau_liudong", display_name="刘复核")
    masked = mask_id_number(ID_NUMBER)
    assert masked == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]

    # 2. The clerk records the arrival; a mistyped ID number first.
    clerk = open_person()
    log_in(clerk, "clerk_bishan")
    open_from_menu(clerk, "引进人才")
    expect(clerk.get_by_role("heading", name=f"{DISTRICT} · 引进人才（实际到岗）")).to_be_visible()
    clerk.get_by_role("link", name="登记到岗人员").click()
    expect(clerk.get_by_role("heading", name="登记到岗人员")).to_be_visible()
    clerk.get_by_label("岗位名称").select_option(label=f"{EMPLOYER} · {POST}（揭榜招贤，需求1人）")
    clerk.get_by_label("姓名").fill(NAME)
    clerk.get_by_label("身份证号码").fill(WRONG_ID_NUMBER)
    clerk.get_by_label("全职").check()
    clerk.get_by_label("劳动合同期限").fill("3年")
    clerk.get_by_label("毕业院校").fill(SCHOOL)
    clerk.get_by_label("专业").fill("控制科学与工程")
    clerk.get_by_label("学历").select_option(label="硕士")
    # 应届 (graduated last summer): the programme follows the facts (docs/workflows.md, "Which programme").
    clerk.get_by_label("毕业时间").fill(f"{today.year - 1}-06-30")
    clerk.get_by_label("荐才第三方").select_option(label=THIRD_PARTY)
    clerk.get_by_role("button", name="保存", exact=True).click()
    id_field = clerk.locator(".mb-3").filter(has=clerk.get_by_label("身份证号码"))
    expect(id_field.get_by_text("身份证号码校验位不正确，请核对最后一位。")).to_be_visible()
    expect(clerk.get_by_label("姓名")).to_have_value(NAME)
    assert not Hire.objects.exists()
    screenshot_of(clerk, "hires-01-clerk-form-error")

    clerk.get_by_label("身份证号码").fill(ID_NUMBER)
    clerk.get_by_role("button", name="保存", exact=True).click()
    expect(message(clerk, f"已登记到岗人员：{NAME}，等待初审。")).to_be_visible()
    row = clerk.get_by_role("row").filter(has_text=NAME)
    expect(row.get_by_text("待初审")).to_be_visible()
    expect(row.get_by_text(masked)).to_be_visible()
    expect(row).to_contain_text("启航 · 全职")
    expect(row).to_contain_text(THIRD_PARTY)
    hire = Hire.objects.get()
    assert (hire.name, hire.id_number, hire.status, hire.programme) == (NAME, ID_NUMBER, HireStatus.RECORDED, "qihang")
    assert hire.employer_confirmation == EmployerConfirmation.PENDING
    screenshot_of(clerk, "hires-02-clerk-recorded")

    # 3. The reviewer sees it masked, reveals the number (recorded), audits it.
    reviewer = open_person()
    log_in(reviewer, "reviewer_bishan")
    open_from_menu(reviewer, "引进人才")
    row = reviewer.get_by_role("row").filter(has_text=NAME)
    expect(row.get_by_text(masked)).to_be_visible()
    assert ID_NUMBER not in reviewer.content()
    screenshot_of(reviewer, "hires-03-reviewer-list-masked")
    row.get_by_role("link", name=NAME).click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text(NAME)
    id_number = reviewer.locator("#id-number")
    expect(id_number).to_contain_text(masked)
    assert ID_NUMBER not in reviewer.content()
    assert not PersonalDataAccess.objects.exists()
    id_number.get_by_role("button", name="显示完整号码").click()
    expect(id_number.get_by_text(ID_NUMBER)).to_be_visible()
    expect(id_number).to_contain_text("已记录本次查看")
    access = PersonalDataAccess.objects.get()
    assert (access.user.username, access.object_id, access.field) == ("reviewer_bishan", hire.pk, "id_number")
    screenshot_of(reviewer, "hires-04-reviewer-id-revealed")
    reviewer.get_by_role("button", name="初审通过").click()
    expect(message(reviewer, f"已初审通过：{NAME}。")).to_be_visible()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("初审通过")
    assert ID_NUMBER not in reviewer.content(), "the reveal must not outlive the page it was asked on"
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED
    screenshot_of(reviewer, "hires-05-reviewer-audited")

    # 4. The clerk publishes the notice, starting today.
    open_from_menu(clerk, "引进人才")
    clerk.get_by_role("link", name="发布公示").click()
    expect(clerk.get_by_role("heading", name="发布公示")).to_be_visible()
    expect(clerk.get_by_role("checkbox", name=f"选择 {NAME}")).to_be_checked()
    clerk.get_by_label("公示开始日期").fill(today.isoformat())
    screenshot_of(clerk, "hires-06-clerk-publish-form")
    clerk.get_by_role("button", name="发布公示").click()
    expect(clerk).to_have_url(re.compile(r"/notices/\d+/$"))
    assert confirmations[-1] == "确定发布公示吗？发布后公示内容将向社会公开。"
    notice = PublicityNotice.objects.get()
    title = f"{DISTRICT}卓越工程师引进人才公示（{today.year}年第1批）"
    assert notice.title == title
    assert notice.last_day == last_day
    assert notice.closes_at == end_of_day(last_day)
    expect(message(clerk, f"已发布公示{notice.reference}，共1人，公示至{ymd(last_day)}。")).to_be_visible()
    expect(clerk.get_by_role("heading", name=title)).to_be_visible()
    lead = clerk.locator(".portal-page-lead")
    expect(lead.get_by_text("公示中")).to_be_visible()
    expect(lead).to_contain_text(f"公示期：{ymd(today)} 至 {ymd(last_day)}")
    expect(lead).to_contain_text(
        f"（5个工作日，{ymd(last_day)} 24:00截止）"
    )  # the end of the 5th day, not "next day 00:00"
    expect(clerk.get_by_role("row").filter(has_text=NAME).get_by_text("公示中")).to_be_visible()
    screenshot_of(clerk, "hires-07-clerk-notice-published")

    # 5. A member of the public finds the notice and objects.
    visitor = open_person()
    visitor.goto("/")
    visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="公示").click()
    expect(visitor).to_have_url(re.compile(r"/publicity/$"))
    card = visitor.locator("section.card").filter(has_text=title)
    expect(card).to_contain_text(f"{DISTRICT} · 编号 {notice.reference}")
    expect(card).to_contain_text(f"{ymd(today)} 至 {ymd(last_day)}（共 1 人）")
    screenshot_of(visitor, "hires-08-public-list")
    card.get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", name=title)).to_be_visible()
    row = visitor.get_by_role("row").filter(has_text=NAME)
    for shown in (EMPLOYER, POST, "硕士", SCHOOL):
        expect(row).to_contain_text(shown)
    html = visitor.content()
    assert ID_NUMBER not in html and masked not in html
    visitor.get_by_label("被异议人员").select_option(label=f"1. {NAME}（{EMPLOYER}）")
    visitor.get_by_label("异议人真实姓名").fill("赵群众")
    visitor.get_by_label("联系电话").fill("13800000000")
    visitor.get_by_label("异议事实和理由").fill("据我所知，该人员尚未取得硕士学位，请核实其学历。")
    screenshot_of(visitor, "hires-09-public-notice-objection-form")
    visitor.get_by_role("button", name="提交异议").click()
    receipt_message = message(visitor, "异议已受理，回执编号：")
    expect(receipt_message).to_be_visible()
    objection = Objection.objects.get()
    expect(receipt_message).to_contain_text(f"回执编号：{objection.receipt}。")
    assert re.fullmatch(r"YY\d{8}[0-9A-F]{6}", objection.receipt)
    assert (objection.hire_id, objection.phone, objection.status) == (hire.pk, "13800000000", ObjectionStatus.OPEN)
    screenshot_of(visitor, "hires-10-public-objection-receipt")

    # 6. The clerk dismisses the objection; the publicity still runs, so the hire stays 公示中.
    open_from_menu(clerk, "引进人才")
    clerk.get_by_role("link", name="异议处理").click()
    expect(clerk.get_by_role("heading", name="异议处理", exact=True)).to_be_visible()
    card = clerk.locator("section.card").filter(has_text=f"回执 {objection.receipt}")
    expect(card).to_contain_text(NAME)
    expect(card).to_contain_text("赵群众")
    expect(card).to_contain_text("13800000000")
    expect(card).to_contain_text("该人员尚未取得硕士学位")
    card.get_by_label("处理意见").fill("经核查学位证书和学信网记录，该人员已于2026年6月取得硕士学位，异议不成立。")
    screenshot_of(clerk, "hires-11-clerk-objection-queue")
    card.get_by_role("button", name="异议不成立").click()
    expect(message(clerk, f"已处理异议{objection.receipt}：异议不成立。")).to_be_visible()
    assert confirmations[-1] == "确定异议不成立吗？"
    expect(clerk.get_by_text("没有待处理的异议。")).to_be_visible()
    objection.refresh_from_db()
    hire.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert hire.status == HireStatus.IN_PUBLICITY
    open_from_menu(clerk, "引进人才")
    clerk.get_by_role("row").filter(has_text=NAME).get_by_role("link", name=NAME).click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("公示中")
    objections = clerk.get_by_role("region", name="异议")
    expect(objections).to_contain_text(objection.receipt)
    expect(objections).to_contain_text("异议不成立")
    expect(objections).to_contain_text("处理意见：经核查学位证书")
    screenshot_of(clerk, "hires-12-clerk-hire-after-objection")

    # 7. The 5th working day ends: the scheduled job confirms the hire, once.
    PublicityNotice.objects.filter(pk=notice.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert confirm_closed_publicity() == 1
    assert confirm_closed_publicity() == 0
    clerk.reload()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("已确认")
    hire.refresh_from_db()
    assert hire.status == HireStatus.CONFIRMED and hire.confirmed_at is not None
    expect(clerk.get_by_role("region", name="办理情况")).to_contain_text(
        f"{hire.confirmed_at.astimezone(SHANGHAI):%Y年%-m月%-d日 %H:%M}"
    )
    screenshot_of(clerk, "hires-13-clerk-hire-confirmed")
    # The closed notice leaves public view.
    visitor.get_by_role("navigation", name="主导航").get_by_role("link", name="公示").click()
    expect(visitor.get_by_text("当前没有正在公示的人员")).to_be_visible()

    # 8. The employer confirms the third party's introduction.
    employer = open_person()
    log_in(employer, "hr_yuchuang")
    open_from_menu(employer, "引进人才")
    expect(employer).to_have_url(re.compile(r"/employer/hires/$"))
    expect(employer.get_by_role("heading", name=f"{EMPLOYER} · 引进人才")).to_be_visible()
    row = employer.get_by_role("row").filter(has_text=NAME)
    expect(row.get_by_text("已确认", exact=True)).to_be_visible()
    expect(row.get_by_text("待单位确认")).to_be_visible()
    expect(row).to_contain_text(THIRD_PARTY)
    expect(row.get_by_text(masked)).to_be_visible()
    assert ID_NUMBER not in employer.content()
    screenshot_of(employer, "hires-14-employer-to-confirm")
    row.get_by_role("button", name="确认", exact=True).click()
    expect(message(employer, f"已确认：{NAME}由{THIRD_PARTY}推荐引进。")).to_be_visible()
    assert confirmations[-1] == f"确认{NAME}系由{THIRD_PARTY}推荐引进、已实际到岗吗？"
    row = employer.get_by_role("row").filter(has_text=NAME)
    expect(row.get_by_text("单位已确认")).to_be_visible()
    expect(row.get_by_role("button", name="确认", exact=True)).to_have_count(0)
    hire.refresh_from_db()
    assert hire.employer_confirmation == EmployerConfirmation.CONFIRMED
    screenshot_of(employer, "hires-15-employer-confirmed")

    # 9. The reviewer sends the district's 旬 report with the hire in it.
    open_from_menu(reviewer, "引进人才")
    reviewer.get_by_role("link", name="入职结果旬报").click()
    expect(reviewer.get_by_role("heading", name=f"{DISTRICT} · {period.label}入职结果")).to_be_visible()
    lead = reviewer.locator(".portal-page-lead")
    expect(lead.get_by_text("待报送")).to_be_visible()
    expect(reviewer.get_by_role("heading", name="将随本旬报送的人员（1人）")).to_be_visible()
    expect(reviewer.get_by_role("row").filter(has_text=NAME)).to_contain_text(THIRD_PARTY)
    screenshot_of(reviewer, "hires-16-reviewer-report-to-send")
    reviewer.get_by_role("button", name=f"报送{period.label}入职结果").click()
    expect(message(reviewer, f"已报送{period.label}入职结果，共1人。")).to_be_visible()
    assert confirmations[-1] == f"确定报送{period.label}入职结果吗？共1人。报送后不能撤回。"
    # The 旬 runs until its last day's midnight, so this report cannot be late.
    expect(lead.get_by_text("已报送")).to_be_visible()
    expect(reviewer.get_by_role("heading", name="本次报送的人员（1人）")).to_be_visible()
    expect(reviewer.get_by_role("row").filter(has_text=NAME)).to_contain_text(masked)
    expect(reviewer.get_by_role("button", name=re.compile("报送.*入职结果"))).to_have_count(0)
    report = HireReport.objects.get()
    hire.refresh_from_db()
    assert (report.period, report.is_late, hire.report_id) == (str(period), False, report.pk)
    screenshot_of(reviewer, "hires-17-reviewer-report-sent")
    reviewer.get_by_role("row").filter(has_text=NAME).get_by_role("link", name=NAME).click()
    expect(reviewer.get_by_role("region", name="办理情况")).to_contain_text(f"已随{period.label}入职结果报送")

    # 10. The bureau sees the district reported on time, with one person.
    bureau = open_person()
    log_in(bureau, "bureau_liudong")
    open_from_menu(bureau, "入职旬报")
    expect(bureau).to_have_url(re.compile(r"/hire-reports/city/$"))
    expect(bureau.get_by_role("heading", name=f"{period.label} · 各区县入职结果报送情况")).to_be_visible()
    row = bureau.get_by_role("row").filter(has_text=DISTRICT)
    expect(row.get_by_text("按时报送")).to_be_visible()
    expect(row.get_by_role("rowheader")).to_have_text(DISTRICT)
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
    expect(row).to_contain_text("王初审")
    expect(bureau.locator(".portal-page-lead")).to_contain_text("本旬上报确认人员共 1 人")
    screenshot_of(bureau, "hires-18-bureau-city-report")
