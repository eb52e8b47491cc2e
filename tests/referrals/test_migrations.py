"""Data migrations of referrals, run on a database holding the rows they were written for."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

REFERRALS_BEFORE = ("referrals", "0003_personal_data_at_rest")
REFERRALS_AFTER = ("referrals", "0004_notice_titles_distinct_in_district")


@pytest.mark.django_db(transaction=True)
def test_repeated_notice_titles_get_their_reference_before_titles_must_differ() -> None:
    executor = MigrationExecutor(connection)
    # Every other app stays at its latest migration: only referrals goes back.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "referrals"]
    before, after = [REFERRALS_BEFORE, *others], [REFERRALS_AFTER, *others]
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        District = apps.get_model("portal", "District")
        User = apps.get_model("portal", "User")
        Notice = apps.get_model("referrals", "PublicityNotice")
        district = District.objects.create(code="500151", name="铜梁区", kind="district")
        other = District.objects.create(code="500152", name="潼南区", kind="district")
        clerk = User.objects.create(username="clerk-migration")
        closes = datetime.datetime(2026, 2, 26, tzinfo=datetime.UTC)
        for reference, place, day in (
            ("GS-500151-2026-001", district, 12),
            ("GS-500151-2026-002", district, 13),
            ("GS-500152-2026-001", other, 12),
        ):
            Notice.objects.create(
                district=place,
                reference=reference,
                title="卓越工程师引进人才公示",
                published_on=datetime.date(2026, 2, day),
                closes_at=closes,
                published_by=clerk,
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        apps = executor.loader.project_state(after).apps
        titles = dict(apps.get_model("referrals", "PublicityNotice").objects.values_list("reference", "title"))
        assert titles == {
            "GS-500151-2026-001": "卓越工程师引进人才公示",  # the first keeps its title
            "GS-500151-2026-002": "卓越工程师引进人才公示（GS-500151-2026-002）",
            "GS-500152-2026-001": "卓越工程师引进人才公示",  # another district's is no repeat
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
