"""The way back, for every role: what happens after a record was created. A reviewer returns a hire and the clerk
corrects it (its dates intact); the talent centre returns a claim and the third party corrects it; the employer
declines one introduction and confirms another; a member of the public mistypes and corrects an objection. Each
person works in a browser of their own, from the workspace's cards, and every page reached is checked by axe-core
and photographed (``screenshot_of``). The forward journeys are in test_positions, test_hires, test_claims and
test_third_parties; saving every form unchanged is test_round_trip."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.calendar.workdays import CalendarUnknown
from portal.errors import PortalError
from portal.models import District, Employer, ThirdParty, User
from referrals.constants import EmployerConfirmation, HireStatus, ObjectionStatus
from referrals.models import Hire, Objection
from referrals.services import notice_publish
from subsidies.constants import ClaimStatus
from subsidies.models import Claim
from tests.browser.conftest import log_in, message
from tests.factories import (
    ClaimFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
    ensure_caps,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICT = "潼南区"
EMPLOYER = "重庆潼南精密制造有限公司"
AGENCY = "重庆潼才人力资源服务有限公司"


def card(page: Page, title: str) -> Locator:
    """The workspace's work-queue card called ``title``."""
    return page.locator(".portal-queue").filter(has=page.get_by_role("heading", name=title))


def follow_card(page: Page, title: str, count: int) -> None:
    """From the workspace, the card ``title`` counting ``count`` items, to the page where they are."""
    from playwright.sync_api import expect

    page.goto("/workspace/")
    queue = card(page, title)
    expect(queue.locator(".portal-queue-count")).to_have_text(str(count))
    queue.get_by_role("link", name="前往处理").click()


@dataclass
class Claimant:
    """A verified agency of 潼南区 and its person (``tongcai``), an employer with its contact, the bounty list's cap."""

    employer: Employer
    party: ThirdParty
    user: User


def claimant() -> Claimant:
    ensure_caps()
    district = DistrictFactory(code="500152", name=DISTRICT)
    employer = EmployerFactory(name=EMPLOYER, district=district, contact_name="钱经理", contact_phone="023-44556677")
    party = ThirdPartyFactory(name=AGENCY, verified=True)
    user = UserFactory(third_party_user=True, third_party=party, username="tongcai", display_name="潼才顾问")
    return Claimant(employer, party, user)


def submitted_claim(who: Claimant, *, name: str, **state: object) -> Claim:
    """A claim of one claimable hire called ``name``, at the cap, signed annexes attached, submitted (or further on:
    ``state`` as ClaimFactory takes it)."""
    return ClaimFactory(
        **(state or {"submitted": True}),
        by=who.user,
        employer=who.employer,
        hire_names=(name,),
        employer_contact="钱经理",
        employer_phone="023-44556677",
    )


def reviewer_returns_the_claim(
    page: Page, claim: Claim, *, card: str, step: str, reason: str, look: Callable[[], object]
) -> None:
    """A reviewer, signed in, opens the claim from the workspace card ``card`` (待初审 or 待复核的补助申报), writes
    ``reason`` under ``step`` (初审意见 or 复核意见), is looked at (``look()``), and returns the claim."""
    follow_card(page, card, 1)
    page.get_by_role("row").filter(has_text=claim.reference).get_by_role("link", name="办理").click()
    page.get_by_role("region", name=step).get_by_role("textbox", name="意见").fill(reason)
    look()
    page.get_by_role("button", name="退回修改").click()


def claimant_reads_the_return(page: Page, claim: Claim, reason: str) -> None:
    """The third party, from its card 被退回的申报, opens the returned claim and reads why."""
    from playwright.sync_api import expect

    log_in(page, "tongcai")
    follow_card(page, "被退回的申报", 1)
    page.get_by_role("row").filter(has_text=claim.reference).get_by_role("link", name=claim.reference).click()
    expect(page.get_by_role("region", name="办理记录与意见")).to_contain_text(reason)


