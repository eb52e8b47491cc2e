"""The year's 旬 roll-up workbooks, the dashboard and the evaluation workbook tell the same totals (docs/workflows.md, "Roll-ups and the evaluation").

One small year of data in closed 旬 only: posts in a few 旬, confirmed hires of both programmes (some on a 旬's
last second and the next 旬's first), claims approved and paid with amounts. Every closed 旬 of the year is rolled
up and exported; the workbooks are read back with openpyxl and summed.

The three read the same records by slightly different definitions, so the data is built where they coincide:
- roll-ups count a hire by its confirmation time (``confirmed_at`` in the 旬); the dashboard and the evaluation by
  its programme year (``Hire.year``) — every hire here has ``year`` equal to the year it was confirmed in;
- the dashboard's money is the whole year, the roll-ups' only the closed 旬 — every claim here is re-reviewed and
  paid before the last closed 旬 ended, so the year's total and the closed 旬's total are the same money;
- roll-ups and the evaluation leave out claims of an employer without a district; the dashboard does not — every
  employer here has a district.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.calendar import TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.models import District
from rollups.dashboard import dashboard_data
from rollups.exports import export_rollup_workbook, rollup_tables
from rollups.models import RollUp
from rollups.tenday import rollup_run
from subsidies.models import Claim
from tests.factories import DistrictFactory, HireFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


def _year() -> int:
    # Data goes in January to March: closed whenever the test runs from April; earlier, last year is fully closed.
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def _claim(n: int, employer: Any, party: Any, *, status: str, reviewed: datetime.datetime, **extra: Any) -> Claim:
    return Claim.objects.create(
        reference=f"BZ-AGREE-{n}",
        verification_code=f"AGREE{n:07d}",
        third_party=party.third_party,
        employer=employer,
        employer_contact="张",
        employer_phone="023-12345678",
        status=status,
        status_since=reviewed,
        submitted_at=reviewed - datetime.timedelta(days=5),
        second_reviewed_at=reviewed,
        requested_total=Decimal("50000"),
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
        created_by=party,
        **extra,
    )


def _build(year: int) -> dict[str, int]:
    """Three districts' posts, hires and claims in January to March of ``year``; returns the expected counts."""
    districts = [DistrictFactory(name=name, order=n) for n, name in enumerate(["渝中区", "江北区", "沙坪坝区"])]
    posts: dict[District, list[Any]] = {}
    for n, district in enumerate(districts):
        for period, headcount in ((f"{year:04d}-01-1", 3), (f"{year:04d}-02-2", 2 + n), (f"{year:04d}-03-1", 1)):
            posts.setdefault(district, []).append(
                PositionFactory(batch__district=district, batch__period=period, status="published", headcount=headcount)
            )
    # Confirmation times per district: both sides of 旬 and month boundaries, in Chongqing time.
    times = [
        at(year, 1, 10, 23, 59, 59),  # last second of 1月上旬
        at(year, 1, 11, 0, 0, 0),  # first second of 1月中旬
        at(year, 1, 31, 23, 30),  # 1月下旬 (after 16:00 UTC: already 1 February nowhere but UTC+8)
        at(year, 2, 15),
        at(year, 3, 1, 0, 10),
        at(year, 3, 20, 23, 59),
    ]
    expected = {"qihang": 0, "haiju": 0}
    for n, district in enumerate(districts):
        for k, moment in enumerate(times[: 6 - n]):
            programme = "haiju" if k % 3 == 2 else "qihang"
            HireFactory(
                position=posts[district][k % 3],
                programme=programme,
                year=year,
                confirmed=True,
                confirmed_at=moment,
                mode="flexible" if k == 4 else "full_time",
            )
            expected[programme] += 1
    # Recorded or audited hires are confirmed by no one: counted nowhere.
    HireFactory(position=posts[districts[0]][0], year=year, status="audited")

    party = UserFactory(third_party_user=True)
    employers = [posts[district][0].employer for district in districts]
    _claim(1, employers[0], party, status="approved", reviewed=at(year, 1, 31, 23, 30), approved_total=Decimal("45000"))
    _claim(
        2,
        employers[1],
        party,
        status="paid",
        reviewed=at(year, 2, 10, 9),
        approved_total=Decimal("30000.50"),
        paid_on=datetime.date(year, 2, 20),
        payment_reference="ZF2",
    )
    _claim(
        3,
        employers[2],
        party,
        status="paid",
        reviewed=at(year, 3, 1, 0, 5),
        approved_total=Decimal("12345.67"),
        paid_on=datetime.date(year, 3, 31),
        payment_reference="ZF3",
    )
    _claim(4, employers[0], party, status="submitted", reviewed=at(year, 2, 1))  # asked, not yet approved
    Claim.objects.filter(reference="BZ-AGREE-4").update(second_reviewed_at=None)
    return expected


