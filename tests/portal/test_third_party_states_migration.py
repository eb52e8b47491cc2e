"""The migration that gives third parties a verification state keeps what was recorded: a verified registration is
已核验 since its verification, any other 待核验 since it registered."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0009_retention_of_individual_recommenders")]
AFTER = [("portal", "0010_third_party_return_for_correction")]


@pytest.fixture
def _back_to_the_latest_schema() -> Iterator[None]:
    # Going back to 0009 unapplies whatever depends on 0010: every later test needs the whole schema again.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("_back_to_the_latest_schema")
def test_states_follow_the_recorded_verification() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("portal", "ThirdParty")
    registered = timezone.now() - datetime.timedelta(days=30)
    verified_on = timezone.now() - datetime.timedelta(days=3)
    common = {"kind": "agency", "phone": "13900000000", "bank_name": "中国银行", "bank_account": "6217000000000000000"}
    verified = old.objects.create(
        name="已核验机构", credit_code="91500000MA0000001X", verified_at=verified_on, **common
    )
    waiting = old.objects.create(name="待核验机构", credit_code="91500000MA0000002X", **common)
    old.objects.filter(pk__in=[verified.pk, waiting.pk]).update(created_at=registered)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("portal", "ThirdParty")
    states = {party.name: (party.status, party.status_since) for party in new.objects.all()}
    assert states == {"已核验机构": ("verified", verified_on), "待核验机构": ("pending", registered)}
