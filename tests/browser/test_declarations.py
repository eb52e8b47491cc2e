"""A third party declares the people it introduced (docs/workflows.md, "Declarations by third parties"): it declares two
people at an employer's post; the employer confirms one and declines the other with a reason; a second third party's
declaration of the confirmed person is refused, with the reason. One browser context per person."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from portal.identity import mask_id_number
from referrals.constants import COMPETING_DECLINE_REASON, DeclarationStatus, HireStatus
from referrals.models import DeclaredPerson, Hire
from tests.browser.conftest import assert_accessible, log_in, message, open_from_menu
from tests.factories import DistrictFactory, PositionFactory, ThirdPartyFactory, UserFactory, make_id_number

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYER = "重庆渝申智能装备有限公司"
POST = "工业视觉算法工程师"
FIRST, SECOND = "周海宁", "陈思远"
FIRST_ID = make_id_number(41, region="500227", birthday="20000704")
SECOND_ID = make_id_number(42, region="500106", birthday="19990211")


def fill_person(page: Page, number: int, name: str, id_number: str) -> None:
    person = page.get_by_role("group", name=f"第{number}位人员")
    person.get_by_label("姓名").fill(name)
    person.get_by_label("身份证号码").fill(id_number)
    person.get_by_label("引进方式").select_option(label="全职")
    person.get_by_label("劳动合同期限").fill("3年")
    person.get_by_label("毕业院校").fill("重庆大学")
    person.get_by_label("毕业时间").fill("2025-06-30")


def start_declaration(page: Page) -> None:
    open_from_menu(page, "我的推荐申报")
    page.get_by_role("link", name="申报推荐引进的人员").click()
    page.get_by_label("单位名称或统一社会信用代码").fill("渝申智能")
    page.get_by_role("button", name="查找").click()
    assert_accessible(page, "employer search")
    page.get_by_role("link", name=re.compile(EMPLOYER)).click()
    page.get_by_label("岗位", exact=True).select_option(label=f"{POST}（揭榜招贤）")


def test_two_people_declared_one_confirmed_one_declined_and_a_rival_refused(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    district = DistrictFactory(code="500227", name="璧山区")
    post = PositionFactory(published=True, batch__district=district, employer__name=EMPLOYER, name=POST)
    UserFactory(
        third_party_user=True,
        third_party=ThirdPartyFactory(verified=True, name="重庆英才人力资源服务有限公司"),
        username="tp_yingcai",
    )
    UserFactory(
        third_party_user=True,
        third_party=ThirdPartyFactory(verified=True, name="重庆猎才咨询有限公司"),
        username="tp_liecai",
    )
    UserFactory(employer_user=True, employer=post.employer, username="hr_yushen", display_name="渝申人事")

    # 1. The first third party declares two people, the second added with 添加人员.
    agency = open_person()
    log_in(agency, "tp_yingcai")
    start_declaration(agency)
    expect(agency.get_by_role("heading", name=f"申报推荐引进的人员 · {EMPLOYER}")).to_be_visible()
    fill_person(agency, 1, FIRST, FIRST_ID)
    agency.get_by_role("button", name="添加人员").click()
    expect(agency.get_by_role("group", name="第1位人员").get_by_label("姓名")).to_have_value(FIRST)
    fill_person(agency, 2, SECOND, SECOND_ID)
    assert_accessible(agency, "declaration form")
    screenshot_of(agency, "declarations-01-form")
    agency.get_by_role("button", name="提交申报").click()
    expect(message(agency, f"已向{EMPLOYER}申报2名人员")).to_be_visible()
    for name in (FIRST, SECOND):
        row = agency.get_by_role("row").filter(has_text=name)
        expect(row.get_by_text("待单位确认")).to_be_visible()
    expect(agency.get_by_text(mask_id_number(FIRST_ID))).to_be_visible()
    assert FIRST_ID not in agency.content()
    assert_accessible(agency, "my declarations")

    # 2. The employer confirms the first and declines the second with a reason.
    employer = open_person()
    log_in(employer, "hr_yushen")
    open_from_menu(employer, "第三方申报待确认")
    expect(employer.get_by_role("heading", name=f"{EMPLOYER} · 第三方申报待确认")).to_be_visible()
    assert_accessible(employer, "employer declarations")
    screenshot_of(employer, "declarations-02-employer")
    employer.get_by_role("row").filter(has_text=FIRST).get_by_role("button", name="确认", exact=True).click()
    expect(message(employer, f"已确认：{FIRST}由重庆英才人力资源服务有限公司推荐引进")).to_be_visible()
    second = employer.get_by_role("row").filter(has_text=SECOND)
    second.get_by_role("textbox").fill("该人员未在本单位办理入职")
    second.get_by_role("button", name="不予确认").click()
    expect(message(employer, f"已不予确认：{SECOND}。")).to_be_visible()
    expect(employer.get_by_text("没有待确认的第三方申报。")).to_be_visible()
    hire = Hire.objects.get()
    assert (hire.name, hire.status, hire.district, hire.recorded_by.username) == (
        FIRST,
        HireStatus.RECORDED,
        district,
        "hr_yushen",
    )

    # 3. The first third party follows them: the confirmed one awaits the district's audit, the other says why.
    agency.reload()
    expect(agency.get_by_role("row").filter(has_text=FIRST).get_by_text("待初审")).to_be_visible()
    declined = agency.get_by_role("row").filter(has_text=SECOND)
    expect(declined.get_by_text("单位不予确认")).to_be_visible()
    expect(declined).to_contain_text("该人员未在本单位办理入职")
    screenshot_of(agency, "declarations-03-followed")

    # 4. A second third party declares the confirmed person there: refused, with the reason.
    rival = open_person()
    log_in(rival, "tp_liecai")
    start_declaration(rival)
    fill_person(rival, 1, FIRST, FIRST_ID)
    rival.get_by_role("button", name="提交申报").click()
    expect(rival.get_by_role("alert").filter(has_text=COMPETING_DECLINE_REASON)).to_be_visible()
    expect(rival.get_by_role("alert")).to_contain_text(f"第1位人员（{FIRST}）")
    assert_accessible(rival, "refused declaration")
    screenshot_of(rival, "declarations-04-refused")
    assert DeclaredPerson.objects.filter(third_party__name="重庆猎才咨询有限公司").count() == 0
    assert set(DeclaredPerson.objects.values_list("status", flat=True)) == {
        DeclarationStatus.CONFIRMED,
        DeclarationStatus.DECLINED,
    }