def _rows(sheet: Any, header_row: int) -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    headers = {value: index for index, value in enumerate(next(sheet.iter_rows(min_row=header_row, values_only=True)))}
    rows = list(sheet.iter_rows(min_row=header_row + 1, values_only=True))
    return headers, rows


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _rollup_totals(workbook_bytes: bytes) -> dict[str, Any]:
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    headers, rows = _rows(workbook["汇总"], 2)
    total = rows[-1]
    assert total[0] == "合计"
    hire_headers, hire_rows = _rows(workbook["引进人才"], 2)
    assert hire_rows[-1][0] == "合计"
    return {
        "posts": total[headers["岗位数"]] or 0,
        "headcount": total[headers["需求人数"]] or 0,
        "confirmed": total[headers["确认人数"]] or 0,
        "qihang": hire_rows[-1][hire_headers["启航专项"]] or 0,
        "haiju": hire_rows[-1][hire_headers["海聚专项"]] or 0,
        "approved": _money(total[headers["审核通过金额（元）"]]),
        "paid": _money(total[headers["发放金额（元）"]]),
    }


def test_the_rollup_workbooks_the_dashboard_and_the_evaluation_agree(client) -> None:  # type: ignore[no-untyped-def]
    year = _year()
    expected = _build(year)
    bureau = UserFactory(bureau=True)

    last_closed = min(TenDayPeriod.last_closed(), TenDayPeriod(year, 12, 3))
    periods = list(TenDayPeriod.range(TenDayPeriod(year, 1, 1), last_closed))
    for period in periods:
        rollup_run(period=period)
    rollups = RollUp.objects.filter(is_current=True, period__startswith=f"{year:04d}-").order_by("period")
    assert [r.period for r in rollups] == [str(p) for p in periods]

    summed: dict[str, Any] = {"posts": 0, "headcount": 0, "confirmed": 0, "qihang": 0, "haiju": 0}
    summed |= {"approved": Decimal("0.00"), "paid": Decimal("0.00")}
    for rollup in rollups:
        for key, value in _rollup_totals(export_rollup_workbook(rollup_tables(rollup=rollup, user=bureau))).items():
            summed[key] += value

    # The data itself, so that agreement is not three readings of nothing.
    assert summed["qihang"] == expected["qihang"] and summed["haiju"] == expected["haiju"]
    assert summed["confirmed"] == expected["qihang"] + expected["haiju"] == 15
    assert summed["approved"] == Decimal("87346.17") and summed["paid"] == Decimal("42346.17")

    # The dashboard: the cumulative confirmed hires at the last closed 旬, per programme and together.
    data = dashboard_data(year=year)
    index = data["progress"]["periods"].index(str(last_closed))
    cumulative = {p: data["progress"][p][index] for p in ("qihang", "haiju")}
    assert cumulative == {"qihang": summed["qihang"], "haiju": summed["haiju"]}
    assert cumulative["qihang"] + cumulative["haiju"] == summed["confirmed"]
    assert data["totals"] == cumulative  # nothing after the last closed 旬
    assert sum(row["total"] for row in data["districts"]) == summed["confirmed"]
    # Money: the months up to the last closed 旬's month, and the year's totals (no money after it).
    months = data["subsidies"][: last_closed.month]
    assert sum((Decimal(row["approved"]) for row in months), Decimal("0.00")) == summed["approved"]
    assert sum((Decimal(row["paid"]) for row in months), Decimal("0.00")) == summed["paid"]
    assert Decimal(data["subsidy_totals"]["approved"]) == summed["approved"]
    assert Decimal(data["subsidy_totals"]["paid"]) == summed["paid"]

    # The evaluation workbook, downloaded as the bureau downloads it: its totals row.
    client.force_login(bureau)
    response = client.get(reverse("rollups:evaluation_xlsx", args=[year]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == f"{year}年度卓越工程师工作评估考核表"
    headers, rows = _rows(sheet, 3)
    total = next(row for row in rows if row[0] == "合计")
    evaluation = {
        "qihang": total[headers["启航确认人数"]],
        "haiju": total[headers["海聚确认人数"]],
        "approved": _money(total[headers["核定金额（元）"]]),
        "paid": _money(total[headers["发放金额（元）"]]),
        "posts": total[headers["岗位数"]],
        "headcount": total[headers["需求人数"]],
    }
    assert evaluation["qihang"] == data["totals"]["qihang"]
    assert evaluation["haiju"] == data["totals"]["haiju"]
    assert evaluation["approved"] == Decimal(data["subsidy_totals"]["approved"])
    assert evaluation["paid"] == Decimal(data["subsidy_totals"]["paid"])
    # Posts are not on the dashboard; the evaluation's year of posts is the roll-ups' closed 旬 added up.
    assert (evaluation["posts"], evaluation["headcount"]) == (summed["posts"], summed["headcount"]) == (9, 21)
