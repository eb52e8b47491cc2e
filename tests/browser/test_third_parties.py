"""What new users of the third-party side meet, in the browser: the talent centre returns a registration with a
reason, the third party reads it, corrects and resubmits, and the centre verifies it; a headhunter follows every hire
it introduced and its workspace counts those it can claim; the bureau pays the approved (not the requested) amount
and the claimant is no longer asked to sign anything; anyone checks a paper by typing its code at /verify/, found
from the footer. Every page passes axe-core."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from portal.constants import ThirdPartyStatus
from subsidies.constants import ClaimStatus
from tests.browser.conftest import log_in, message, open_from_menu
from tests.factories import (
    ClaimFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    PublicityNoticeFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
    make_uscc,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from referrals.models import Hire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENCY = "重庆渝才汇人力资源服务有限公司"
REASON = "开户银行与银行账号不一致：账号属建设银行，开户银行却填写为工商银行，请核对后重新提交。"


pytestmark = [*pytestmark, pytest.mark.usefixtures("caps")]


def test_a_returned_registration_is_corrected_resubmitted_and_verified(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path], confirmations: list[str]
) -> None:
    from playwright.sync_api import expect

    party = ThirdPartyFactory(
        name=AGENCY, credit_code=make_uscc(8080), bank_name="中国工商银行重庆渝北支行", contact_name="何敏"
    )
    UserFactory(third_party_user=True, third_party=party, username="yucaihui")
    UserFactory(centre=True, username="centre_he", display_name="何核验")

    # 1. The officer returns the registration with a reason.
    centre = open_person()
    log_in(centre, "centre_he")
    open_from_menu(centre, "第三方核验")
    row = centre.get_by_role("row").filter(has_text=AGENCY)
    expect(row.get_by_text("待核验")).to_be_visible()
    row.get_by_text("退回补正", exact=True).click()
    reason = row.get_by_label(f"退回{AGENCY}的原因")
    expect(reason).to_be_visible()
    row.get_by_role("button", name="确认退回").click()  # no reason: the browser asks for it, nothing is sent
    assert reason.evaluate("field => field.validity.valueMissing")
    party.refresh_from_db()
    assert party.status == ThirdPartyStatus.PENDING
    reason.fill(REASON)
    screenshot_of(centre, "third-parties-01-centre-returns")
    row.get_by_role("button", name="确认退回").click()
    expect(message(centre, f"已退回补正：{AGENCY}。")).to_be_visible()
    assert confirmations[-1] == f"确定将“{AGENCY}”的注册信息退回补正吗？"
    centre.get_by_role("link", name=re.compile("^退回补正")).click()
    expect(centre.get_by_role("row").filter(has_text=AGENCY)).to_contain_text(REASON)
    screenshot_of(centre, "third-parties-02-centre-returned-tab")

    # 2. The third party reads why on its workspace, corrects the bank and resubmits.
    agency = open_person()
    log_in(agency, "yucaihui")
    card = agency.locator(".portal-queue").filter(has_text="注册信息被退回补正")
    expect(card).to_contain_text(REASON)
    screenshot_of(agency, "third-parties-03-agency-workspace-returned")
    agency.get_by_role("link", name=re.compile("^消息")).click()
    expect(agency.get_by_text("注册信息被退回补正").first).to_be_visible()
    open_from_menu(agency, "注册信息")
    expect(agency.get_by_role("heading", name="注册信息被退回补正")).to_be_visible()
    expect(agency.get_by_role("alert").filter(has_text=REASON)).to_be_visible()
    expect(agency.get_by_label("开户银行")).to_have_value("中国工商银行重庆渝北支行")
    agency.get_by_label("开户银行").fill("中国建设银行重庆渝北支行")
    agency.get_by_label("联系电话").fill("12345")  # a slip first: the same rules as at registration
    agency.get_by_role("button", name="修改后重新提交").click()
    expect(agency.get_by_text("注册信息有误，请按各项下方的提示修改后重新提交。")).to_be_visible()
    expect(agency.get_by_label("开户银行")).to_have_value("中国建设银行重庆渝北支行")
    agency.get_by_label("联系电话").fill("023-67889900")
    screenshot_of(agency, "third-parties-04-agency-corrects")
    agency.get_by_role("button", name="修改后重新提交").click()
    expect(message(agency, "已重新提交核验。")).to_be_visible()
    expect(
        agency.get_by_role("status").filter(has_text="修改后重新提交，正在等待市人才交流服务中心核验")
    ).to_be_visible()
    expect(agency.get_by_role("button", name="修改后重新提交")).to_have_count(0)
    screenshot_of(agency, "third-parties-05-agency-resubmitted")

    # 3. Back in the centre's queue, with the last reason beside it; verified.
    open_from_menu(centre, "第三方核验")
    centre.get_by_role("link", name=re.compile("^待核验")).click()
    row = centre.get_by_role("row").filter(has_text=AGENCY)
    expect(row).to_contain_text("修改后重新提交")
    expect(row).to_contain_text(f"上次退回原因：{REASON}")
    expect(row).to_contain_text("中国建设银行重庆渝北支行")
    screenshot_of(centre, "third-parties-06-centre-back-in-queue")
    row.get_by_role("button", name="核验通过").click()
    expect(message(centre, f"已核验：{AGENCY}。")).to_be_visible()
    party.refresh_from_db()
    assert party.is_verified and party.bank_name == "中国建设银行重庆渝北支行"
    agency.reload()
    expect(agency.get_by_role("status").filter(has_text="核验通过")).to_be_visible()


def test_a_headhunter_follows_its_hires_is_paid_the_approved_amount_and_a_paper_is_checked(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path], confirmations: list[str]
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    district = DistrictFactory(code="500151", name="铜梁区")
    employer = EmployerFactory(name="重庆铜梁智造装备有限公司", district=district)
    post = PositionFactory(published=True, batch__district=district, employer=employer, name="机器人算法工程师")
    party = ThirdPartyFactory(verified=True, name=AGENCY)
    headhunter = UserFactory(third_party_user=True, third_party=party, username="yucaihui")
    centre = UserFactory(centre=True, username="centre_he")
    UserFactory(bureau=True, username="bureau_yan", display_name="严复核")
    clerk = UserFactory(clerk=True, district=district)

    def introduced(name: str, **fields: object) -> Hire:
        values = {"third_party": party, "employer_confirmation": "pending", "position": post, "name": name}
        return HireFactory(**(values | fields))

    introduced("赵登记")
    in_publicity = introduced("钱公示", status="audited")
    notice = PublicityNoticeFactory(
        district=district,
        reference=f"GS-500151-{today.year}-007",
        published_on=today,
        closes_at=timezone.now() + datetime.timedelta(days=6),
        published_by=clerk,
        hires=[in_publicity],
    )
    notice.refresh_from_db()
    introduced("孙待确认", status="confirmed", confirmed_at=timezone.now())
    claimable_hire(party, employer, position=post, name="李可申报")
    paid_hire = claimable_hire(party, employer, position=post, name="周已申报")
    claim = ClaimFactory(
        approved=True,
        by=headhunter,
        employer=employer,
        hires=[paid_hire],
        employer_contact="刘经理",
        employer_phone="023-45671234",
        centre=centre,
        first_opinion="材料齐全。",
        second_opinion="按25000元核定。",
        approved_amounts=("25000",),
    )

    # 1. The headhunter's workspace counts what it can claim now; 我推荐的人才 shows every stage.
    hh = open_person()
    log_in(hh, "yucaihui")
    card = hh.locator(".portal-queue").filter(has_text="可申报补助的人才")
    expect(card).to_contain_text("可申报 1 人")
    screenshot_of(hh, "third-parties-07-headhunter-workspace")
    card.get_by_role("link", name="前往处理").click()
    expect(hh.get_by_role("heading", name="我推荐的人才")).to_be_visible()
    expect(hh.get_by_role("row").filter(has_text="李可申报").get_by_role("link", name="去申报")).to_be_visible()
    expect(hh.get_by_role("row").filter(has_text="赵登记")).to_have_count(0)
    hh.get_by_role("link", name="全部", exact=True).click()
    rows = {
        "赵登记": ("已登记", "待区县审核"),
        "钱公示": ("公示中", f"公示至{notice.last_day:%Y年%-m月%-d日}（{notice.reference}）"),
        "孙待确认": ("待单位确认", "用人单位确认后可申报"),
        "李可申报": ("可申报", "去申报"),
        "周已申报": ("已申报", claim.reference),
    }
    for name, shown in rows.items():
        row = hh.get_by_role("row").filter(has_text=name)
        for text in shown:
            expect(row).to_contain_text(text)
        expect(row).to_contain_text(re.compile(r"500103\*{8}\d{3}[\dX]"))
    expect(hh.get_by_role("row").filter(has_text="周已申报")).to_contain_text("已核定待发放")
    assert all(hire.id_number not in hh.content() for hire in party.hires.all())
    screenshot_of(hh, "third-parties-08-introduced-hires")

    # 2. The bureau's payment queue and form show the approved amount, the requested beside it.
    bureau = open_person()
    log_in(bureau, "bureau_yan")
    open_from_menu(bureau, "补助审核")
    bureau.get_by_role("link", name=re.compile("待发放")).click()
    row = bureau.get_by_role("row").filter(has_text=claim.reference)
    expect(row).to_contain_text("25,000.00")
    expect(row).to_contain_text("30,000.00")
    expect(bureau.get_by_role("columnheader", name="核定金额（元）")).to_be_visible()
    screenshot_of(bureau, "third-parties-09-payment-queue")
    row.get_by_role("link", name="办理").click()
    expect(bureau.locator(".portal-page-lead")).to_contain_text("核定 25,000.00 元（申请 30,000.00 元）")
    pay = bureau.get_by_role("region", name=re.compile("登记发放"))
    expect(pay).to_contain_text("发放金额：25,000.00 元")
    bureau.get_by_label("支付凭证号").fill("CQCZ-2026-001207")
    screenshot_of(bureau, "third-parties-10-payment-form")
    bureau.get_by_role("button", name="登记发放").click()
    expect(message(bureau, f"已登记发放：{claim.reference}。")).to_be_visible()
    assert confirmations[-1] == "确定登记发放25,000.00元吗？"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID

    # 3. The claimant's page of a paid claim asks for nothing any more.
    hh.get_by_role("row").filter(has_text="周已申报").get_by_role("link", name=claim.reference).click()
    expect(hh.get_by_role("heading", level=1)).to_contain_text("已发放")
    expect(hh.get_by_role("status").filter(has_text="办理情况")).to_contain_text(
        f"补助25,000.00元已于{today:%Y年%-m月%-d日}发放，申报办理完毕，您无需操作。"
    )
    expect(hh.get_by_text("签字盖章后扫描上传")).to_have_count(0)
    expect(hh.get_by_role("button", name="提交申报")).to_have_count(0)
    expect(hh.locator(".portal-page-lead")).to_contain_text("核定金额 25,000.00 元（申请 30,000.00 元）")
    screenshot_of(hh, "third-parties-11-claim-paid")

    # 4. Anyone checks the paper: the footer leads to /verify/, where the code is typed as read off the paper.
    public = open_person()
    public.goto("/")
    public.get_by_role("navigation", name="页脚链接").get_by_role("link", name="文件核验").click()
    expect(public.get_by_role("heading", name="文件核验")).to_be_visible()
    public.get_by_label("核验码").fill(claim.reference)
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_text("您输入的是申报编号")).to_be_visible()
    screenshot_of(public, "third-parties-12-verify-wrong")
    code = claim.verification_code
    public.get_by_label("核验码").fill(f"{code[:4]} {code[4:8]} {code[8:]}".lower())
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_role("heading", name=re.compile("核验通过"))).to_be_visible()
    expect(public.get_by_text("25,000.00元")).to_be_visible()
    expect(public.get_by_text("已发放")).to_be_visible()
    screenshot_of(public, "third-parties-13-verify-found")
