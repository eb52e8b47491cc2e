"""Scheduled jobs of the referrals app."""

from __future__ import annotations

from celery import shared_task

from referrals.services import notices_confirm_closed


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def confirm_closed_publicity() -> int:
    """Confirm the hires whose publicity has closed. Safe to run twice: the second run confirms nothing."""
    return notices_confirm_closed()
