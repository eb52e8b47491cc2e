"""The 旬 roll-up pages and downloads: the city sees every district, a district its own row and the city average."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.calendar import TenDayPeriod
from portal.models import District, User
from rollups.models import RollUp
from rollups.tenday import rollup_run
from tests.factories import DistrictFactory, HireFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
PERIOD = TenDayPeriod.parse("2026-11-2")
SHEETS = ["汇总", "岗位", "引进人才", "公示与异议", "补助", "报送情况", "人才基地"]


def _data(district: District, headcount: int) -> None:
    PositionFactory(batch__district=district, batch__period=str(PERIOD), status="sent", headcount=headcount)
    HireFactory(position__batch__district=district, confirmed=True, confirmed_at=PERIOD.closes_at.replace(day=12))


@pytest.fixture
def other() -> District:
    return DistrictFactory(name="邻近测试县")


@pytest.fixture
def rollup(district: District, other: District) -> RollUp:
    _data(district, 3)
    _data(other, 7)
    rollup, _ = rollup_run(period=PERIOD)
    # Claim amounts as the roll-up stores them (strings), to see them come out as numbers.
    figures = rollup.figures
    amounts = {district.code: ("2", "30000.00"), other.code: ("1", "12345.50")}
    for row in figures["districts"]:
        if row["code"] in amounts:
            count, amount = amounts[row["code"]]
            row["claims"] = {"submitted": int(count), "submitted_amount": amount}
    figures["totals"]["claims"] = {"submitted": 3, "submitted_amount": "42345.50"}
    RollUp.objects.filter(pk=rollup.pk).update(figures=figures)
    rollup.refresh_from_db()
    return rollup


@pytest.fixture
def centre() -> User:
    return UserFactory(centre=True)


def _url(name: str, period: str = "2026-11-2") -> str:
    return reverse(f"rollups:{name}", args=[period])


def _workbook(client: Client, user: User) -> Workbook:
    client.force_login(user)
    response = client.get(_url("rollup_xlsx"))
    assert response.status_code == 200
    assert (
        "filename*=UTF-8''%E6%97%AC%E6%B1%87%E6%80%BB-2026-11-2-%E7%AC%AC1%E7%89%88.xlsx"
        in (response["Content-Disposition"])
    )
    return load_workbook(io.BytesIO(response.content))


def _pdf_text(content: bytes) -> tuple[int, str]:
    """The number of pages and the text, as poppler extracts them."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext missing: make debs-test installs poppler-utils")
    command = [pdftotext, "-layout", "-enc", "UTF-8", "-", "-"]
    result = subprocess.run(command, input=content, capture_output=True, check=True, timeout=60)  # noqa: S603
    pages = [page for page in result.stdout.decode().split("\f") if page.strip()]
    return len(pages), "".join(pages)


def test_city_staff_see_every_district_and_the_totals(
    client: Client, rollup: RollUp, district: District, other: District, centre: User
) -> None:
    client.force_login(centre)
    listing = client.get(reverse("rollups:rollup_list")).content.decode()
    assert "2026年11月中旬" in listing and "第1版" in listing
    page = client.get(_url("rollup_detail")).content.decode()
    assert district.name in page and other.name in page and "合计" in page
    assert "42,345.50" in page
    # Districts that reported nothing are highlighted.
    assert "未报送" in page and "table-warning" in page


def test_a_district_sees_its_own_row_and_the_city_average(
    client: Client, rollup: RollUp, district: District, other: District, clerk: User
) -> None:
    client.force_login(clerk)
    page = client.get(_url("rollup_detail")).content.decode()
    assert district.name in page and "全市平均" in page
    assert other.name not in page
    assert other.code not in page
    assert "合计" not in page
    districts = len(rollup.figures["districts"])
    average = (Decimal("42345.50") / districts).quantize(Decimal("0.01"))
    assert f"{average:,.2f}" in page


