"""By hand, what beat does every 15 minutes: confirm the hires whose publicity has closed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from referrals.services import notices_confirm_closed


class Command(BaseCommand):
    help = "确认公示期满且无异议（或异议均不成立）的人员。可重复运行：已确认的不会重复处理。"

    def handle(self, *args: Any, **options: Any) -> None:
        confirmed = notices_confirm_closed()
        self.stdout.write(self.style.SUCCESS(f"本次确认{confirmed}人。"))