def test_the_reviewer_returns_a_hire_and_the_clerk_corrects_it_keeping_its_dates(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    arrived = today - datetime.timedelta(days=3)
    district = DistrictFactory(code="500152", name=DISTRICT)
    post = PositionFactory(
        published=True, batch__district=district, employer__name=EMPLOYER, name="数控系统工程师", headcount=2
    )
    party = ThirdPartyFactory(name=AGENCY, verified=True)
    clerk_user = UserFactory(clerk=True, district=district, username="clerk_tongnan", display_name="潼南经办")
    UserFactory(district_reviewer=True, district=district, username="reviewer_tongnan", display_name="潼南初审")
    hire = HireFactory(
        position=post,
        name="赵工程",
        year=arrived.year,
        arrived_on=arrived,
        school="重庆大学",
        major="机械工程",
        programme="haiju",
        work_experience="2018年至2026年 某装备公司 数控系统研发\n主持两项省级项目",
        third_party=party,
        employer_confirmation="pending",
        recorded_by=clerk_user,
    )
    before: Mapping[str, object] = Hire.objects.values().get(pk=hire.pk)

    # The reviewer reads the record, then returns it with the reason.
    reviewer = open_person()
    log_in(reviewer, "reviewer_tongnan")
    follow_card(reviewer, "待初审的到岗人员", 1)
    row = reviewer.get_by_role("row").filter(has_text="赵工程")
    expect(row.get_by_role("button", name="初审通过")).to_be_visible()
    screenshot_of(reviewer, "journey-hire-01-reviewer-queue")
    row.get_by_role("link", name="赵工程").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("赵工程")
    expect(reviewer.get_by_text(f"{arrived.year}年{arrived.month}月{arrived.day}日").first).to_be_visible()
    screenshot_of(reviewer, "journey-hire-02-reviewer-reads")
    reviewer.go_back()
    row = reviewer.get_by_role("row").filter(has_text="赵工程")
    row.get_by_label("赵工程的退回原因").fill("毕业院校有误：学信网记录为重庆邮电大学，请核对后重新提交。")
    row.get_by_role("button", name="退回").click()
    expect(reviewer.get_by_role("row").filter(has_text="赵工程")).to_have_count(0)
    hire.refresh_from_db()
    assert hire.status == HireStatus.RETURNED
    screenshot_of(reviewer, "journey-hire-03-reviewer-returned")

    # The clerk finds it from the card, reads why, corrects the school and resubmits; nothing else moves.
    clerk = open_person()
    log_in(clerk, "clerk_tongnan")
    follow_card(clerk, "被退回的到岗人员", 1)
    row = clerk.get_by_role("row").filter(has_text="赵工程")
    expect(row).to_contain_text("退回原因：毕业院校有误")
    screenshot_of(clerk, "journey-hire-04-clerk-returned")
    row.get_by_role("link", name="修改").click()
    expect(clerk.get_by_label("入职时间")).to_have_value(arrived.isoformat())
    expect(clerk.get_by_label("毕业院校")).to_have_value("重庆大学")
    clerk.get_by_label("毕业院校").fill("重庆邮电大学")
    screenshot_of(clerk, "journey-hire-05-clerk-corrects")
    clerk.get_by_role("button", name="保存", exact=True).click()
    after_edit: Mapping[str, object] = Hire.objects.values().get(pk=hire.pk)
    changed = {field for field in before if before[field] != after_edit[field]}
    assert changed <= {"school", "status", "return_reason", "updated_at", "edited_by_id"}, changed
    assert after_edit["arrived_on"] == arrived and after_edit["school"] == "重庆邮电大学"
    clerk.goto("/workspace/")
    follow_card(clerk, "被退回的到岗人员", 1)
    clerk.get_by_role("row").filter(has_text="赵工程").get_by_role("button", name="重新提交").click()
    hire.refresh_from_db()
    assert hire.status == HireStatus.RECORDED
    screenshot_of(clerk, "journey-hire-06-clerk-resubmitted")

    # The reviewer audits the corrected record; the publish page offers today, in a form the date picker keeps.
    follow_card(reviewer, "待初审的到岗人员", 1)
    reviewer.get_by_role("row").filter(has_text="赵工程").get_by_role("button", name="初审通过").click()
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED and hire.arrived_on == arrived
    follow_card(clerk, "待公示的人员", 1)
    expect(clerk.get_by_role("checkbox", name="选择 赵工程")).to_be_visible()
    expect(clerk.get_by_label("公示开始日期")).to_have_value(today.isoformat())
    screenshot_of(clerk, "journey-hire-07-clerk-publish-form")


def test_the_centre_returns_a_claim_and_the_third_party_corrects_and_resubmits_it(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path], confirmations: list[str]
) -> None:
    from playwright.sync_api import expect

    who = claimant()
    UserFactory(centre=True, username="centre_sun", display_name="孙初审")
    claim = submitted_claim(who, name="钱申报")
    hire = claim.items.get().hire

    # The talent centre returns it: the employer's phone on Annex 2 differs from the stamped Annex 3.
    centre = open_person()
    log_in(centre, "centre_sun")
    reviewer_returns_the_claim(
        centre,
        claim,
        card="待初审的补助申报",
        step="初审意见",
        reason="附件2所填用人单位联系电话与附件3盖章页不一致，请更正后重新提交。",
        look=lambda: screenshot_of(centre, "journey-claim-01-centre-returns"),
    )
    assert confirmations[-1] == "确定退回修改吗？"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED

    # The third party finds it from its card, reads why, corrects the phone and resubmits.
    agency = open_person()
    claimant_reads_the_return(agency, claim, "联系电话与附件3盖章页不一致")
    screenshot_of(agency, "journey-claim-02-agency-returned")
    agency.get_by_role("link", name="修改", exact=True).click()
    expect(agency.get_by_label("联系电话").first).to_have_value("023-44556677")
    agency.get_by_label("联系电话").first.fill("023-44556688")
    screenshot_of(agency, "journey-claim-03-agency-corrects")
    agency.get_by_role("button", name="保存", exact=True).click()
    expect(agency).to_have_url(re.compile(rf"/claims/{claim.pk}/$"))
    claim.refresh_from_db()
    assert claim.employer_phone == "023-44556688"
    assert [(item.hire_id, item.requested_amount) for item in claim.items.all()] == [(hire.pk, Decimal("30000.00"))]
    agency.get_by_role("button", name="提交申报").click()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    screenshot_of(agency, "journey-claim-04-agency-resubmitted")

    # Back in the centre's queue, with the earlier opinion in the record.
    follow_card(centre, "待初审的补助申报", 1)
    centre.get_by_role("row").filter(has_text=claim.reference).get_by_role("link", name="办理").click()
    expect(centre.get_by_role("region", name="办理记录与意见")).to_contain_text("请更正后重新提交")
    screenshot_of(centre, "journey-claim-05-centre-again")
    assert Claim.objects.count() == 1


