"""The talent centre audits and publicises a base's hire that has no district (docs/workflows.md, "Hires without a
district"): an officer finds it in its work queue and on 基地人员审核, audits it on its page, publishes it in the
centre's own notice, and the public reads the notice under the centre's name. A screenshot (and axe-core) per page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from portal.calendar.workdays import CalendarUnknown, nth_working_day
from portal.contacts import TALENT_CENTRE
from referrals.constants import HireStatus
from referrals.models import Hire, PublicityNotice
from tests.browser.conftest import log_in, message, open_from_menu
from tests.factories import EmployerFactory, HireFactory, UserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "重庆两江卓越工程师集聚基地有限公司"
POST = "车规级芯片验证工程师"
NAME = "周启航"


def test_a_centre_officer_audits_and_publishes_a_base_hire(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path], confirmations: list[str]
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    try:
        nth_working_day(today, 5)
    except CalendarUnknown as error:
        pytest.skip(f"the official holiday arrangement is not known, the publicity cannot be computed: {error.message}")
    hire = HireFactory(
        without_district=True, employer=EmployerFactory(district=None, name=BASE), post_name=POST, name=NAME
    )
    district_hire = HireFactory(name="区县人员甲")
    UserFactory(centre=True, username="centre_ma", display_name="马潇")

    officer = open_person()
    log_in(officer, "centre_ma")
    card = officer.locator(".portal-queue").filter(has_text="待初审的基地人员")
    expect(card.locator(".portal-queue-count")).to_have_text("1")
    screenshot_of(officer, "centre-01-workspace")
    # The centre's work menu, its longest, is one line at 1280 pixels.
    tops = officer.locator(".portal-worknav .nav-link").evaluate_all("links => links.map(link => link.offsetTop)")
    assert officer.viewport_size and officer.viewport_size["width"] >= 1280
    assert len(tops) >= 12 and len(set(tops)) == 1, tops

    open_from_menu(officer, "基地人员审核")
    expect(officer.get_by_role("heading", name=f"{TALENT_CENTRE} · 基地人员审核（无所属区县）")).to_be_visible()
    row = officer.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(BASE)
    expect(row).to_contain_text(POST)
    expect(officer.get_by_role("row").filter(has_text=district_hire.name)).to_have_count(0)
    screenshot_of(officer, "centre-02-desk")

    row.get_by_role("link", name=NAME).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(officer.locator(".portal-page-lead")).to_contain_text(f"{TALENT_CENTRE}审核 · {BASE} · {POST}")
    screenshot_of(officer, "centre-03-hire")
    officer.get_by_role("button", name="初审通过").click()
    expect(message(officer, f"已初审通过：{NAME}。")).to_be_visible()
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED and hire.district is None

    officer.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="基地人员审核").click()
    expect(officer).to_have_url(re.compile(r"/hires/centre/$"))
    officer.get_by_role("link", name="发布公示").click()
    expect(officer.get_by_role("heading", name=f"{TALENT_CENTRE} · 发布公示")).to_be_visible()
    expect(officer.get_by_role("checkbox", name=f"选择 {NAME}")).to_be_checked()
    officer.get_by_label("公示开始日期").fill(today.isoformat())
    screenshot_of(officer, "centre-04-publish")
    officer.get_by_role("button", name="发布公示").click()
    expect(officer).to_have_url(re.compile(r"/notices/\d+/$"))
    assert confirmations[-1] == "确定发布公示吗？发布后公示内容将向社会公开。"
    notice = PublicityNotice.objects.get()
    title = f"{TALENT_CENTRE}卓越工程师引进人才公示（{today.year}年第1批）"
    assert (notice.district, notice.title, notice.reference) == (None, title, f"GS-RCZX-{today.year}-001")
    expect(officer.get_by_role("heading", name=title)).to_be_visible()
    expect(officer.locator(".portal-page-lead")).to_contain_text(f"{TALENT_CENTRE} · 编号 {notice.reference}")
    screenshot_of(officer, "centre-05-notice")
    assert Hire.objects.get(pk=hire.pk).status == HireStatus.IN_PUBLICITY

    visitor = open_person()
    visitor.goto("/publicity/")
    notice_card = visitor.locator("section.card").filter(has_text=title)
    expect(notice_card).to_contain_text(f"{TALENT_CENTRE} · 编号 {notice.reference}")
    notice_card.get_by_role("link", name=title).click()
    expect(visitor.get_by_role("row").filter(has_text=NAME)).to_contain_text(BASE)
    expect(visitor.get_by_role("region", name="异议受理")).to_contain_text(TALENT_CENTRE)
    screenshot_of(visitor, "centre-06-public-notice")


def test_a_returned_base_hire_is_corrected_by_another_officer_and_audited_by_the_first(
    open_person: Callable[[], Page], screenshot_of: Callable[[Page, str], Path]
) -> None:
    """One officer returns the hire; a second corrects its contract term on the district's own form (the declared
    post kept) and resubmits it; the second may no longer audit it, the first does."""
    from playwright.sync_api import expect

    hire = HireFactory(
        without_district=True, employer=EmployerFactory(district=None, name=BASE), post_name=POST, name=NAME
    )
    UserFactory(centre=True, username="centre_ma", display_name="马潇")
    UserFactory(centre=True, username="centre_li", display_name="李审")

    first = open_person()
    log_in(first, "centre_ma")
    first.goto(f"/hires/{hire.pk}/")
    first.get_by_label("退回修改原因").fill("劳动合同期限与合同不符，请核对。")
    first.get_by_role("button", name="退回修改").click()
    expect(message(first, f"已退回修改：{NAME}。")).to_be_visible()

    second = open_person()
    log_in(second, "centre_li")
    open_from_menu(second, "基地人员审核")
    row = second.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("劳动合同期限与合同不符")
    row.get_by_role("link", name="修改").click()
    expect(second.get_by_role("heading", name=f"修改到岗人员：{NAME}")).to_be_visible()
    expect(second.get_by_label("岗位名称")).to_contain_text(f"{POST}（揭榜招贤）（不在平台岗位表中）")
    second.get_by_label("劳动合同期限").fill("2026年3月至2029年2月")
    screenshot_of(second, "centre-07-correct")
    second.get_by_role("button", name="保存", exact=True).click()
    expect(message(second, f"已保存修改：{NAME}。")).to_be_visible()
    second.get_by_role("button", name="重新提交").click()
    expect(message(second, f"已重新提交：{NAME}。")).to_be_visible()
    hire.refresh_from_db()
    assert (hire.status, hire.contract_term, hire.post_name) == (HireStatus.RECORDED, "2026年3月至2029年2月", POST)
    expect(second.get_by_role("button", name="初审通过")).to_have_count(0)

    first.goto(f"/hires/{hire.pk}/")
    first.get_by_role("button", name="初审通过").click()
    expect(message(first, f"已初审通过：{NAME}。")).to_be_visible()
    assert Hire.objects.get(pk=hire.pk).status == HireStatus.AUDITED
