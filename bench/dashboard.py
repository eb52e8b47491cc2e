"""Benchmark: the city dashboard (统计看板) on PostgreSQL with a year of data, and at a tenth of it.

    .venv/bin/python bench/dashboard.py [--requests 20] [--posts 10000] [--hires 2000]

(``--requests 1 --posts 100 --hires 40`` is the smallest useful run: tests/bench/test_benches.py runs it.)

Creates a throw-away PostgreSQL database (test_portal_bench; DATABASE_URL chooses another server), loads the 41
districts, generates a year of posts over every 旬, confirmed hires across both programmes and channels, and claims
over half of the hires in every state (all with bulk_create), then requests the dashboard page N times with Django's
test client and prints the mean and fastest time and the query count, first at a tenth of the data, then at all of
it: the count must be the same.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Its own database name, so the throw-away test_portal_bench never collides with the suite's test_test.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

POST_STATUSES = ["published"] * 14 + ["submitted", "sent", "aggregated", "draft", "closed_filled"]
CLAIM_STATUSES = ["paid"] * 4 + ["approved", "approved", "first_passed", "submitted", "submitted", "rejected"]


def clear() -> None:
    from portal.models import Employer, ThirdParty, User
    from positions.models import Position, PositionBatch
    from referrals.models import Hire
    from rollups.models import RollUp
    from subsidies.models import Claim, ClaimItem

    for model in (RollUp, ClaimItem, Claim, Hire, Position, PositionBatch):
        model.objects.all().delete()
    # Only what the bench made: the reference data's employers (talent bases) stay.
    User.objects.filter(username__startswith="bench_").exclude(username="bench_centre").delete()
    Employer.objects.filter(name__startswith="重庆基准企业").delete()
    ThirdParty.objects.filter(name__startswith="基准人力资源公司").delete()


def generate(*, year: int, posts: int, hires: int, seed: int = 1) -> None:
    """A year of data for every district; everything by bulk_create."""
    from portal.calendar import TenDayPeriod
    from portal.calendar.tenday import SHANGHAI
    from portal.constants import Role
    from portal.models import District, Employer, ThirdParty, User
    from positions.models import Position, PositionBatch
    from referrals.models import Hire
    from subsidies.models import Claim, ClaimItem

    rng = random.Random(seed)
    now = timezone.now()
    districts = list(District.objects.order_by("order"))
    clerks = User.objects.bulk_create(
        [User(username=f"bench_clerk_{d.code}", role=Role.DISTRICT_CLERK, district=d) for d in districts]
    )
    clerk_of = {c.district_id: c for c in clerks}
    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=f"重庆基准企业{n}有限公司",
                credit_code=f"91500000BENCH{n:05d}",
                district=districts[n % len(districts)],
            )
            for n in range(max(len(districts), posts // 50))
        ]
    )
    periods = list(TenDayPeriod.range(TenDayPeriod(year, 1, 1), TenDayPeriod(year, 12, 3)))
    batches = PositionBatch.objects.bulk_create(
        [
            PositionBatch(district=d, period=str(p), status="sent", sent_at=p.closes_at - timedelta(hours=1))
            for d in districts
            for p in periods
        ]
    )
    batch_of = {(b.district_id, b.period): b for b in batches}
    positions = []
    for n in range(posts):
        employer = employers[n % len(employers)]
        assert employer.district_id is not None
        period = periods[n % len(periods)]
        status = POST_STATUSES[n % len(POST_STATUSES)]
        closed = status == "closed_filled"
        positions.append(
            Position(
                employer=employer,
                channel="bounty_list" if n % 3 == 0 else "special_recruitment",
                name=f"基准岗位{n}",
                headcount=1 + n % 5,
                education="master",
                majors="机械工程、自动化",
                recruits_graduates=n % 2 == 0,
                district_id=employer.district_id,
                batch=batch_of[(employer.district_id, str(period))],
                status="closed" if closed else status,
                close_reason="filled" if closed else "",
                published_at=now if status == "published" else None,
                created_by=clerk_of[employer.district_id],
            )
        )
    positions = Position.objects.bulk_create(positions, batch_size=2000)
    published = [p for p in positions if p.status == "published"]
    hire_rows = []
    for n in range(hires):
        position = published[n % len(published)]
        confirmed = n % 10 < 8
        day = periods[rng.randrange(len(periods))].first_day + timedelta(days=rng.randrange(10))
        hire_rows.append(
            Hire(
                position=position,
                employer_id=position.employer_id,
                channel=position.channel,
                post_name=position.name,
                district_id=position.district_id,
                programme="qihang" if n % 6 else "haiju",
                year=year,
                name=f"人才{n}",
                id_number=f"5001031990{n:08d}",
                mode="full_time",
                contract_term="3年",
                status="confirmed" if confirmed else ("recorded" if n % 2 else "audited"),
                confirmed_at=datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI) if confirmed else None,
                recorded_by=clerk_of[position.district_id],
            )
        )
    hire_rows = Hire.objects.bulk_create(hire_rows, batch_size=2000)
    third_parties = ThirdParty.objects.bulk_create(
        [
            ThirdParty(
                kind="agency", name=f"基准人力资源公司{n}", credit_code=f"91500000TP{n:08d}", phone="13900000000"
            )
            for n in range(20)
        ]
    )
    submitter = User.objects.create(username=f"bench_tp_{seed}", role=Role.THIRD_PARTY, third_party=third_parties[0])
    # Claims over half of the confirmed hires, two hires a claim.
    claimed = [h for h in hire_rows if h.status == "confirmed"][: hires // 2]
    claims = []
    for n in range(0, len(claimed) - 1, 2):
        status = CLAIM_STATUSES[(n // 2) % len(CLAIM_STATUSES)]
        submitted = datetime(year, 1 + (n // 2) % 12, 1 + n % 28, 9, tzinfo=SHANGHAI)
        reviewed = submitted + timedelta(days=20) if status in ("approved", "paid") else None
        claims.append(
            Claim(
                reference=f"BZ{seed}-{n}",
                verification_code=f"V{seed}{n:09d}",
                third_party=third_parties[n % len(third_parties)],
                employer=claimed[n].employer,
                employer_contact="王经理",
                employer_phone="023-88888888",
                declares_introduced=True,
                declares_good_credit=True,
                declares_truthful=True,
                status=status,
                status_since=reviewed or submitted,
                submitted_at=submitted,
                requested_total=Decimal("8000.00"),
                approved_total=Decimal("7000.00") if reviewed else None,
                second_reviewed_at=reviewed,
                paid_on=(reviewed + timedelta(days=10)).date() if status == "paid" and reviewed else None,
                payment_reference=f"ZF{n}" if status == "paid" else "",
                created_by=submitter,
            )
        )
    claims = Claim.objects.bulk_create(claims, batch_size=2000)
    ClaimItem.objects.bulk_create(
        [
            ClaimItem(
                claim=claim,
                hire=hire,
                live=claim.status != "rejected",
                cap=Decimal("30000.00"),
                requested_amount=Decimal("4000.00"),
                approved_amount=Decimal("3500.00") if claim.approved_total else None,
            )
            for claim, pair in zip(claims, zip(claimed[0::2], claimed[1::2], strict=False), strict=False)
            for hire in pair
        ],
        batch_size=2000,
    )


def measure(client: Client, year: int, requests: int) -> tuple[float, float, int]:
    url = f"/dashboard/?year={year}"
    assert client.get(url).status_code == 200  # warm-up: templates, static manifest, connection
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return statistics.mean(times), min(times), len(captured)


def measure_rollup(year: int, repeats: int = 5) -> tuple[float, float, int]:
    """One 旬's roll-up (figures computed in the database), run ``repeats`` times on the same data."""
    from portal.calendar import TenDayPeriod
    from rollups.tenday import compute_figures, rollup_run

    period = TenDayPeriod(year, 6, 2)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        rollup_run(period=period)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        compute_figures(period)
    return statistics.mean(times), min(times), len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--hires", type=int, default=2_000)
    args = parser.parse_args()

    from django.core.management import call_command

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_reference_data", verbosity=0)
        from portal.constants import Role
        from portal.models import District, User
        from positions.models import Position
        from referrals.models import Hire
        from subsidies.models import Claim

        year = timezone.localdate().year
        centre = User.objects.create(username="bench_centre", role=Role.TALENT_CENTRE)
        client = Client()
        client.force_login(centre)
        # The talent centre signs in with a second factor too (portal.two_factor.services): the session passes it, as in tests.
        from tests.otp import mark_second_factor_passed

        mark_second_factor_passed(client, centre)
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {District.objects.count()} districts")
        print(
            f"{'scale':>6} {'posts':>7} {'hires':>6} {'claims':>7} {'generate':>9} {'mean ms':>8} {'fastest ms':>11} "
            f"{'queries':>8} {'roll-up ms':>11} {'roll-up queries':>16}"
        )
        for scale in (10, 1):
            clear()
            start = time.perf_counter()
            generate(year=year, posts=args.posts // scale, hires=args.hires // scale, seed=scale)
            generated = time.perf_counter() - start
            mean, fastest, queries = measure(client, year, args.requests)
            rollup_mean, _, rollup_queries = measure_rollup(year)
            print(
                f"{'1/' + str(scale) if scale > 1 else '1':>6} {Position.objects.count():>7} {Hire.objects.count():>6} "
                f"{Claim.objects.count():>7} {generated:8.1f}s {mean:8.1f} {fastest:11.1f} {queries:>8} "
                f"{rollup_mean:11.1f} {rollup_queries:>16}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
