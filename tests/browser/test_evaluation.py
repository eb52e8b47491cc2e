"""A bureau reviewer's view of the year: 年度评估 (table, totals, workbook), 统计看板, and a 旬汇总 with its PDF."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page

from portal.calendar import TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.models import AnnualTarget
from rollups.tenday import rollup_run
from subsidies.models import Claim
from tests.browser.conftest import log_in
from tests.factories import DistrictFactory, HireFactory, PositionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICTS = ("渝中区", "江北区", "沙坪坝区")


def _seed(period: TenDayPeriod) -> None:
    """Three districts' posts and confirmed hires (3, 2, 1) in ``period``, and one paid claim of 渝中区."""
    year = period.year
    AnnualTarget.objects.create(programme="qihang", year=year, target=1000)
    AnnualTarget.objects.create(programme="haiju", year=year, target=200)
    moment = datetime.datetime.combine(period.first_day, datetime.time(10), tzinfo=SHANGHAI)
    employers = []
    for n, name in enumerate(DISTRICTS):
        district = DistrictFactory(name=name, order=n)
        post = PositionFactory(batch__district=district, batch__period=str(period), status="published", headcount=4)
        employers.append(post.employer)
        for k in range(3 - n):
            HireFactory(
                position=post, programme="haiju" if k else "qihang", year=year, confirmed=True, confirmed_at=moment
            )
    party = UserFactory(third_party_user=True)
    assert party.third_party is not None
    Claim.objects.create(
        reference="BZ-BROWSER-1",
        verification_code="BROWSER00001",
        third_party=party.third_party,
        employer=employers[0],
        employer_contact="张",
        employer_phone="023-12345678",
        status="paid",
        status_since=moment,
        submitted_at=moment,
        second_reviewed_at=moment,
        requested_total=Decimal("50000"),
        approved_total=Decimal("45000"),
        paid_on=period.first_day,
        payment_reference="ZF1",
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
        created_by=party,
    )


def test_the_bureau_reads_the_evaluation_the_dashboard_and_a_rollup(
    page: Page, screenshot: Callable[[str], Path], password: str
) -> None:
    from playwright.sync_api import expect

    period = TenDayPeriod.last_closed()
    year = period.year
    _seed(period)
    rollup, written = rollup_run(period=period)
    assert written
    bureau = UserFactory(bureau=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, bureau.username, password)

    # 年度评估 from the work menu (the last closed 旬 is last year's only in the first days of January).
    worknav = page.get_by_role("navigation", name="工作菜单")
    worknav.get_by_role("link", name="年度评估").click()
    if year != timezone.localdate().year:
        page.goto(f"/evaluation/?year={year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{year}年度卓越工程师工作评估考核表")
    table = page.locator("table.evaluation-table")
    for n, name in enumerate(DISTRICTS):
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell").nth(4)).to_have_text(str(1))  # 启航确认人数: each district one
        expect(row.get_by_role("cell").nth(6)).to_have_text(str(2 - n))  # 海聚确认人数
    totals = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="合计", exact=True))
    expect(totals).to_have_count(1)
    expect(totals).to_contain_text("45,000.00")
    expect(totals.get_by_role("cell").nth(4)).to_have_text("3")
    expect(totals.get_by_role("cell").nth(6)).to_have_text("3")
    screenshot("evaluation")

    href = page.get_by_role("link", name="导出Excel").get_attribute("href")
    assert href is not None
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.body())).active
    assert sheet["A1"].value == f"{year}年度卓越工程师工作评估考核表"
    headers = [cell.value for cell in sheet[3]]
    total = next(row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] == "合计")
    assert total[headers.index("启航确认人数")] == 3 and total[headers.index("海聚确认人数")] == 3
    assert Decimal(str(total[headers.index("核定金额（元）")])) == Decimal("45000")
    assert Decimal(str(total[headers.index("发放金额（元）")])) == Decimal("45000")
    assert [row[0] for row in sheet.iter_rows(min_row=4, max_row=6, values_only=True)] == list(DISTRICTS)

    # 统计看板: the same year's totals.
    worknav.get_by_role("link", name="统计看板").click()
    if year != timezone.localdate().year:
        page.goto(f"/dashboard/?year={year}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{year}年")
    expect(page.locator(".portal-dashboard-figure").first).to_contain_text("已确认 3 人")
    expect(page.locator(".portal-dashboard-figure").nth(1)).to_contain_text("已确认 3 人")
    expect(page.locator('[data-dashboard-chart="progress"] canvas')).to_have_count(1)

    # 旬汇总: the list, the roll-up of the 旬, its PDF.
    worknav.get_by_role("link", name="旬汇总").click()
    page.get_by_role("link", name=period.label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{period.label}汇总")
    summary = page.locator("table").first
    expect(summary.locator("tfoot")).to_contain_text("合计")
    expect(summary.locator("tfoot")).to_contain_text("45,000.00")
    expect(summary.locator("tbody").get_by_role("row")).to_have_count(len(DISTRICTS))
    screenshot("rollup-detail")

    pdf_href = page.get_by_role("link", name="下载 PDF").get_attribute("href")
    assert pdf_href is not None
    pdf = page.request.get(pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.fail("pdfinfo missing: make debs-test installs poppler-utils")
    info = subprocess.run([pdfinfo, "-"], input=body, capture_output=True, check=True, timeout=60).stdout.decode()  # noqa: S603
    assert any(line.split() == ["Pages:", "1"] for line in info.splitlines()), info
    assert rollup.revision == 1
    assert not errors, errors


def test_the_evaluation_shows_all_41_districts_in_the_page_under_a_sticky_header(
    page: Page, screenshot: Callable[[str], Path], password: str
) -> None:
    from playwright.sync_api import expect

    for n in range(41):
        DistrictFactory(order=n)
    bureau = UserFactory(bureau=True)
    log_in(page, bureau.username, password)
    page.goto("/evaluation/")
    table = page.locator("table.evaluation-table")

    # Every district is in the page itself (no scroll box inside it), and the header stays in view as the page scrolls.
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(41 + 1)  # and the total
    inner_scroll = table.evaluate(
        """table => { let n = table.parentElement, found = [];
            for (; n && n !== document.body; n = n.parentElement) {
                if (n.scrollHeight > n.clientHeight + 1 && getComputedStyle(n).overflowY !== 'visible') found.push(n.className);
            } return found; }"""
    )
    assert inner_scroll == [], inner_scroll
    assert table.evaluate("table => table.scrollWidth <= table.parentElement.clientWidth + 1")
    rows.last.scroll_into_view_if_needed()
    header = table.locator("thead").bounding_box()
    assert header is not None and abs(header["y"]) <= 1, header
    screenshot("evaluation-scrolled")
