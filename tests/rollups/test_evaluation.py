"""The year-end evaluation (评估考核): figures, totals, the workbook, any year, access and a constant query count."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.calendar.tenday import SHANGHAI
from portal.models import AnnualTarget, District, User
from portal.web.navigation import menu_for
from referrals.models import HireReport, Objection, PublicityNotice
from rollups.evaluation import _SUMMED, COLUMNS, EVALUATION_QUERIES, EvaluationRow, closed_periods_of, evaluation_table
from subsidies.models import Claim
from tests.factories import (
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionBatchFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
)

YEAR = 2024
pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def seed_district(district: District, *, year: int = YEAR) -> dict[str, Any]:
    """One district's year: posts in three 旬 (one batch late), two hire reports (one late), five confirmed hires,
    money in two claims and three objections, plus records outside the year or not counted."""
    user = UserFactory(clerk=True, district=district)
    on_time = PositionBatchFactory(district=district, period=f"{year}-01-1", status="sent", sent_at=at(year, 1, 9))
    late = PositionBatchFactory(district=district, period=f"{year}-01-2", status="sent", sent_at=at(year, 1, 25))
    PositionBatchFactory(
        district=district, period=f"{year}-01-3", status="sent", sent_at=at(year, 1, 31), is_zero_report=True
    )
    PositionBatchFactory(district=district, period=f"{year}-02-1")  # still open: not reported
    PositionFactory(batch=on_time, sent=True, headcount=2)
    PositionFactory(batch=on_time, published=True, headcount=3)
    PositionFactory(batch=late, sent=True, headcount=1)
    PositionFactory(batch=late, headcount=9)  # a draft is not a reported post
    earlier = PositionFactory(batch__district=district, batch__period=f"{year - 1}-06-1", sent=True, headcount=7)

    HireReport.objects.create(district=district, period=f"{year}-01-1", sent_at=at(year, 1, 10), sent_by=user)
    HireReport.objects.create(
        district=district, period=f"{year}-01-2", sent_at=at(year, 1, 25), sent_by=user, is_late=True
    )

    notice = PublicityNotice.objects.create(
        district=district,
        reference=f"GS-{district.code}-{year}",
        title="公示",
        published_on=datetime.date(year, 3, 1),
        closes_at=at(year, 3, 8),
        published_by=user,
    )
    confirmed = {
        "confirmed": True,
        "confirmed_at": at(year, 3, 10),
        "position": earlier,
        "year": year,
        "notice": notice,
    }
    objected = HireFactory(**confirmed, education="doctor", major="机械工程")
    HireFactory(**confirmed, education="master", major="机械工程")
    HireFactory(**confirmed, education="college", major="材料")
    HireFactory(**confirmed, education="master", major="电气")
    HireFactory(
        **(confirmed | {"notice": None}),
        programme="haiju",
        education="bachelor",
        major="自动化",
        exemption_note="涉密岗位，按规定不公示",
    )
    HireFactory(position=earlier, year=year, education="doctor", major="机械工程")  # not confirmed
    # Of this year's programme but confirmed the year before: counted in the year it was confirmed (docs/figures.md).
    HireFactory(
        confirmed=True,
        confirmed_at=at(year - 1, 12, 31, 23),
        position=earlier,
        year=year,
        education="doctor",
        major="机械工程",
    )

    employer = EmployerFactory(district=district)
    third_party = ThirdPartyFactory(verified=True)
    claim_fields = {
        "third_party": third_party,
        "employer": employer,
        "employer_contact": "王经理",
        "employer_phone": "023-88888888",
        "status_since": at(year, 6, 1),
        "created_by": user,
        "declares_introduced": True,
        "declares_good_credit": True,
        "declares_truthful": True,
        "requested_total": Decimal("50000.00"),
    }
    for number, (status, approved, reviewed_on, paid_on) in enumerate(
        [
            ("approved", "30000.00", at(year, 6, 1), None),
            ("paid", "20000.00", at(year, 5, 1), datetime.date(year, 7, 1)),
            ("paid", "8000.00", at(year - 1, 12, 1), datetime.date(year - 1, 12, 20)),  # another year
            ("submitted", None, None, None),
        ]
    ):
        Claim.objects.create(
            **claim_fields,
            reference=f"BZ-{district.code}-{number}",
            verification_code=f"V{district.code}{number}",
            status=status,
            approved_total=Decimal(approved) if approved else None,
            second_reviewed_at=reviewed_on,
            paid_on=paid_on,
            payment_reference="PZ001" if paid_on else "",
        )

    objections = [
        ("upheld", at(year, 3, 2), at(year, 3, 4)),
        ("dismissed", at(year, 3, 2), at(year, 3, 6)),
        ("open", at(year, 3, 3), None),
        ("dismissed", at(year - 1, 12, 1), at(year - 1, 12, 2)),  # lodged the year before
    ]
    for number, (status, lodged, resolved) in enumerate(objections):
        objection = Objection.objects.create(
            hire=objected,
            receipt=f"YY-{district.code}-{number}",
            name="张三",
            phone="13800000000",
            statement="学历存疑",
            status=status,
            resolution="" if status == "open" else "已核实",
            resolved_at=resolved,
            resolved_by=user if resolved else None,
        )
        Objection.objects.filter(pk=objection.pk).update(created_at=lodged)
    return {"user": user}


@pytest.fixture
def districts() -> list[District]:
    return [DistrictFactory(order=number) for number in range(3)]


@pytest.fixture
def targets() -> None:
    AnnualTarget.objects.create(programme="qihang", year=YEAR, target=1000)
    AnnualTarget.objects.create(programme="haiju", year=YEAR, target=200)


def by_name(rows: list[EvaluationRow]) -> dict[str, EvaluationRow]:
    return {row.district: row for row in rows}


def test_figures_of_a_district(districts: list[District], targets: None) -> None:
    seed_district(districts[0])

    rows = evaluation_table(year=YEAR)

    assert [row.district for row in rows] == [d.name for d in districts] + ["合计"]
    row = rows[0]
    assert (row.posts, row.headcount) == (3, 6)
    assert (row.batches_on_time, row.closed_periods) == (2, 36)
    assert row.reports_on_time == 1
    assert (row.qihang_hires, row.haiju_hires) == (4, 1)
    # The equal share: 1000 ÷ 3 districts and 200 ÷ 3, one decimal.
    assert (row.qihang_share, row.haiju_share) == (Decimal("333.3"), Decimal("66.7"))
    assert row.completion == Decimal("1.3")  # 5 of 400.0
    assert (row.doctor, row.master, row.bachelor, row.other_education) == (1, 2, 1, 1)
    assert row.top_majors == "机械工程（2）、材料（1）、电气（1）"
    assert row.qihang_ratio == Decimal("80.0")
    assert (row.approved_amount, row.paid_amount) == (Decimal("50000.00"), Decimal("20000.00"))
    assert (row.publicised, row.exempt) == (4, 1)
    assert (row.objections_lodged, row.objections_resolved, row.objections_upheld, row.objections_open) == (3, 2, 1, 1)
    assert row.median_days == Decimal("3.0")

    empty = rows[1]
    assert (empty.posts, empty.qihang_hires, empty.approved_amount, empty.objections_lodged) == (0, 0, 0, 0)
    assert (empty.top_majors, empty.qihang_ratio, empty.median_days) == ("", None, None)
    assert empty.completion == Decimal("0.0")


def test_totals_are_the_sum_of_the_rows(districts: list[District], targets: None) -> None:
    seed_district(districts[0])
    seed_district(districts[2])

    *rows, total = evaluation_table(year=YEAR)

    assert total.is_total and total.district == "合计"
    for name in _SUMMED:
        assert getattr(total, name) == sum(getattr(row, name) for row in rows), name
    assert total.posts == 6 and total.paid_amount == Decimal("40000.00")
    assert total.closed_periods == rows[0].closed_periods  # the year's closed 旬, not 41 times them
    # The totals' shares are the targets themselves, not the sum of rounded shares (999.9).
    assert (total.qihang_share, total.haiju_share) == (Decimal("1000.0"), Decimal("200.0"))
    assert total.top_majors.startswith("机械工程（4）")
    assert total.median_days == Decimal("3.0")


def test_a_year_without_data_or_targets_gives_zeros(districts: list[District]) -> None:
    seed_district(districts[0])

    for year in (1999, YEAR + 1, 2099):
        *rows, total = evaluation_table(year=year)
        assert len(rows) == 3
        for row in [*rows, total]:
            assert all(getattr(row, name) == 0 for name in _SUMMED if name != "closed_periods")
            assert (row.qihang_share, row.completion, row.qihang_ratio) == (None, None, None)


def test_closed_periods_so_far() -> None:
    assert len(closed_periods_of(YEAR, at(YEAR + 1, 1, 1))) == 36
    assert len(closed_periods_of(YEAR, at(YEAR, 1, 1))) == 0
    # 2 Feb: January's three 旬 have closed; 上旬 of February closes at the end of the 10th.
    assert len(closed_periods_of(YEAR, at(YEAR, 2, 2))) == 3
    assert len(closed_periods_of(YEAR, datetime.datetime(YEAR, 1, 10, 16, 0, tzinfo=datetime.UTC))) == 1


def test_only_closed_periods_count_as_on_time(districts: list[District]) -> None:
    seed_district(districts[0])

    row = evaluation_table(year=YEAR, now=at(YEAR, 1, 15))[0]

    assert (row.batches_on_time, row.closed_periods, row.reports_on_time) == (1, 1, 1)


def test_query_count_does_not_grow_with_the_data(districts: list[District], targets: None) -> None:
    seed_district(districts[0])
    with CaptureQueriesContext(connection) as one:
        evaluation_table(year=YEAR)
    seed_district(districts[1])
    seed_district(districts[2])
    with CaptureQueriesContext(connection) as three:
        evaluation_table(year=YEAR)

    assert len(one) == len(three) == EVALUATION_QUERIES


@pytest.fixture
def bureau() -> User:
    return UserFactory(bureau=True)


def test_page_shows_the_table(client: Any, bureau: User, districts: list[District], targets: None) -> None:
    seed_district(districts[0])
    client.force_login(bureau)

    response = client.get(reverse("rollups:evaluation"), {"year": YEAR})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{YEAR}年度卓越工程师工作评估考核表" in html
    for group in ("需求征集", "引进数量", "结构", "资金", "政策落实"):
        assert group in html
    assert "50,000.00" in html and "机械工程（2）" in html and "合计" in html
    assert "41个区县" in html  # the share rule is stated
    assert reverse("rollups:evaluation_xlsx", args=[YEAR]) in html
    assert len(response.context["rows"]) == 4


def test_page_defaults_to_the_current_year(client: Any, bureau: User, districts: list[District]) -> None:
    client.force_login(bureau)
    for query in ({}, {"year": "abc"}, {"year": "99999"}):
        response = client.get(reverse("rollups:evaluation"), query)
        assert response.status_code == 200
        assert response.context["year"] == datetime.datetime.now(tz=SHANGHAI).year


def test_workbook(client: Any, bureau: User, districts: list[District], targets: None) -> None:
    seed_district(districts[0])
    seed_district(districts[1])
    client.force_login(bureau)

    response = client.get(reverse("rollups:evaluation_xlsx", args=[YEAR]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == f"{YEAR}年度卓越工程师工作评估考核表"
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"A2:A3", "B2:E2", "F2:J2", "K2:P2", "Q2:R2", "S2:Z2"} <= merged
    assert sheet.freeze_panes == "B4"
    assert [sheet.cell(row=3, column=i).value for i in range(2, len(COLUMNS) + 1)] == [c.header for c in COLUMNS[1:]]
    assert [sheet.cell(row=2, column=i).value for i in (2, 6, 11, 17, 19)] == [
        "需求征集",
        "引进数量",
        "结构",
        "资金",
        "政策落实",
    ]
    data = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=7)]
    assert [row[0] for row in data] == [d.name for d in districts] + ["合计"]
    posts = COLUMNS.index(next(c for c in COLUMNS if c.attr == "posts"))
    paid = COLUMNS.index(next(c for c in COLUMNS if c.attr == "paid_amount"))
    assert [row[posts] for row in data] == [3, 3, 0, 6]
    assert data[3][paid] == 40000
    assert sheet.cell(row=7, column=paid + 1).number_format == "#,##0.00"


def test_workbook_of_an_empty_year(client: Any, bureau: User, districts: list[District]) -> None:
    client.force_login(bureau)
    response = client.get(reverse("rollups:evaluation_xlsx", args=[2030]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A7"].value == "合计" and sheet["B7"].value == 0


@pytest.mark.parametrize(
    ("traits", "status"),
    [
        ({"bureau": True}, 200),
        ({"centre": True}, 200),
        ({"clerk": True}, 403),
        ({"district_reviewer": True}, 403),
        ({"third_party_user": True}, 403),
        ({"employer_user": True}, 403),
        ({"admin": True}, 403),
    ],
)
def test_access(client: Any, traits: dict[str, bool], status: int) -> None:
    user = UserFactory(**traits)
    client.force_login(user)
    assert client.get(reverse("rollups:evaluation")).status_code == status
    assert client.get(reverse("rollups:evaluation_xlsx", args=[YEAR])).status_code == status
    labels = [item["label"] for item in menu_for(user)["work"]]
    assert ("年度评估" in labels) is (status == 200)


def test_anonymous_goes_to_login(client: Any) -> None:
    for url in (reverse("rollups:evaluation"), reverse("rollups:evaluation_xlsx", args=[YEAR])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
