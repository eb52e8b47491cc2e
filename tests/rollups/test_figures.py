"""The figures arranged once (``rollups.figures``): claims of an employer without a district in a row of their own, the
districts that reported nothing, a fixed number of queries per selector, and stored roll-ups of the old shape still
read (docs/figures.md)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal.calendar import Span, TenDayPeriod
from portal.models import District, Employer, User
from positions.selectors import posts_reported
from referrals.models import HireReport
from referrals.selectors import hires_confirmed
from rollups.evaluation import evaluation_table
from rollups.exports import rollup_tables
from rollups.figures import NO_DISTRICT_NAME, districts_reported_nothing
from rollups.models import RollUp
from rollups.tenday import FIGURES_VERSION, rollup_run
from subsidies.models import Claim
from subsidies.selectors import claims_counted
from tests.factories import DistrictFactory, EmployerFactory, HireFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
PERIOD = TenDayPeriod.parse("2025-11-2")


def _claim(employer: Employer, n: int, submitted: datetime.datetime) -> Claim:
    party = UserFactory(third_party_user=True)
    assert party.third_party is not None
    return Claim.objects.create(
        reference=f"BZ-F-{n}",
        verification_code=f"F{n:011d}",
        third_party=party.third_party,
        employer=employer,
        employer_contact="张",
        employer_phone="023-12345678",
        status="submitted",
        status_since=submitted,
        submitted_at=submitted,
        requested_total=Decimal("1000.50"),
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
        created_by=party,
    )


def test_claims_of_an_employer_without_a_district_are_a_row_of_their_own(district: District) -> None:
    other = DistrictFactory()
    inside = PERIOD.closes_at - datetime.timedelta(hours=1)
    _claim(EmployerFactory(district=district), 1, inside)
    _claim(EmployerFactory(district=None), 2, inside)

    rollup, _ = rollup_run(period=PERIOD)

    rows = {row["name"]: row for row in rollup.figures["districts"]}
    assert rollup.figures["version"] == FIGURES_VERSION
    assert rows[NO_DISTRICT_NAME]["code"] == "" and rows[NO_DISTRICT_NAME]["claims"]["submitted"] == 1
    assert rollup.figures["totals"]["claims"]["submitted_amount"] == "2001.00"
    # The city sees the row, without a reporting state to chase; a district does not, and its average is over
    # the two districts, not three rows.
    city = rollup_tables(rollup=rollup, user=UserFactory(bureau=True))
    summary = city.tables[0]
    row = next(r for r in summary.rows if r.label == NO_DISTRICT_NAME)
    assert not row.flagged and row.cells[-1].text == "—"
    own = rollup_tables(rollup=rollup, user=UserFactory(clerk=True, district=other))
    assert [r.label for r in own.tables[0].rows] == [other.name]
    amount = next(n for n, c in enumerate(own.tables[0].topic.columns) if c.header == "申报金额（元）")
    assert own.tables[0].summary.cells[amount].value == Decimal("1000.50")  # 2001.00 ÷ 2 districts

    # The evaluation shows money, not claims asked for: claims merely submitted add no empty row to it.
    assert NO_DISTRICT_NAME not in [row.district for row in evaluation_table(year=PERIOD.year)]
    # Once approved, the same claims are a row of their own there too, and in the totals.
    Claim.objects.filter(employer__district=None).update(
        status="approved", approved_total=Decimal("1000.50"), second_reviewed_at=inside
    )
    *_, no_district, total = evaluation_table(year=PERIOD.year)
    assert no_district.district == NO_DISTRICT_NAME and not no_district.is_total and total.is_total
    assert no_district.approved_amount == total.approved_amount == Decimal("1000.50")


def test_the_districts_that_reported_nothing(district: District, reviewer: User) -> None:
    silent = DistrictFactory()
    HireReport.objects.create(district=district, period=str(PERIOD), sent_at=PERIOD.closes_at, sent_by=reviewer)
    nothing = districts_reported_nothing(span=Span.of_period(PERIOD), districts=[district.code, silent.code])
    assert nothing == {PERIOD: [silent.code]}


def test_each_selector_makes_a_fixed_number_of_queries(district: District) -> None:
    span = Span.of_year(2025)
    counts = []
    for n in range(2):
        for day in (1, 15, 28):
            at = datetime.datetime(2025, 1 + n * 5, day, 12, tzinfo=datetime.UTC)
            PositionFactory(batch__district=district, batch__period=str(TenDayPeriod.of(at.date())), status="sent")
            HireFactory(position__batch__district=district, confirmed=True, confirmed_at=at)
            _claim(EmployerFactory(district=None if day == 1 else district), n * 10 + day, at)
        with CaptureQueriesContext(connection) as queries:
            found = (posts_reported(span=span), hires_confirmed(span=span), claims_counted(span=span))
        counts.append(len(queries))
        assert [len({row.period for row in rows}) for rows in found] == [3 * (n + 1)] * 3
    assert counts == [5, 5]  # posts 1, hires 1, claims 3 (submitted, approved, paid)


def test_a_stored_revision_of_the_old_shape_still_reads(client: Client, district: District) -> None:
    """A version-1 revision (before the figures were defined once): no version key, no row of employers without a
    district, no hires by education. It renders, reads its figures, and says it was made under the old rules."""
    old = {
        "period": str(PERIOD),
        "districts": [
            {
                "code": district.code,
                "name": district.name,
                "posts": {"posts": 2, "headcount": 5},
                "hires": {"confirmed": 1, "by_programme": {"qihang": 1}, "by_mode": {"full_time": 1}},
                "publicity": {},
                "claims": {"submitted": 1, "submitted_amount": "50000.00"},
                "reporting": {"positions": "sent", "hires": "missing"},
            }
        ],
        "totals": {
            "posts": {"posts": 2, "headcount": 5},
            "hires": {"confirmed": 1, "by_programme": {"qihang": 1}, "by_mode": {"full_time": 1}},
            "publicity": {},
            "claims": {"submitted": 1, "submitted_amount": "50000.00"},
            "reporting": {"positions": {"sent": 1}, "hires": {"missing": 1}},
        },
    }
    RollUp.objects.create(period=str(PERIOD), revision=1, figures=old, fingerprint="old", is_current=True)
    client.force_login(UserFactory(bureau=True))

    page = client.get(reverse("rollups:rollup_detail", args=[str(PERIOD)]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "旧口径" in html and "50,000.00" in html and district.name in html
    workbook = client.get(reverse("rollups:rollup_xlsx", args=[str(PERIOD)]))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content))["汇总"]
    assert [cell.value for cell in sheet[3]][:3] == [district.name, 2, 5]