def test_the_workbook_has_its_sheets_frozen_headers_totals_and_numbers(
    client: Client, rollup: RollUp, centre: User
) -> None:
    workbook = _workbook(client, centre)
    assert workbook.sheetnames == SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "B3"
        assert "2026年11月中旬" in sheet["A1"].value and "第1版" in sheet["A1"].value
        assert sheet["A2"].value == ("人才基地" if sheet.title == "人才基地" else "区县")
    summary = workbook["汇总"]
    headers = [cell.value for cell in summary[2]]
    rows = list(summary.iter_rows(min_row=3, values_only=True))
    *districts, totals = rows
    assert totals[0] == "合计" and summary.cell(row=summary.max_row, column=1).font.bold
    assert len(districts) == len(rollup.figures["districts"])
    for index, header in enumerate(headers):
        if header in ("区县", "岗位旬报", "入职旬报"):
            continue
        assert totals[index] == sum(row[index] for row in districts), header
    claims = workbook["补助"]
    amount_column = [cell.value for cell in claims[2]].index("申报金额（元）") + 1
    cell = claims.cell(row=claims.max_row, column=amount_column)
    assert isinstance(cell.value, int | float) and cell.value == pytest.approx(42345.50)
    assert cell.number_format == "#,##0.00"
    assert claims.column_dimensions["A"].width == 14


def test_a_districts_workbook_holds_its_row_and_the_average_only(
    client: Client, rollup: RollUp, district: District, other: District, clerk: User
) -> None:
    workbook = _workbook(client, clerk)
    for sheet in workbook.worksheets:
        labels = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
        assert labels == [district.name, "全市平均"]
        assert all(other.name not in str(value) for row in sheet.iter_rows(values_only=True) for value in row)


