"""Scheduled and background jobs of the referrals app."""

from __future__ import annotations

import logging

from celery import shared_task

from referrals.services import notices_confirm_closed

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def confirm_closed_publicity() -> int:
    """Confirm the hires whose publicity has closed. Safe to run twice: the second run confirms nothing."""
    return notices_confirm_closed()


@shared_task(acks_late=True)
def store_notice_paper(notice_id: int) -> bool:
    """Render and store the publicity notice's PDF at its publication (``referrals.documents``); kicked after the
    publication's commit. Never raises: a notice that could not be rendered now is rendered at its first download.
    Idempotent: a copy already stored is kept."""
    from referrals.documents import notice_paper_store

    try:
        return notice_paper_store(notice_id=notice_id)
    except Exception:
        logger.exception("公示%s的PDF存档失败，将在下载时补存。", notice_id)
        return False


@shared_task(acks_late=True)
def sweep_notice_papers() -> int:
    """Every ten minutes: store the recent notices whose kick never reached a worker."""
    from referrals.documents import notice_papers_sweep

    try:
        return notice_papers_sweep()
    except Exception:
        logger.exception("公示PDF存档的补存任务失败，将在下一次运行或下载时补存。")
        return 0
