"""Background and scheduled jobs of the subsidies app."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def store_claim_papers(claim_id: int, event_id: int) -> int:
    """Render and store Annexes 2 and 3 of a claim at one of its events (``subsidies.documents``); kicked after the
    event's commit. Never raises: a paper that could not be rendered now is rendered at its first download.
    Idempotent: a copy already stored is kept, so a second delivery writes nothing."""
    from subsidies.documents import claim_papers_store

    try:
        return claim_papers_store(claim_id=claim_id, event_id=event_id)
    except Exception:
        logger.exception("申报%s的文件（办理记录%s）存档失败，将在下载时补存。", claim_id, event_id)
        return 0


@shared_task(acks_late=True)
def sweep_claim_papers() -> int:
    """Every ten minutes: store the papers of the recent events whose kick never reached a worker."""
    from subsidies.documents import claim_papers_sweep

    try:
        return claim_papers_sweep()
    except Exception:
        logger.exception("申报文件存档的补存任务失败，将在下一次运行或下载时补存。")
        return 0
