"""`manage.py anonymise_expired [--dry-run]`: the retention run the daily task does (``portal.retention``), by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.retention import anonymise_expired


class Command(BaseCommand):
    help = "匿名化超过保存期限的引进人才和补助申报中的个人信息（统计数字保留）；--dry-run 只统计不修改。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将被匿名化的记录，不做修改")

    def handle(self, *args: Any, **options: Any) -> None:
        run = anonymise_expired(dry_run=options["dry_run"])
        scope = (
            f"保存期限：引进人才{run.hire_years}年（{run.hires_up_to_year}年度及以前），"
            f"补助申报{run.claim_years}年（{run.claims_closed_before:%Y-%m-%d}前办结）"
        )
        if options["dry_run"]:
            self.stdout.write(
                f"{scope}。将匿名化{run.hires}名人员、{run.declared_people}名未确认的申报人员、{run.claims}份申报、{run.third_parties}名个人荐才者，删除{run.messages}条站内通知和邮件、"
                f"{run.import_jobs}条导入记录（未修改任何数据）。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{scope}。已匿名化{run.hires}名人员、{run.declared_people}名未确认的申报人员、{run.claims}份申报、{run.objections}条异议、"
                f"{run.third_parties}名个人荐才者，"
                f"删除扫描件{run.attachments}个、站内通知和邮件{run.messages}条、导入记录{run.import_jobs}条。"
            )
        )
