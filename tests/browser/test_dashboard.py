"""A person's view of the city dashboard: the charts draw (no CSP complaint, no script error) beside their tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from portal.calendar.tenday import SHANGHAI
from portal.models import AnnualTarget
from tests.browser.conftest import log_in
from tests.factories import DistrictFactory, HireFactory, TalentBaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_charts(page: Page, screenshot: Callable[[str], Path], password: str) -> None:
    from playwright.sync_api import expect

    year = timezone.localdate().year
    AnnualTarget.objects.create(programme="qihang", year=year, target=1000)
    AnnualTarget.objects.create(programme="haiju", year=year, target=200)
    for n, name in enumerate(["渝中区", "江北区", "沙坪坝区"]):
        district = DistrictFactory(name=name, order=n)
        for k in range(3 - n):
            HireFactory(
                position__batch__district=district,
                programme="haiju" if k else "qihang",
                year=year,
                confirmed=True,
                confirmed_at=datetime(year, 1 + k * 3, 5, 10, tzinfo=SHANGHAI),
            )
    # A talent base with a confirmed hire: the bases' chart and table have a row.
    base = TalentBaseFactory(employer__name="重庆看板基地有限公司")
    HireFactory(
        position__employer=base.employer,
        year=year,
        confirmed=True,
        confirmed_at=datetime(year, 1, 5, 10, tzinfo=SHANGHAI),
    )
    user = UserFactory(centre=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, user.username, password)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{year}年")
    for name in ("progress", "districts", "channels", "bases"):
        # ECharts draws into a <canvas> inside each container.
        expect(page.locator(f'[data-dashboard-chart="{name}"] canvas')).to_have_count(1)
    # No claim asked any money and nothing waits for review: those two say so instead of drawing.
    for name in ("subsidies", "queues"):
        expect(page.locator(f'[data-dashboard-empty="{name}"]')).to_have_text("暂无数据")
    expect(page.get_by_role("link", name="下载CSV")).to_have_count(6)
    expect(page.get_by_role("row").filter(has_text="重庆看板基地有限公司")).to_contain_text("1")
    expect(page.get_by_role("row").filter(has_text="渝中区").first).to_contain_text("3")
    screenshot("dashboard")
    assert not errors, errors
    # One base is one short chart, not a bar stretched over the height kept for forty.
    bases_height = page.locator('[data-dashboard-chart="bases"]').evaluate("node => node.clientHeight")
    assert bases_height < 200, bases_height

    # Every table beside a chart fits its column: no heading or figure (the 海聚 columns, 最长等待（天）) is cut off.
    for name in ("progress", "districts", "channels", "subsidies", "bases", "queues"):
        frame = (
            page.locator(".portal-dashboard-section")
            .filter(has=page.locator(f'[data-dashboard-chart="{name}"], [data-dashboard-empty="{name}"]'))
            .locator(".portal-dashboard-table")
        )
        overflow = frame.evaluate("node => node.scrollWidth - node.clientWidth")
        assert overflow <= 1, f"the {name} table is {overflow}px wider than its column"
    # The progress chart names each month once (at its 上旬), not 36 旬 labels on top of each other.
    shown = page.evaluate(
        """() => {
            const node = document.querySelector('[data-dashboard-chart="progress"]');
            const axis = window.echarts.getInstanceByDom(node).getOption().xAxis[0];
            return axis.data.filter((label, index) => axis.axisLabel.interval(index, label))
                .map(label => axis.axisLabel.formatter(label));
        }"""
    )
    assert shown == [f"{month}月" for month in range(1, 13)]


def test_a_chart_with_no_data_says_so_instead_of_drawing_empty_axes(
    page: Page, screenshot: Callable[[str], Path], password: str
) -> None:
    """Hires but no talent base with any figure: the bases' chart is a centred 暂无数据, its table says the same,
    and the other charts still draw."""
    from playwright.sync_api import expect

    year = timezone.localdate().year
    HireFactory(
        position__batch__district=DistrictFactory(name="渝中区"),
        year=year,
        confirmed=True,
        confirmed_at=datetime(year, 1, 5, 10, tzinfo=SHANGHAI),
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, UserFactory(centre=True).username, password)
    page.goto("/dashboard/")
    section = page.get_by_role("region", name="人才基地确认人数及补助（有数据的基地）")
    empty = section.locator('[data-dashboard-empty="bases"]')
    expect(empty).to_have_text("暂无数据")
    expect(empty).to_be_visible()
    expect(section.locator("canvas")).to_have_count(0)
    expect(section.get_by_role("img")).to_have_count(0)
    expect(section.get_by_role("table").get_by_role("row")).to_have_count(2)  # its header, and 暂无数据
    expect(section.get_by_role("table")).to_contain_text("暂无数据")
    # Centred in its box: the text's middle is the box's middle, both ways.
    offset = empty.evaluate(
        """node => {
            const box = node.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(node);
            const text = range.getBoundingClientRect();
            return [Math.abs((text.left + text.right - box.left - box.right) / 2),
                    Math.abs((text.top + text.bottom - box.top - box.bottom) / 2)];
        }"""
    )
    assert max(offset) <= 2, offset
    # The charts with data still draw.
    for name in ("districts", "channels"):
        expect(page.locator(f'[data-dashboard-chart="{name}"] canvas')).to_have_count(1)
    section.scroll_into_view_if_needed()
    screenshot("dashboard-empty-chart")
    assert not errors, errors
