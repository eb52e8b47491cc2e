"""`manage.py rollup 2026-11-2`: the same roll-up the beat task runs, by hand, for one 旬 (or every missed one)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.calendar import TenDayPeriod
from rollups.tenday import rollup_catch_up, rollup_run


class Command(BaseCommand):
    help = "汇总某一旬各区县数据（如 2026-11-2）；不带参数时补齐所有已结束但未汇总的旬。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("period", nargs="?", help="旬，格式为“年-月-旬序号”，如 2026-11-2")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["period"]:
            done = rollup_catch_up()
            self.stdout.write(self.style.SUCCESS(f"已汇总{len(done)}个旬：{'、'.join(done) or '无'}"))
            return
        try:
            period = TenDayPeriod.parse(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        rollup, written = rollup_run(period=period)
        outcome = f"写入第{rollup.revision}版" if written else f"数据未变化，保持第{rollup.revision}版"
        totals = rollup.figures["totals"]
        self.stdout.write(
            self.style.SUCCESS(
                f"{period.label}汇总完成（{outcome}）：岗位{totals.get('posts', {}).get('posts', 0)}个，"
                f"确认引进{totals.get('hires', {}).get('confirmed', 0)}人。"
            )
        )
