"""The migration that gives caps and targets their source marks what the documents give as such and everything
else as the admin's: the 50号 caps' amounts (their dates stay the admin's), the notice's 2023 targets."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0014_post_proposal_notifications")]
AFTER = [("portal", "0015_figures_name_their_source")]


@pytest.fixture
def _back_to_the_latest_schema() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("_back_to_the_latest_schema")
def test_existing_caps_and_targets_get_their_sources() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    cap, target = old.get_model("portal", "SubsidyCap"), old.get_model("portal", "AnnualTarget")
    start = datetime.date(2022, 1, 1)
    cap.objects.create(
        channel="bounty_list", amount=Decimal(30000), effective_from=start, policy_reference="渝人社发〔2022〕50号"
    )
    cap.objects.create(
        channel="special_recruitment",
        amount=Decimal(5000),
        effective_from=start,
        policy_reference="渝人社发〔2022〕50号",
    )
    target.objects.create(programme="qihang", year=2023, target=1000, policy_reference="渝人社〔2023〕211号")
    target.objects.create(programme="haiju", year=2023, target=200, policy_reference="渝人社〔2023〕212号")
    target.objects.create(programme="qihang", year=2026, target=1000, policy_reference="渝人社〔2023〕211号")
    target.objects.create(programme="haiju", year=2026, target=250, policy_reference="局务会2026年第3次")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    caps = {row.channel: (row.source, row.dates_source) for row in new.get_model("portal", "SubsidyCap").objects.all()}
    # 5,000 is not the documents' figure for special recruitment: the admin's, whatever reference it carries.
    assert caps == {"bounty_list": ("document", "admin"), "special_recruitment": ("admin", "admin")}
    targets = {
        (row.programme, row.year): (row.source, row.policy_reference, row.approximate)
        for row in new.get_model("portal", "AnnualTarget").objects.all()
    }
    assert targets == {
        ("qihang", 2023): ("document", "渝人社人才〔2023〕18号", True),
        ("haiju", 2023): ("document", "渝人社人才〔2023〕18号", False),
        ("qihang", 2026): ("admin", "", False),
        ("haiju", 2026): ("admin", "局务会2026年第3次", False),
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps.get_model("portal", "AnnualTarget")
    assert back.objects.get(programme="qihang", year=2023).policy_reference == "渝人社〔2023〕211号"