def test_the_pdf_is_one_landscape_page_for_41_districts(client: Client, district: District, centre: User) -> None:
    for _ in range(40):
        DistrictFactory()
    _data(district, 3)
    rollup_run(period=PERIOD)
    client.force_login(centre)
    response = client.get(_url("rollup_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages, text = _pdf_text(response.content)
    assert pages == 1
    assert "合计" in text and district.name in text


def test_a_districts_pdf_holds_its_row_and_the_average_only(
    client: Client, rollup: RollUp, district: District, other: District, clerk: User
) -> None:
    client.force_login(clerk)
    pages, text = _pdf_text(client.get(_url("rollup_pdf")).content)
    assert pages == 1
    assert district.name in text and "全市平均" in text and other.name not in text


def test_who_may_not_see_the_rollups(client: Client, rollup: RollUp) -> None:
    for name in ("rollup_detail", "rollup_xlsx", "rollup_pdf"):
        response = client.get(_url(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    for user in (UserFactory(third_party_user=True), UserFactory(employer_user=True)):
        client.force_login(user)
        assert client.get(reverse("rollups:rollup_list")).status_code == 403
        for name in ("rollup_detail", "rollup_xlsx", "rollup_pdf"):
            assert client.get(_url(name)).status_code == 403


def test_unknown_and_malformed_periods_are_not_found(client: Client, rollup: RollUp, centre: User) -> None:
    client.force_login(centre)
    missing = client.get(_url("rollup_detail", "2026-12-1"))
    assert missing.status_code == 404 and "尚未汇总" in missing.content.decode()
    for period in ("2026-13-1", "garbage", "2026-11-4"):
        for name in ("rollup_detail", "rollup_xlsx", "rollup_pdf"):
            assert client.get(_url(name, period)).status_code == 404
    page = client.get(_url("rollup_detail", "2026-13-1")).content.decode()
    assert "旬“2026-13-1”无效：月份须在1到12之间。" in page
    assert client.get(_url("rollup_detail") + "?revision=9").status_code == 404


def test_older_revisions_stay_reachable(client: Client, rollup: RollUp, district: District, centre: User) -> None:
    PositionFactory(batch__district=district, batch__period=str(PERIOD), status="sent", headcount=1)
    second, written = rollup_run(period=PERIOD)
    assert written and second.revision == 2
    client.force_login(centre)
    listing = client.get(reverse("rollups:rollup_list")).content.decode()
    assert "第2版" in listing and "?revision=1" in listing
    old = client.get(_url("rollup_detail") + "?revision=1")
    assert old.status_code == 200 and "历史版本" in old.content.decode()


def test_the_detail_page_costs_the_same_queries_whatever_the_data(
    client: Client, rollup: RollUp, centre: User, clerk: User
) -> None:
    client.force_login(centre)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("rollup_detail")).status_code == 200
    for _ in range(5):
        _data(DistrictFactory(), 2)
    rollup_run(period=PERIOD)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("rollup_detail")).status_code == 200
    assert len(few) == len(many) < 15
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as district_queries:
        assert client.get(_url("rollup_detail")).status_code == 200
    assert len(district_queries) < 15


def test_the_menu_offers_rollups_to_staff_only(client: Client, rollup: RollUp, clerk: User) -> None:
    client.force_login(clerk)
    assert reverse("rollups:rollup_list") in client.get(reverse("portal:workspace")).content.decode()
    client.force_login(UserFactory(employer_user=True))
    assert reverse("rollups:rollup_list") not in client.get(reverse("portal:workspace")).content.decode()


def test_a_districts_pdf_is_a_report_of_its_figures_beside_the_city_average(
    client: Client, rollup: RollUp, district: District, other: District, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    from django.utils import timezone

    printed = datetime.datetime(2026, 11, 21, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Chongqing
    client.force_login(clerk)
    monkeypatch.setattr(timezone, "now", lambda: printed)
    content = client.get(_url("rollup_pdf")).content
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo is not None
    info = subprocess.run([pdfinfo, "-"], input=content, capture_output=True, check=True, timeout=60).stdout.decode()  # noqa: S603
    assert "595.276 x 841.89 pts (A4)" in info  # portrait
    pages, text = _pdf_text(content)
    flat = "".join(text.split())
    assert pages == 1
    assert f"{district.name}卓越工程师工作旬报告" in flat
    assert "2026年11月中旬（2026年11月11日至2026年11月20日）" in flat
    assert "生成时间2026年11月21日09:30" in flat
    for number, title in enumerate(("岗位", "引进人才", "公示与异议", "补助", "报送情况"), start=1):
        assert f"{number}.{title}" in flat
    assert "指标" in flat and "全市平均" in flat and "与平均相比" in flat
    # 申报金额: its own 30,000.00 beside the city average of the two districts' 42,345.50, and the difference.
    assert "申报金额（元）30,000.0021,172.75+8,827.25" in flat
    assert "需求人数35.00−2.00" in flat  # 3 against (3 + 7) / 2
    assert other.name not in flat
    assert not [line for line in text.splitlines() if line.strip().startswith("合计")]  # no city totals row


def test_the_hires_confirmed_without_publicity_show_on_the_page_and_in_the_workbook(
    client: Client, rollup: RollUp, district: District, centre: User
) -> None:
    figures = rollup.figures
    for row in figures["districts"]:
        if row["code"] == district.code:
            row["hires"]["exempt"] = 1
    figures["totals"]["hires"]["exempt"] = 1
    RollUp.objects.filter(pk=rollup.pk).update(figures=figures)
    client.force_login(centre)
    response = client.get(_url("rollup_detail"))
    hires = next(table for table in response.context["tables"].tables if table.topic.slug == "hires")
    column = [column.header for column in hires.topic.columns].index("其中不公示确认人数")
    assert hires.summary.cells[column].value == 1
    own = next(row for row in hires.rows if row.label == district.name)
    assert own.cells[column].value == 1
    assert "其中不公示确认人数" in response.content.decode()
    sheet = _workbook(client, centre)["引进人才"]
    index = [cell.value for cell in sheet[2]].index("其中不公示确认人数")
    assert sheet.cell(row=sheet.max_row, column=index + 1).value == 1
    # Not in the one-page summary print.
    summary = next(table for table in response.context["tables"].tables if table.topic.slug == "summary")
    assert "其中不公示确认人数" not in [column.header for column in summary.topic.columns]


def test_an_old_revision_without_the_figure_still_renders(client: Client, rollup: RollUp, centre: User) -> None:
    figures = rollup.figures
    for row in [*figures["districts"], figures["totals"]]:
        row.get("hires", {}).pop("exempt", None)
    figures.pop("version", None)
    RollUp.objects.filter(pk=rollup.pk).update(figures=figures)
    client.force_login(centre)
    response = client.get(_url("rollup_detail"))
    assert response.status_code == 200 and "其中不公示确认人数" in response.content.decode()
    assert client.get(_url("rollup_xlsx")).status_code == 200
