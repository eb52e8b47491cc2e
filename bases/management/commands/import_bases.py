"""Import a talent base list from the command line: ``import_bases FILE --user admin``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from bases.importing import import_bases
from portal.management.sheet_import import SheetImportCommand


class Command(SheetImportCommand):
    help = "导入卓越工程师人才基地名单（.xlsx：年度、批次、序号、单位名称、统一社会信用代码、所在区县）：全部行无误才写入，否则逐行列出错误。"
    file_help = "人才基地名单文件（.xlsx）"
    district_scoped = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--user", required=True, help="以该用户名导入（系统管理员）")
        self.add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        result = self.run(import_bases, file=options["file"], by=self.user(options["user"]), dry_run=options["dry_run"])
        prefix = "（试运行，未写入）全部行无误，可" if result.dry_run else "已"
        self.stdout.write(
            f"{prefix}新增基地 {result.created} 家，更新单位信息 {result.updated} 家，无变化 {result.unchanged} 家，"
            f"新建用人单位 {result.employers_created} 家，新建批次 {result.batches_created} 个"
        )
