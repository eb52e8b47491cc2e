"""A task travels through the configured broker to a real worker (Redis in CI, the filesystem transport locally)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from portal.celery import app
from portal.tasks import check_calendar_coverage


@pytest.fixture
def real_worker(transactional_db: None) -> Iterator[None]:
    # Undo the test settings' eager mode for this test only: the message must cross the broker.
    app.conf.update(task_always_eager=False, result_backend="cache+memory://", task_ignore_result=False)
    _forget_cached_backend()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(task_always_eager=True, result_backend=None, task_ignore_result=True)
        _forget_cached_backend()


def _forget_cached_backend() -> None:
    # Celery caches the result backend per thread on first use (eager tests elsewhere may have used it).
    if hasattr(app._local, "backend"):
        del app._local.backend


def test_a_task_crosses_the_broker_and_runs(real_worker: None) -> None:
    result = check_calendar_coverage.apply_async(ignore_result=False)
    missing = result.get(timeout=30)
    assert isinstance(missing, list)
    assert all(isinstance(year, int) for year in missing)
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
