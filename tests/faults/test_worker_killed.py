"""A worker killed in the middle of a 旬 roll-up (docs/workflows.md, "Outages"): nothing half-written stays, the task comes back to
the next worker (``acks_late``: the message is acknowledged only after the run; Redis's visibility timeout hands an
unacknowledged one out again), and the 旬 ends with exactly one current revision holding the right figures.

Deterministic, no timing: the test holds a row lock the roll-up needs (an uncommitted revision row with the number
the roll-up is about to write), so the worker stops inside its transaction, after it has already marked the old
revision "not current". The test sees it waiting (``pg_stat_activity``), kills the worker with SIGKILL, releases the
lock, and starts a second worker.

PostgreSQL only: the worker is a separate process that must share the test's database; CI runs PostgreSQL.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from portal.calendar import TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.celery import app
from rollups.models import RollUp
from rollups.tasks import rollup_closed_periods
from rollups.tenday import compute_figures, rollup_run
from tests.factories import DistrictFactory, HireFactory, PositionFactory
from tests.faults.conftest import Report
from tests.faults.support import RedisServer, WorkerProcess, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://...): the worker subprocess shares the test database",
    ),
]


def _database_url(application_name: str) -> str:
    """The test database (pytest-django's ``test_…`` name) as a URL for the worker, tagged so the test can find the
    worker's own connection in ``pg_stat_activity``."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}?application_name={application_name}"


def _backends(application_name: str, *, waiting_to_insert_a_revision: bool = False) -> int:
    """The worker's connections; or only one waiting on a lock to insert the new revision, which it does after it
    marked the old one "not current" in the same transaction (``rollups.tenday.rollup_run``)."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
    parameters = [application_name]
    if waiting_to_insert_a_revision:
        query += " AND wait_event_type = 'Lock' AND query LIKE %s"
        parameters.append(f'INSERT INTO "{RollUp._meta.db_table}"%')
    with connection.cursor() as cursor:
        cursor.execute(query, parameters)
        return int(cursor.fetchone()[0])


def _period_figures(period: TenDayPeriod) -> None:
    """A district that reported posts and confirmed two hires in ``period``."""
    district = DistrictFactory()
    for channel in ("bounty_list", "special_recruitment"):
        PositionFactory(batch__district=district, batch__period=str(period), status="sent", channel=channel)
    for day in (1, 2):
        HireFactory(position__batch__district=district, confirmed=True, confirmed_at=_inside(period, day))


def _inside(period: TenDayPeriod, day: int) -> datetime.datetime:
    return datetime.datetime.combine(period.first_day + datetime.timedelta(days=day), datetime.time(12), SHANGHAI)


class RevisionLock:
    """An uncommitted revision row of ``period``, on a connection of its own: the roll-up's insert of the same
    revision number waits on the unique index until this transaction ends (rolled back here: it never existed)."""

    def __init__(self, period: TenDayPeriod, revision: int) -> None:
        db = connection.settings_dict
        self._connection = psycopg2.connect(
            dbname=db["NAME"],
            user=db["USER"],
            password=db["PASSWORD"],
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
        )
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {RollUp._meta.db_table} (period, revision, is_current, figures, fingerprint, computed_at)"  # noqa: S608 (a table name from the model)
                " VALUES (%s, %s, false, '{}'::jsonb, 'held by the fault test', now())",
                [str(period), revision],
            )

    def release(self) -> None:
        if not self._connection.closed:
            self._connection.rollback()
            self._connection.close()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


def _worker(workers: list[WorkerProcess], redis_server: RedisServer, tmp_path: Path) -> WorkerProcess:
    name = f"faults-worker-{len(workers) + 1}"
    worker = WorkerProcess(
        name,
        env={"DATABASE_URL": _database_url(name), "CELERY_BROKER_URL": redis_server.url},
        log=tmp_path / f"{name}.log",
    )
    workers.append(worker)
    worker.start()
    return worker


def _current(period: TenDayPeriod) -> list[tuple[int, bool]]:
    return list(RollUp.objects.filter(period=str(period)).order_by("revision").values_list("revision", "is_current"))


def test_a_worker_killed_inside_the_rollup_transaction_leaves_nothing_and_the_next_worker_finishes_it(
    celery_on_private_redis: RedisServer, workers: list[WorkerProcess], tmp_path: Path, fault_report: Report
) -> None:
    private_redis = celery_on_private_redis
    period = TenDayPeriod.last_closed()
    _period_figures(period)
    rollup_run(period=period)  # revision 1, as the scheduled run left it
    HireFactory(confirmed=True, confirmed_at=_inside(period, 3))  # a late confirmation: the next run writes revision 2
    expected: dict[str, Any] = json.loads(json.dumps(compute_figures(period)))
    assert RollUp.objects.get(period=str(period)).figures != expected

    lock = RevisionLock(period, revision=2)
    try:
        # The scheduled task, as beat sends it, through the private Redis (not eager: the fixture).
        with app.connection_for_write() as broker:
            task_id = rollup_closed_periods.apply_async(connection=broker).id
        first = _worker(workers, private_redis, tmp_path)
        wait_until(
            lambda: _backends(first.name, waiting_to_insert_a_revision=True),
            timeout=120,
            what=lambda: f"the first worker to block inside the roll-up\n{first.output()[-3000:]}",
        )
        first.kill()
    finally:
        lock.release()
    # The killed worker's server process ends once the lock it waited for is gone; its transaction rolls back.
    wait_until(lambda: not _backends(first.name), timeout=60, what="the killed worker's connection to end")

    assert _current(period) == [(1, True)], "the killed run must leave nothing behind"
    assert private_redis.client().hlen("unacked") == 1, "the killed worker's message must be unacknowledged"

    second = _worker(workers, private_redis, tmp_path)
    wait_until(
        lambda: _current(period) == [(1, False), (2, True)],
        timeout=120,
        what=lambda: f"the second worker to finish the roll-up\n{second.output()[-3000:]}",
    )
    broker = private_redis.client()
    wait_until(
        lambda: broker.hlen("unacked") == 0 and broker.llen("celery") == 0,
        timeout=60,
        what="the redelivered message to be acknowledged",
    )
    second.stop()

    current = RollUp.objects.get(period=str(period), is_current=True)
    received = f"rollup_closed_periods[{task_id}] received"
    redelivered = received in first.output() and received in second.output()
    lost = 0 if (current.figures == expected and redelivered) else 1
    fault_report(
        "worker killed mid roll-up",
        submitted=f"1 roll-up task for {period} (SIGKILL while its transaction waited on a lock, after it had "
        "marked revision 1 not current)",
        processed="nothing of the killed run stayed; the same message went to a new worker, which wrote revision 2 "
        f"with the right figures (hires confirmed: {current.figures['totals']['hires']['confirmed']})",
        lost=lost,
    )
    assert redelivered, (first.output()[-2000:], second.output()[-2000:])
    assert current.revision == 2 and current.figures == expected
    assert RollUp.objects.filter(period=str(period), is_current=True).count() == 1
