"""Fixtures of the fault tests (docs/workflows.md, "Outages"), and the summary they print after the run: for each fault, what was
submitted, what was processed and what was lost (always nothing: each test asserts it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from portal import broker
from portal.celery import app
from tests.faults.support import REDIS_SERVER, RedisServer

#: The lines of the summary, in the order the tests ran.
REPORT: list[str] = []

#: The broker options of production (portal.settings.base) for a Redis broker.
REDIS_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5, "visibility_timeout": 3600}
_CELERY_KEYS = (
    "broker_url",
    "broker_read_url",
    "broker_write_url",
    "broker_transport_options",
    "task_always_eager",
    "result_backend",
    "task_ignore_result",
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.section("faults: submitted / processed / lost")
        for line in REPORT:
            terminalreporter.write_line(line)


Report = Callable[..., None]


@pytest.fixture
def fault_report() -> Report:
    """``fault_report(scenario, submitted=..., processed=..., lost=n)``: print the line now (``-s``) and in the
    summary at the end of the run. The test asserts ``lost == 0`` itself, after reporting, so a failure shows it."""

    def report(scenario: str, *, submitted: str, processed: str, lost: int) -> None:
        line = f"{scenario} — submitted: {submitted}; processed: {processed}; lost: {lost}"
        print(line)
        REPORT.append(line)

    return report


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, running; stopped (and woken first if hung) at the end."""
    if not Path(REDIS_SERVER).exists():
        pytest.skip(f"needs redis-server ({REDIS_SERVER}; Debian package redis-server) to break a Redis of its own")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _forget_cached_backend() -> None:
    # Celery caches the result backend per thread on first use.
    if hasattr(app._local, "backend"):
        del app._local.backend


def _forget_pools_made_since(pools: tuple[object, object]) -> None:
    # Connection pools are made once, for the broker of the moment: one made for the private Redis must not outlive
    # the test and send later tests' tasks to a server that is gone.
    if app._pool is not pools[0]:
        app._pool.force_close_all()
        app._pool = pools[0]
    if app.amqp._producer_pool is not pools[1]:
        app.amqp._producer_pool = pools[1]


@pytest.fixture
def celery_on_private_redis(private_redis: RedisServer) -> Iterator[RedisServer]:
    """For this test only, the in-process Celery app is not eager and reads and writes the private Redis (read and
    write URLs: ``CELERY_BROKER_URL`` in the environment, as in CI, would win over ``broker_url``), with results in
    memory for an in-process worker. The e-mail kick's quiet period starts unset, so the first kick really tries."""
    saved = {key: app.conf.get(key) for key in _CELERY_KEYS}
    pools = (app._pool, app.amqp._producer_pool)
    app.conf.update(
        broker_url=private_redis.url,
        broker_read_url=private_redis.url,
        broker_write_url=private_redis.url,
        broker_transport_options=REDIS_TRANSPORT_OPTIONS,
        task_always_eager=False,
        result_backend="cache+memory://",
        task_ignore_result=False,
    )
    _forget_cached_backend()
    broker.listen_again()
    try:
        yield private_redis
    finally:
        app.conf.update(saved)
        _forget_cached_backend()
        _forget_pools_made_since(pools)
        broker.listen_again()
