"""The 旬 roll-up: figures from the database, one per 旬, idempotent, revisioned, whole or nothing, catching up."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.calendar import TenDayPeriod
from portal.models import District, User
from referrals.models import HireReport
from rollups.models import RollUp
from rollups.tenday import compute_figures, rollup_catch_up, rollup_run
from tests.factories import DistrictFactory, HireFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
PERIOD = TenDayPeriod.parse("2026-11-2")
UTC = datetime.UTC


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, 4, tzinfo=UTC)


def _data(district: District) -> None:
    for channel, headcount in (("bounty_list", 3), ("special_recruitment", 2)):
        PositionFactory(
            batch__district=district, batch__period=str(PERIOD), status="sent", channel=channel, headcount=headcount
        )
    PositionFactory(batch__district=district, batch__period=str(PERIOD), status="draft")  # not reported: not counted
    HireFactory(position__batch__district=district, confirmed=True, confirmed_at=_at(12), programme="qihang")
    HireFactory(
        position__batch__district=district, confirmed=True, confirmed_at=_at(15), programme="haiju", mode="flexible"
    )
    HireFactory(position__batch__district=district, confirmed=True, confirmed_at=_at(22))  # next 旬


def test_the_figures_are_the_districts_own(district: District) -> None:
    _data(district)
    other = DistrictFactory()
    figures = compute_figures(PERIOD)
    mine = next(row for row in figures["districts"] if row["code"] == district.code)
    assert mine["posts"]["posts"] == 2 and mine["posts"]["headcount"] == 5
    assert mine["posts"]["by_channel"] == {
        "bounty_list": {"posts": 1, "headcount": 3},
        "special_recruitment": {"posts": 1, "headcount": 2},
    }
    assert mine["hires"] == {
        "confirmed": 2,
        "by_programme": {"qihang": 1, "haiju": 1},
        "by_mode": {"full_time": 1, "flexible": 1},
        # Since figures version 2: by education and channel, and how they were confirmed.
        "by_education": {"master": 2},
        "by_channel": {"bounty_list": {"qihang": 1, "haiju": 1}},
        "publicised": 0,
        "exempt": 0,
    }
    theirs = next(row for row in figures["districts"] if row["code"] == other.code)
    assert theirs["posts"] == {} and theirs["reporting"] == {"positions": "missing", "hires": "missing"}
    assert figures["totals"]["hires"]["confirmed"] == 2


def test_the_query_count_does_not_grow_with_the_data(district: District) -> None:
    with CaptureQueriesContext(connection) as few:
        compute_figures(PERIOD)
    for _ in range(3):
        _data(DistrictFactory())
    with CaptureQueriesContext(connection) as many:
        compute_figures(PERIOD)
    assert len(few) == len(many) <= 20


def test_running_twice_changes_nothing_and_new_data_makes_a_revision(district: District, reviewer: User) -> None:
    _data(district)
    first, written = rollup_run(period=PERIOD)
    again, written_again = rollup_run(period=PERIOD)
    assert written and not written_again and again.pk == first.pk and again.figures == first.figures
    HireReport.objects.create(district=district, period=str(PERIOD), sent_at=_at(25), sent_by=reviewer, is_late=True)
    second, written = rollup_run(period=PERIOD)
    assert written and second.revision == 2
    first.refresh_from_db()
    assert not first.is_current and RollUp.objects.filter(period=str(PERIOD)).count() == 2
    mine = next(row for row in second.figures["districts"] if row["code"] == district.code)
    assert mine["reporting"]["hires"] == "late"


def test_a_run_that_dies_halfway_leaves_nothing(district: District) -> None:
    _data(district)
    with (
        mock.patch("rollups.models.RollUp.objects.create", side_effect=SystemExit("worker killed")),
        pytest.raises(SystemExit),
    ):
        rollup_run(period=PERIOD)
    assert not RollUp.objects.exists()
    rollup, written = rollup_run(period=PERIOD)
    assert written and rollup.revision == 1


def test_catching_up_runs_every_missed_period() -> None:
    DistrictFactory()
    done = rollup_catch_up(now=_at(23), first=TenDayPeriod.parse("2026-10-3"))
    assert done == ["2026-10-3", "2026-11-1", "2026-11-2"]
    # The next run starts from the last one (to catch late data) and adds what closed since.
    assert rollup_catch_up(now=datetime.datetime(2026, 12, 12, 4, tzinfo=UTC)) == [
        "2026-11-2",
        "2026-11-3",
        "2026-12-1",
    ]
    assert RollUp.objects.filter(is_current=True).count() == 5


def test_claims_are_counted_with_their_amounts(district: District) -> None:
    from subsidies.models import Claim

    party_user = UserFactory(third_party_user=True)
    assert party_user.third_party is not None
    employer = PositionFactory(batch__district=district).employer
    Claim.objects.create(
        reference="BZ-T-1",
        verification_code="ABCDEF123456",
        third_party=party_user.third_party,
        employer=employer,
        employer_contact="张",
        employer_phone="023-12345678",
        status="paid",
        status_since=_at(15),
        submitted_at=_at(12),
        second_reviewed_at=_at(14),
        requested_total=Decimal("50000"),
        approved_total=Decimal("45000"),
        paid_on=datetime.date(2026, 11, 16),
        payment_reference="ZF1",
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
        created_by=party_user,
    )
    claims = compute_figures(PERIOD)["totals"]["claims"]
    assert claims == {
        "submitted": 1,
        "submitted_amount": "50000.00",
        "approved": 1,
        "approved_amount": "45000.00",
        "paid": 1,
        "paid_amount": "45000.00",
    }


def test_the_command_runs_the_same_code(district: District) -> None:
    _data(district)
    out = io.StringIO()
    call_command("rollup", "2026-11-2", stdout=out)
    assert "写入第1版" in out.getvalue() and "确认引进2人" in out.getvalue()
    call_command("rollup", "2026-11-2", stdout=out)
    assert "数据未变化" in out.getvalue()