def test_the_employer_declines_one_introduction_with_a_reason_and_confirms_another(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    district = DistrictFactory(code="500152", name=DISTRICT)
    employer = EmployerFactory(name=EMPLOYER, district=district)
    post = PositionFactory(published=True, batch__district=district, employer=employer, name="精密加工工艺工程师")
    party = ThirdPartyFactory(name=AGENCY, verified=True)
    UserFactory(employer_user=True, employer=employer, username="hr_tongnan", display_name="潼南精密人事")
    UserFactory(third_party_user=True, third_party=party, username="tongcai", display_name="潼才顾问")
    for name in ("孙确认", "李不认"):
        HireFactory(position=post, name=name, confirmed=True, third_party=party, employer_confirmation="pending")

    hr = open_person()
    log_in(hr, "hr_tongnan")
    follow_card(hr, "待确认的引进人才", 2)
    screenshot_of(hr, "journey-employer-01-to-confirm")
    row = hr.get_by_role("row").filter(has_text="李不认")
    row.get_by_role("button", name="不予确认").click()
    expect(message(hr, "请填写不予确认的原因。")).to_be_visible()
    assert Hire.objects.get(name="李不认").employer_confirmation == EmployerConfirmation.PENDING
    screenshot_of(hr, "journey-employer-02-reason-missing")
    row = hr.get_by_role("row").filter(has_text="李不认")
    row.get_by_label("李不认不予确认的原因").fill("该人员系本单位通过校园招聘自行引进，并非该机构推荐。")
    row.get_by_role("button", name="不予确认").click()
    hr.get_by_role("row").filter(has_text="孙确认").get_by_role("button", name="确认", exact=True).click()
    states = dict(Hire.objects.values_list("name", "employer_confirmation"))
    assert states == {"孙确认": EmployerConfirmation.CONFIRMED, "李不认": EmployerConfirmation.DECLINED}
    screenshot_of(hr, "journey-employer-03-decided")

    # The third party sees both outcomes, the reason included, where it follows its people.
    agency = open_person()
    log_in(agency, "tongcai")
    agency.goto("/claims/hires/")
    expect(agency.get_by_role("row").filter(has_text="李不认")).to_contain_text("并非该机构推荐")
    expect(agency.get_by_role("row").filter(has_text="孙确认").get_by_role("link", name="去申报")).to_be_visible()
    screenshot_of(agency, "journey-employer-04-agency-sees")


def test_a_member_of_the_public_corrects_an_objection_the_portal_refused(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    district = DistrictFactory(code="500152", name=DISTRICT)
    post = PositionFactory(published=True, batch__district=district, employer__name=EMPLOYER, name="焊接机器人工程师")
    clerk = UserFactory(clerk=True, district=district)
    hire = HireFactory(position=post, name="周公示", audited=True, recorded_by=clerk, school="重庆理工大学")
    try:
        notice = notice_publish(hires=[hire], published_on=today, title="", by=clerk)
    except (CalendarUnknown, PortalError) as error:
        pytest.skip(f"no publicity can start today: {error.message}")

    visitor = open_person()
    visitor.goto("/publicity/")
    visitor.get_by_role("link", name=notice.title).click()
    expect(visitor.get_by_role("row").filter(has_text="周公示")).to_contain_text("重庆理工大学")
    visitor.get_by_label("被异议人员").select_option(label=f"1. 周公示（{EMPLOYER}）")
    visitor.get_by_label("异议人真实姓名").fill("吴群众")
    visitor.get_by_label("联系电话").fill("1380000")
    visitor.get_by_label("异议事实和理由").fill("该人员入职时间与公示不符，请核实。")
    visitor.get_by_role("button", name="提交异议").click()
    phone = visitor.get_by_label("联系电话")
    expect(phone).to_have_value("1380000")
    expect(visitor.get_by_label("异议事实和理由")).to_have_value("该人员入职时间与公示不符，请核实。")
    assert not Objection.objects.exists()
    screenshot_of(visitor, "journey-public-01-objection-refused")
    phone.fill("13800000000")
    visitor.get_by_role("button", name="提交异议").click()
    expect(message(visitor, "异议已受理，回执编号：")).to_be_visible()
    objection = Objection.objects.get()
    assert (objection.hire_id, objection.status) == (hire.pk, ObjectionStatus.OPEN)
    shanghai_day = timezone.localtime(objection.created_at).strftime("%Y%m%d")
    assert objection.receipt[2:10] == shanghai_day, "the receipt carries Chongqing's date"
    screenshot_of(visitor, "journey-public-02-objection-receipt")


def test_the_admin_imports_a_corrected_sheet_and_keeps_a_districts_contacts(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from positions.models import Position
    from tests.positions.test_importing import row, write_sheet

    call_command("load_reference_data", verbosity=0)
    tongliang = District.objects.get(name="铜梁区")
    clerk = UserFactory(clerk=True, district=tongliang)
    UserFactory(username="admin_li", display_name="李管理", is_staff=True, is_superuser=True)

    # The sheet a district sent has two bad rows; the admin reads which, has them corrected, imports.
    admin = open_person()
    log_in(admin, "admin_li")
    admin.get_by_role("link", name="导入岗位表（附件1）").click()
    bad = write_sheet(tmp_path / "bad.xlsx", [row(1), row(2, headcount="若干"), row(3, education="小学")])
    admin.get_by_label("导入区县").select_option(label="铜梁区")
    admin.get_by_label(re.compile("Excel文件")).set_input_files(str(bad))
    admin.get_by_role("button", name="上传并预览").click()
    expect(admin.get_by_role("row").filter(has_text="〔需求人数〕")).to_contain_text("智能制造工程师2")
    expect(admin.get_by_role("row").filter(has_text="〔学历要求〕")).to_contain_text("智能制造工程师3")
    expect(admin.get_by_role("button", name=re.compile("确认导入"))).to_have_count(0)
    assert not Position.objects.exists()
    screenshot_of(admin, "journey-admin-01-import-errors")
    good = write_sheet(tmp_path / "good.xlsx", [row(1), row(2), row(3)])
    admin.get_by_label("导入区县").select_option(label="铜梁区")
    admin.get_by_label(re.compile("Excel文件")).set_input_files(str(good))
    admin.get_by_role("button", name="上传并预览").click()
    admin.get_by_role("button", name=re.compile("确认导入 3 个岗位")).click()
    expect(admin.get_by_text(re.compile("导入完成：新增岗位3个"))).to_be_visible()
    assert Position.objects.filter(district=tongliang).count() == 3
    screenshot_of(admin, "journey-admin-02-imported")

    # The district's objection contacts, kept in the admin; the change is in the record's trail, in words.
    admin.goto(f"/admin/portal/district/{tongliang.pk}/change/")
    admin.get_by_label("异议受理电话").fill("023-45678900")
    admin.get_by_label("来信地址").fill("重庆市铜梁区巴川街道龙城大道1号，402560")
    admin.get_by_role("button", name="保存", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("成功")
    admin.goto(f"/admin/portal/district/{tongliang.pk}/change/")
    trail = admin.locator("fieldset").filter(has_text="操作记录（审计）")
    expect(trail).to_contain_text("异议受理电话：（空） → 023-45678900")
    expect(trail).to_contain_text("李管理")
    screenshot_of(admin, "journey-admin-03-district-contacts")

    # A notice of the district now tells the public where to call and write.
    today = timezone.localdate()
    post = PositionFactory(published=True, batch__district=tongliang, name="铜梁公示岗位")
    hire = HireFactory(position=post, name="郑公示", audited=True, recorded_by=clerk)
    try:
        notice = notice_publish(hires=[hire], published_on=today, title="", by=clerk)
    except (CalendarUnknown, PortalError) as error:
        pytest.skip(f"no publicity can start today: {error.message}")
    visitor = open_person()
    visitor.goto(f"/publicity/{notice.pk}/")
    contacts = visitor.locator("section, div").filter(has=visitor.get_by_role("heading", name="异议受理")).last
    expect(contacts).to_contain_text("023-45678900")
    expect(contacts).to_contain_text("龙城大道1号")
    screenshot_of(visitor, "journey-admin-04-public-sees-contacts")


def test_a_double_click_on_save_sends_the_claim_once(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    who = claimant()
    employer = who.employer
    claimable_hire(who.party, employer=employer, name="冯双击")

    agency = open_person()
    log_in(agency, "tongcai")
    agency.goto(f"/claims/new/?employer={employer.pk}")
    agency.get_by_role("checkbox", name="冯双击").check()
    agency.get_by_label("冯双击的申请金额").fill("30000")
    agency.get_by_label("本机构（个人）已向该用人单位推荐引进卓越工程师").check()
    agency.get_by_label("本机构（个人）无不良信用记录").check()
    agency.get_by_label("所提交的申报材料真实、准确、完整").check()
    posts: list[str] = []
    agency.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    # A person's double click: the second click lands while the first answer is still on its way.
    agency.get_by_role("button", name="保存", exact=True).evaluate(
        "button => { button.click(); setTimeout(() => button.click(), 5); }"
    )
    expect(agency).to_have_url(re.compile(r"/claims/\d+/$"))
    claim = Claim.objects.get()
    expect(message(agency, f"已保存申报草稿{claim.reference}。")).to_be_visible()
    expect(agency.locator(".portal-messages .alert-danger")).to_have_count(0)
    assert len(posts) == 1, posts
    screenshot_of(agency, "journey-claim-06-double-click-saved-once")


def test_the_bureau_returns_a_claim_past_its_first_review(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path], confirmations: list[str]
) -> None:
    from playwright.sync_api import expect

    who = claimant()
    centre = UserFactory(centre=True, display_name="孙初审")
    UserFactory(bureau=True, username="bureau_zhao", display_name="赵复核")
    claim = submitted_claim(who, name="陈复核", first_passed=True, centre=centre, first_opinion="材料齐全。")

    bureau = open_person()
    log_in(bureau, "bureau_zhao")

    def look() -> None:
        expect(bureau.get_by_role("region", name="办理记录与意见")).to_contain_text("材料齐全。")
        screenshot_of(bureau, "journey-claim-07-bureau-returns")

    reviewer_returns_the_claim(
        bureau,
        claim,
        card="待复核的补助申报",
        step="复核意见",
        reason="劳动合同期限未满1年，请补充劳动合同复印件后重新提交。",
        look=look,
    )
    assert confirmations[-1] == "确定退回修改吗？"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED

    agency = open_person()
    claimant_reads_the_return(agency, claim, "请补充劳动合同复印件")
    screenshot_of(agency, "journey-claim-08-agency-returned-by-bureau")
