"""Scheduled jobs of the shared core."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from portal.calendar import calendar_year_known
from portal.notifications.services import outbox_send_due, staff_digests_send

logger = logging.getLogger(__name__)


@shared_task
def check_calendar_coverage() -> list[int]:
    """From November on, say loudly when next year's holiday arrangement is not known yet.

    Publicity periods that run into January need it; an admin enters it in the admin when the State
    Council publishes it. Returns the years still missing (idempotent, reads only).
    """
    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    missing = [year for year in years if not calendar_year_known(year)]
    for year in missing:
        logger.error(
            "%s年的节假日安排尚未录入：涉及该年工作日的公示期无法计算，请管理员在“年度节假日安排”中录入。", year
        )
    return missing


@shared_task(acks_late=True)
def send_outbox() -> int:
    """Send the e-mails waiting in the outbox; kicked after each commit that wrote one, and run by beat every minute.

    Idempotent: a message marked sent is never sent again, and concurrent runs skip each other's locked rows.
    """
    return outbox_send_due()


@shared_task(acks_late=True)
def send_staff_digests() -> int:
    """Each morning, one digest of their waiting work to the staff who chose it. A second run that day sends nothing."""
    return staff_digests_send(day=timezone.localdate())


@shared_task(acks_late=True)
def purge_pending_uploads() -> int:
    """Daily: delete import previews nobody confirmed (they hold ID numbers and names)."""
    from portal.imports.uploads import pending_uploads_purge

    return pending_uploads_purge()


@shared_task(acks_late=True)
def purge_idempotency_keys() -> int:
    """Daily: delete the API's stored replies past their lifetime (``portal.security.idempotency``)."""
    from portal.security.idempotency import purge_expired_keys

    return purge_expired_keys()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def anonymise_expired() -> dict[str, int]:
    """Daily: anonymise the personal data of hires and claims past their retention period (``portal.retention``).

    Idempotent (anonymised records are never picked again) and one transaction: a worker lost halfway leaves
    nothing, and the redelivered task does the whole run. Returns what it anonymised."""
    from portal.retention import anonymise_expired as anonymise

    run = anonymise()
    return {"hires": run.hires, "claims": run.claims}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> str:
    """Validate or write one background import (``portal.imports.jobs``); kicked after the commit that queued it.

    Idempotent: the job moves on only from the state it is found in under a row lock, so a delivery after a worker
    crash, or a second one from the sweep, writes nothing twice."""
    from portal.imports.jobs import import_job_run

    return import_job_run(job_id=job_id)


@shared_task(acks_late=True)
def sweep_import_jobs() -> int:
    """Every minute: run the import jobs whose kick never reached a worker, and those whose worker was lost."""
    from portal.imports.jobs import import_jobs_sweep

    return import_jobs_sweep()
