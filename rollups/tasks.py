"""Scheduled jobs of the roll-ups."""

from __future__ import annotations

from celery import shared_task

from rollups.tenday import rollup_catch_up


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def rollup_closed_periods() -> list[str]:
    """After each 旬 closes: roll up every closed 旬 not yet rolled up (so an outage of the broker loses none).
    Each 旬 is one transaction: a worker killed halfway leaves nothing, and the redelivered task does it again."""
    return rollup_catch_up()
