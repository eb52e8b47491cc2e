"""An employer's post proposal as the people see it (docs/workflows.md, "Employers' post proposals"): the employer,
signed in with its credit code, proposes a post to its district; the district's clerk finds it in the district's
proposals, adopts it into the running 旬 with one edit; the employer sees it adopted, with the post's state."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from portal.calendar import TenDayPeriod
from portal.management.commands.seed_demo import DEMO_EMPLOYER, DEMO_PASSWORD
from portal.models import Employer, User
from positions.constants import PositionSource, ProposalStatus
from positions.models import Position, PostProposal
from positions.proposals import proposal_create, proposal_return
from positions.services import PositionData
from tests.browser.conftest import enter_password, log_in, log_out, look_at, message, open_from_menu

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST = "智能产线数字孪生工程师"


def employer_signs_in(page: Page) -> None:
    """The employer signs in with its unit's credit code (no second factor for employers)."""
    from playwright.sync_api import expect

    enter_password(page, DEMO_EMPLOYER["credit_code"], DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))


def test_an_employer_proposes_a_post_and_the_clerk_adopts_it_with_one_edit(page: Page, demo_data: None) -> None:
    from playwright.sync_api import expect

    # 1. The employer proposes the post to its district.
    employer_signs_in(page)
    expect(page.get_by_text("提出岗位需求").first).to_be_visible()
    open_from_menu(page, "我的岗位需求")
    expect(page.get_by_text("尚未提出岗位需求")).to_be_visible()
    look_at(page, "proposals-1-employer-list-empty")
    page.get_by_role("link", name="提出岗位需求").click()
    expect(page.get_by_role("heading", name="提出岗位需求")).to_be_visible()
    page.get_by_label("揭榜招贤").check()
    page.get_by_label("岗位名称").fill(POST)
    page.get_by_label("需求人数").fill("2")
    page.get_by_label("学历要求").select_option(label="硕士")
    page.get_by_label("专业要求").fill("机械工程、计算机科学与技术")
    page.get_by_label("职业能力要求").fill("1.熟悉数字孪生建模；\n2.有产线仿真项目经验。")
    page.get_by_label("否", exact=True).check()
    page.get_by_label("薪资范围").fill("20-35万元/年")
    look_at(page, "proposals-2-employer-form")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(message(page, f"已向铜梁区提出岗位需求：{POST}。")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=POST)
    expect(row.get_by_text("待区县处理", exact=True)).to_be_visible()
    expect(row.get_by_text("等待区县处理")).to_be_visible()
    look_at(page, "proposals-3-employer-proposed")
    log_out(page)

    # 2. The district's clerk adopts it into the running 旬, with one edit: three people instead of two.
    log_in(page, "clerk_tongliang", DEMO_PASSWORD)
    open_from_menu(page, "单位岗位需求")
    row = page.get_by_role("row").filter(has_text=POST)
    expect(row).to_contain_text(DEMO_EMPLOYER["name"])
    look_at(page, "proposals-4-clerk-queue")
    row.get_by_role("link", name="采纳").click()
    expect(page.get_by_role("heading", name=f"采纳岗位需求：{POST}")).to_be_visible()
    expect(page.get_by_label("岗位名称")).to_have_value(POST)
    expect(page.get_by_label("需求人数")).to_have_value("2")
    page.get_by_label("需求人数").fill("3")
    look_at(page, "proposals-5-clerk-adopt-form")
    page.get_by_role("button", name="采纳并保存为草稿").click()
    label = TenDayPeriod.current().label
    expect(message(page, f"已采纳：{POST}，已保存为{label}的岗位草稿。")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/positions/district/\?period="))
    row = page.get_by_role("row").filter(has_text=POST)
    expect(row.get_by_text("草稿")).to_be_visible()
    look_at(page, "proposals-6-clerk-batch-with-the-draft")
    position = Position.objects.get(name=POST)
    assert position.headcount == 3 and position.source == PositionSource.PROPOSAL
    assert PostProposal.objects.get(name=POST).status == ProposalStatus.ADOPTED
    log_out(page)

    # 3. The employer sees it adopted, with the post's state.
    employer_signs_in(page)
    open_from_menu(page, "我的岗位需求")
    row = page.get_by_role("row").filter(has_text=POST)
    expect(row.get_by_text("已采纳")).to_be_visible()
    expect(row).to_contain_text("岗位状态：")
    expect(row.get_by_text("草稿")).to_be_visible()
    expect(row.get_by_role("button", name="撤回")).to_have_count(0)
    look_at(page, "proposals-7-employer-sees-adopted")


def test_the_employers_sheet_and_correction_pages(page: Page, demo_data: None) -> None:
    """The pages the walk above does not reach: the sheet upload, and a returned proposal's correction."""
    from playwright.sync_api import expect

    employer = Employer.objects.get(name=DEMO_EMPLOYER["name"])
    data = PositionData(
        employer=employer,
        channel="special_recruitment",
        name="精密减速器设计工程师",
        headcount=1,
        education="master",
        majors="机械工程",
        competencies="",
        recruits_graduates=False,
        salary_text="面议",
    )
    proposal = proposal_create(data=data, by=User.objects.get(username="employer"))
    proposal_return(proposal=proposal, reason="请写明职业能力要求。", by=User.objects.get(username="clerk_tongliang"))

    employer_signs_in(page)
    open_from_menu(page, "我的岗位需求")
    page.get_by_role("link", name="上传岗位表（附件1）").click()
    expect(page.get_by_role("heading", name=re.compile("上传本单位的"))).to_be_visible()
    look_at(page, "proposals-8-employer-sheet")
    page.go_back()
    row = page.get_by_role("row").filter(has_text="精密减速器设计工程师")
    expect(row).to_contain_text("退回原因：请写明职业能力要求。")
    row.get_by_role("link", name="修改后重新提出").click()
    expect(page.get_by_role("alert").filter(has_text="请写明职业能力要求。")).to_be_visible()
    page.get_by_label("职业能力要求").fill("熟悉精密传动设计。")
    look_at(page, "proposals-9-employer-correction")
    page.get_by_role("button", name="修改后重新提出").click()
    expect(message(page, "已修改并重新提出岗位需求：精密减速器设计工程师。")).to_be_visible()
    expect(
        page.get_by_role("row").filter(has_text="精密减速器设计工程师").get_by_text("待区县处理", exact=True)
    ).to_be_visible()
