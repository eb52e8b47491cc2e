"""A post's whole journey as people see it: the clerk fills it, the district reviews and sends it, the city
aggregates and publishes it, and a visitor finds it on the public list. Plus the way back with a reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from portal.management.commands.seed_demo import DEMO_EMPLOYER, DEMO_PASSWORD
from tests.browser.conftest import log_in, log_out

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_NAME = "前沿通信技术与政策研究工程师"


def clerk_creates_and_submits(page, screenshot, name: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    log_in(page, "clerk_tongliang", DEMO_PASSWORD)
    page.get_by_role("navigation", name="工作菜单").get_by_role("link", name="岗位填报").click()
    page.get_by_role("link", name="新增岗位").click()
    expect(page.get_by_role("heading", name="新增岗位")).to_be_visible()
    page.get_by_label("用人单位", exact=True).select_option(label=DEMO_EMPLOYER["name"])
    page.get_by_label("引才专项").check()
    page.get_by_label("岗位名称").fill(name)
    page.get_by_label("需求人数").fill("0")
    page.get_by_label("学历要求").select_option(label="硕士")
    page.get_by_label("专业要求").fill("电子信息、通信工程、计算机")
    page.get_by_label("职业能力要求").fill("1.熟悉5G通信协议；\n2.具有政策研究经验；\n3.英语读写熟练。")
    page.get_by_label("是", exact=True).check()
    page.get_by_label("薪资范围").fill("15-25万元/年")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("需求人数至少为1人。")).to_be_visible()
    screenshot(f"{prefix}-1-clerk-form-error")

    page.get_by_label("需求人数").fill("4")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text(f"已保存草稿：{name}")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row.get_by_text("草稿")).to_be_visible()
    row.get_by_role("button", name="提交初审").click()
    expect(page.get_by_text(f"已提交初审：{name}")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=name).get_by_text("待初审")).to_be_visible()
    screenshot(f"{prefix}-2-clerk-submitted")
    log_out(page)


def test_a_post_goes_from_the_clerk_to_the_public_list(
    page: Page, screenshot: Callable[[str], Path], demo_data: None
) -> None:
    from playwright.sync_api import expect

    page.on("dialog", lambda dialog: dialog.accept())
    clerk_creates_and_submits(page, screenshot, POST_NAME, "positions-flow")

    log_in(page, "reviewer_tongliang", DEMO_PASSWORD)
    page.goto("/positions/district/")
    page.get_by_role("checkbox", name=f"选择 {POST_NAME}").check()
    page.get_by_role("button", name="批量初审通过").click()
    expect(page.get_by_text("已初审通过1个岗位")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=POST_NAME).get_by_text("初审通过")).to_be_visible()
    screenshot("positions-flow-3-reviewer-approved")
    page.get_by_role("button", name=re.compile(r"报送.*岗位（1个）")).click()
    expect(page.get_by_text(re.compile(r"已报送.*的岗位，共1个"))).to_be_visible()
    expect(page.locator(".portal-page-lead").get_by_text("已报送")).to_be_visible()
    screenshot("positions-flow-4-reviewer-sent")
    log_out(page)

    log_in(page, "centre_officer", DEMO_PASSWORD)
    page.get_by_role("navigation", name="工作菜单").get_by_role("link", name="岗位汇总").click()
    tongliang = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="铜梁区"))
    expect(tongliang).to_contain_text("已报送（1个岗位）")
    expect(page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="渝中区"))).to_contain_text("未报送")
    page.get_by_role("button", name="汇总全部（1）").click()
    expect(page.get_by_text("已汇总1个岗位")).to_be_visible()
    screenshot("positions-flow-5-centre-aggregated")
    log_out(page)

    log_in(page, "bureau_reviewer", DEMO_PASSWORD)
    page.goto("/positions/city/")
    page.get_by_role("row").filter(has_text=POST_NAME).get_by_role("button", name="复核发布").click()
    expect(page.get_by_text(f"已复核发布：{POST_NAME}")).to_be_visible()
    screenshot("positions-flow-6-bureau-published")
    log_out(page)

    page.get_by_role("link", name="岗位榜单").first.click()
    expect(page).to_have_url(re.compile(r"/positions/$"))
    page.get_by_label("关键词").fill("通信")
    page.get_by_label("渠道").select_option(label="引才专项")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("共 1 个岗位")).to_be_visible()
    screenshot("positions-flow-7-public-list")
    page.get_by_role("link", name=POST_NAME).click()
    expect(page.get_by_role("heading", name=POST_NAME)).to_be_visible()
    expect(page.get_by_text("15-25万元/年")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("关闭"))).to_have_count(0)
    screenshot("positions-flow-8-public-detail")


def test_the_reviewer_returns_a_post_and_the_clerk_sees_why(
    page: Page, screenshot: Callable[[str], Path], demo_data: None
) -> None:
    from playwright.sync_api import expect

    name = "智能网联汽车测试工程师"
    clerk_creates_and_submits(page, screenshot, name, "positions-return")

    log_in(page, "reviewer_tongliang", DEMO_PASSWORD)
    page.goto("/positions/district/")
    page.get_by_label(f"{name}的退回原因").fill("请补充薪资范围")
    page.get_by_role("row").filter(has_text=name).get_by_role("button", name="退回").click()
    expect(page.get_by_text(f"已退回修改：{name}")).to_be_visible()
    screenshot("positions-return-3-reviewer-returned")
    log_out(page)

    log_in(page, "clerk_tongliang", DEMO_PASSWORD)
    page.goto("/positions/district/")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row.get_by_text("已退回")).to_be_visible()
    expect(row.get_by_text("退回原因：请补充薪资范围")).to_be_visible()
    screenshot("positions-return-4-clerk-sees-reason")
    row.get_by_role("link", name="修改").click()
    expect(page.get_by_text("请补充薪资范围")).to_be_visible()


def test_a_return_without_a_reason_stays_on_the_post(
    page: Page, screenshot: Callable[[str], Path], demo_data: None
) -> None:
    """The browser asks for the reason first; a page sent without one anyway (an old page, a browser that ignores
    ``required``) comes back to the same post with the refusal, not to the batch list."""
    from playwright.sync_api import expect

    from portal.models import District
    from tests.factories import PositionFactory

    post = PositionFactory(batch__district=District.objects.get(code="500151"), submitted=True, name="退回测试工程师")
    log_in(page, "reviewer_tongliang", DEMO_PASSWORD)
    page.goto(f"/positions/manage/{post.pk}/?next=/positions/district/")
    reason = page.get_by_label("退回修改的原因（必填）")
    page.get_by_role("button", name="退回修改").click()
    assert reason.evaluate("box => !box.validity.valid")  # the browser asked; nothing was sent
    expect(page).to_have_url(re.compile(rf"/positions/manage/{post.pk}/"))

    reason.evaluate("box => box.removeAttribute('required')")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("退回修改须填写原因。")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/positions/manage/{post.pk}/\?next="))
    expect(page.get_by_role("heading", name="退回测试工程师")).to_be_visible()
    screenshot("positions-return-without-reason")

    reason.fill("请补充薪资范围")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回修改：退回测试工程师。")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/positions/district/$"))
