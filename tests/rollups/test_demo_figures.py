"""On the demo data (`manage.py seed_demo`), the dashboard, the year's 旬 roll-ups and the evaluation show the same
totals.

The demo is seeded today: posts in the last closed 旬 and the running one, hires recorded and confirmed now. A year
that is still running is shown by the dashboard and the evaluation up to now (docs/figures.md,
"Where each report's year ends"), so the roll-ups set beside them are the stored revisions of the year's closed 旬 and the running 旬's
figures so far. Both years the demo may touch are checked (in 1月上旬 the last closed 旬 is last year's).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from portal.calendar import Span, TenDayPeriod
from portal.constants import Programme
from rollups.dashboard import dashboard_data
from rollups.evaluation import evaluation_table
from rollups.models import RollUp
from rollups.tenday import compute_figures, rollup_run
from tests.rollups.reading import evaluation_figures, get, rollup_as_evaluation, sum_rollups

pytestmark = pytest.mark.django_db


def _year_of_rollups(year: int) -> dict[str, Any]:
    """The year's closed 旬 rolled up and stored (as the beat task does), then read back; the running 旬 computed."""
    running = TenDayPeriod.current()
    rolled = []
    for period in Span.of_year(year).periods:
        if period < running:
            rollup, _ = rollup_run(period=period)
            rolled.append(RollUp.objects.get(pk=rollup.pk).figures)
        elif period == running:
            rolled.append(compute_figures(period))
    totals, _, _ = sum_rollups(rolled)
    return totals


def test_the_demo_dashboard_rollups_and_evaluation_agree(reference_data: None) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    seen_posts = seen_hires = 0
    for year in sorted({TenDayPeriod.last_closed().year, TenDayPeriod.current().year}):
        totals = _year_of_rollups(year)
        seen_posts += get(totals, "posts", "posts")
        seen_hires += get(totals, "hires", "confirmed")

        data = dashboard_data(year=year)
        assert data["totals"] == {p: get(totals, "hires", "by_programme", p) for p in Programme.values}
        assert sum(row["total"] for row in data["districts"]) == get(totals, "hires", "confirmed")
        assert {key: Decimal(value) for key, value in data["subsidy_totals"].items()} == {
            "asked": Decimal(get(totals, "claims", "submitted_amount")),
            "approved": Decimal(get(totals, "claims", "approved_amount")),
            "paid": Decimal(get(totals, "claims", "paid_amount")),
        }

        total = evaluation_table(year=year)[-1]
        assert total.is_total
        assert evaluation_figures(total) == rollup_as_evaluation(totals)
        assert total.hires == sum(data["totals"].values())
    # Not three readings of nothing: the demo's two published posts, and its hire confirmed on an exemption (now, so
    # in the running 旬), are in them.
    assert (seen_posts, seen_hires) == (2, 1)
