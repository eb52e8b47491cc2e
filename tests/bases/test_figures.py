"""The talent bases' own figures, with exact numbers: in the 旬 roll-up (page, workbook, PDF), on the dashboard and in
the year-end evaluation (page and workbook). A base named in two batches counts once; a stored roll-up from before
the bases' section still renders."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.calendar import Span, TenDayPeriod
from portal.models import Employer
from rollups.dashboard import dashboard_data
from rollups.evaluation import BASE_EVALUATION_QUERIES, evaluation_base_table
from rollups.figures import base_rows
from rollups.models import RollUp
from rollups.tenday import FIGURES_VERSION, compute_figures, rollup_run
from tests.factories import (
    BaseBatchFactory,
    ClaimFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionBatchFactory,
    PositionFactory,
    TalentBaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PERIOD = TenDayPeriod.current()
#: Posts the hires are recorded at sit in a batch of another year, so only the posts made for the figures count.
ELSEWHERE = "2020-01-1"


@pytest.fixture
def world() -> tuple[Employer, Employer]:
    district = DistrictFactory(name="铜梁区")
    base_a = EmployerFactory(name="重庆基地甲股份有限公司", district=district)
    base_b = EmployerFactory(name="重庆基地乙有限公司", district=DistrictFactory(name="璧山区"))
    other = EmployerFactory(name="重庆普通单位有限公司", district=district)
    first, second = (
        BaseBatchFactory(year=2023, number=1, title="2023年第一批"),
        BaseBatchFactory(year=2024, number=1, title="2024年第一批"),
    )
    TalentBaseFactory(batch=first, employer=base_a, number=1)
    TalentBaseFactory(batch=first, employer=base_b, number=2)
    TalentBaseFactory(batch=second, employer=base_a, number=1)  # named again: one base

    batch = PositionBatchFactory(district=district, period=str(PERIOD))
    PositionFactory(batch=batch, employer=base_a, status="sent", headcount=3)
    PositionFactory(batch=batch, employer=base_a, status="published", headcount=4)
    PositionFactory(batch=batch, employer=base_a, status="draft", headcount=9)  # not reported
    PositionFactory(batch=batch, employer=other, status="sent", headcount=5)  # not a base

    elsewhere = {"position__batch__period": ELSEWHERE}
    for programme in ("qihang", "qihang", "haiju"):
        HireFactory(confirmed=True, programme=programme, position__employer=base_a, **elsewhere)
    HireFactory(programme="qihang", position__employer=base_a, **elsewhere)  # recorded, not confirmed
    HireFactory(confirmed=True, position__employer=other, **elsewhere)

    # Each claim's hires are confirmed qihang hires at the base too.
    ClaimFactory(
        paid=True,
        employer=base_a,
        amounts=("30000", "20000"),
        approved_amounts=("25000", "20000"),
        hire_fields=elsewhere,
    )
    ClaimFactory(submitted=True, employer=base_b, amounts=("10000",), hire_fields=elsewhere)
    ClaimFactory(paid=True, employer=other, amounts=("30000",), hire_fields=elsewhere)
    return base_a, base_b


A = {
    "posts": 2,
    "headcount": 7,
    "qihang": 4,
    "haiju": 1,
    "confirmed": 5,
    "asked": "50000.00",
    "approved": "45000.00",
    "paid": "45000.00",
}
B = {
    "posts": 0,
    "headcount": 0,
    "qihang": 1,
    "haiju": 0,
    "confirmed": 1,
    "asked": "10000.00",
    "approved": "0.00",
    "paid": "0.00",
}
TOTAL = {
    "posts": 2,
    "headcount": 7,
    "qihang": 5,
    "haiju": 1,
    "confirmed": 6,
    "asked": "60000.00",
    "approved": "45000.00",
    "paid": "45000.00",
}


def _stored(row: dict[str, object]) -> dict[str, object]:
    posts, hires, claims = row["posts"], row["hires"], row["claims"]
    assert isinstance(posts, dict) and isinstance(hires, dict) and isinstance(claims, dict)
    return {
        "posts": posts.get("posts", 0),
        "headcount": posts.get("headcount", 0),
        "qihang": hires.get("by_programme", {}).get("qihang", 0),
        "haiju": hires.get("by_programme", {}).get("haiju", 0),
        "confirmed": hires.get("confirmed", 0),
        "asked": claims.get("submitted_amount", "0.00"),
        "approved": claims.get("approved_amount", "0.00"),
        "paid": claims.get("paid_amount", "0.00"),
    }


def test_the_rollup_holds_each_bases_figures_and_their_total(world: tuple[Employer, Employer]) -> None:
    figures = compute_figures(PERIOD)
    assert figures["version"] == FIGURES_VERSION == 3
    rows = figures["bases"]["rows"]
    assert [(row["name"], row["batches"], row["district"]) for row in rows] == [
        ("重庆基地甲股份有限公司", "2023年第一批、2024年第一批", "铜梁区"),
        ("重庆基地乙有限公司", "2023年第一批", "璧山区"),
    ]
    assert [_stored(row) for row in rows] == [A, B]
    assert _stored(figures["bases"]["totals"]) == TOTAL
    # The districts' figures are untouched: the city counts every employer, bases or not.
    assert figures["totals"]["posts"]["posts"] == 3 and figures["totals"]["hires"]["confirmed"] == 8


def test_the_bases_figures_cost_the_same_queries_however_many_bases(world: tuple[Employer, Employer]) -> None:
    span = Span.of_period(PERIOD)
    with CaptureQueriesContext(connection) as few:
        base_rows(span=span)
    for _ in range(5):
        PositionFactory(
            batch=PositionBatchFactory(period=str(PERIOD)), employer=TalentBaseFactory().employer, status="sent"
        )
    with CaptureQueriesContext(connection) as many:
        rows, _ = base_rows(span=span)
    assert len(rows) == 7 and len(few) == len(many) == BASE_EVALUATION_QUERIES


def test_the_rollup_page_workbook_and_pdf_show_the_bases(world: tuple[Employer, Employer]) -> None:
    rollup, _ = rollup_run(period=PERIOD)
    client = Client()
    client.force_login(UserFactory(bureau=True))
    page = client.get(reverse("rollups:rollup_detail", args=[rollup.period])).content.decode()
    section = page[page.index(">人才基地</h2>") :]
    assert "重庆基地甲股份有限公司" in section and "人才基地合计" in section and "60,000.00" in section
    assert "尚未单列人才基地" not in page

    workbook = load_workbook(io.BytesIO(client.get(reverse("rollups:rollup_xlsx", args=[rollup.period])).content))
    sheet = workbook["人才基地"]
    header = [cell.value for cell in sheet[2]]
    *bases, total = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in bases] == ["重庆基地甲股份有限公司", "重庆基地乙有限公司"] and total[0] == "人才基地合计"
    assert total[header.index("确认人数")] == 6 and total[header.index("申报金额（元）")] == pytest.approx(60000)
    assert bases[0][header.index("入选批次")] == "2023年第一批、2024年第一批"

    pdf = client.get(reverse("rollups:rollup_pdf", args=[rollup.period]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    # A district's clerk sees its own district and the average, not the bases (they span districts).
    clerk = Client()
    clerk.force_login(UserFactory(clerk=True, district=world[0].district))
    assert ">人才基地</h2>" not in clerk.get(reverse("rollups:rollup_detail", args=[rollup.period])).content.decode()


def test_a_revision_from_before_the_bases_section_still_renders(world: tuple[Employer, Employer]) -> None:
    rollup, _ = rollup_run(period=PERIOD)
    old = {key: value for key, value in rollup.figures.items() if key != "bases"} | {"version": 2}
    RollUp.objects.filter(pk=rollup.pk).update(figures=old, fingerprint="of the old figures")
    client = Client()
    client.force_login(UserFactory(bureau=True))
    page = client.get(reverse("rollups:rollup_detail", args=[rollup.period]))
    text = page.content.decode()
    assert page.status_code == 200 and "本版汇总生成时尚未单列人才基地的数据" in text and ">人才基地</h2>" not in text
    assert "本版汇总按旧口径生成" not in text
    workbook = load_workbook(io.BytesIO(client.get(reverse("rollups:rollup_xlsx", args=[rollup.period])).content))
    assert "人才基地" not in workbook.sheetnames
    # Re-run: the new revision has the section.
    current, written = rollup_run(period=PERIOD)
    assert written and current.revision == 2 and "bases" in current.figures


def test_the_dashboard_shows_the_bases_with_figures_and_their_total(world: tuple[Employer, Employer]) -> None:
    data = dashboard_data(year=PERIOD.year)
    shown = [
        {
            key: row[key]
            for key in ("name", "posts", "headcount", "qihang", "haiju", "total", "asked", "approved", "paid")
        }
        for row in data["bases"]
    ]
    rename = {"confirmed": "total"}
    assert shown == [
        {"name": "重庆基地甲股份有限公司", **{rename.get(k, k): v for k, v in A.items()}},
        {"name": "重庆基地乙有限公司", **{rename.get(k, k): v for k, v in B.items()}},
    ]
    assert data["base_totals"]["total"] == 6 and data["base_totals"]["asked"] == "60000.00"
    client = Client()
    client.force_login(UserFactory(centre=True))
    page = client.get(reverse("rollups:dashboard"), {"year": PERIOD.year}).content.decode()
    assert 'data-dashboard-chart="bases"' in page and "人才基地合计" in page
    csv = client.get(reverse("rollups:dashboard_csv", args=["bases"]), {"year": PERIOD.year}).content.decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[-1] == "人才基地合计,2,7,5,1,6,60000.00,45000.00,45000.00"


def test_the_evaluation_lists_every_base_and_their_total(world: tuple[Employer, Employer]) -> None:
    *rows, total = evaluation_base_table(year=PERIOD.year)
    assert [(row.name, row.batches, row.district) for row in rows] == [
        ("重庆基地甲股份有限公司", "2023年第一批、2024年第一批", "铜梁区"),
        ("重庆基地乙有限公司", "2023年第一批", "璧山区"),
    ]
    assert (total.name, total.posts, total.headcount, total.qihang_hires, total.haiju_hires, total.hires) == (
        "人才基地合计",
        2,
        7,
        5,
        1,
        6,
    )
    assert (total.submitted_amount, total.approved_amount, total.paid_amount) == (
        Decimal("60000.00"),
        Decimal("45000.00"),
        Decimal("45000.00"),
    )
    client = Client()
    client.force_login(UserFactory(bureau=True))
    page = client.get(reverse("rollups:evaluation"), {"year": PERIOD.year}).content.decode()
    section = page[page.index('id="evaluation-bases"') :]
    assert "重庆基地乙有限公司" in section and "人才基地合计" in section and "45,000.00" in section
    workbook = load_workbook(io.BytesIO(client.get(reverse("rollups:evaluation_xlsx", args=[PERIOD.year])).content))
    sheet = workbook["人才基地"]
    assert sheet.cell(row=sheet.max_row, column=1).value == "人才基地合计"
    assert sheet.cell(row=sheet.max_row, column=8).value == 6
