"""A person's view of the foundation: the public pages and each demo role's landing page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from tests.browser.conftest import log_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages_in_chinese(page, screenshot, demo_data) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("卓越工程师")
    expect(page.get_by_text("30,000").or_(page.get_by_text("30000")).first).to_be_visible()
    screenshot("public-home")

    page.get_by_role("link", name="政策指南").first.click()
    expect(page).to_have_url(re.compile(r"/policies/$"))
    expect(page.get_by_text("共 23 条政策")).to_be_visible()
    page.get_by_label(re.compile("关键词")).fill("补贴")
    # htmx swaps the results without a page load; the count shrinks and the URL follows.
    expect(page.get_by_text(re.compile(r"共 \d+ 条政策"))).not_to_have_text("共 23 条政策")
    expect(page).to_have_url(re.compile(r"q=%E8%A1%A5%E8%B4%B4|q=补贴"))
    screenshot("public-policies-search")

    page.goto("/bases/")
    expect(page.get_by_text("国网重庆市电力公司")).to_be_visible()
    expect(page.get_by_text("象帝先计算技术（重庆）有限公司")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(40)
    screenshot("public-bases")


@pytest.mark.parametrize("spec", DEMO_USERS, ids=[spec["username"] for spec in DEMO_USERS])
def test_each_demo_role_logs_in_and_lands_on_its_page(
    page: Page, screenshot: Callable[[str], Path], demo_data: None, spec: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    from portal.constants import Role

    log_in(page, spec["username"], DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()
    expect(page.get_by_text(str(Role(spec["role"]).label)).first).to_be_visible()
    nav = page.get_by_role("navigation", name="工作菜单")
    expect(nav.get_by_role("link", name="我的工作台")).to_be_visible()
    if spec["role"] == Role.ADMIN:
        expect(nav.get_by_role("link", name="系统管理")).to_be_visible()
    else:
        expect(nav.get_by_role("link", name="系统管理")).to_have_count(0)
    if spec["role"] in (Role.THIRD_PARTY, Role.EMPLOYER):
        expect(nav.get_by_role("link", name="用人单位")).to_have_count(0)
    screenshot(f"workspace-{spec['username']}")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()


def test_a_clerk_cannot_open_another_districts_employer(page, demo_data) -> None:  # type: ignore[no-untyped-def]

    from portal.models import Employer

    demo_employer = Employer.objects.get(credit_code="91500151MA5U00000X")  # in 铜梁区
    log_in(page, "clerk_yuzhong", DEMO_PASSWORD)
    response = page.goto(f"/employers/{demo_employer.pk}/")
    assert response is not None and response.status == 404
