"""Import an Annex 3 sheet from the command line: ``import_hires FILE --district 500151 --user clerk``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from portal.management.sheet_import import SheetImportCommand
from referrals.importing import import_hires


class Command(SheetImportCommand):
    help = "导入区县的用人单位引进人才确认表（附件3，.xlsx）：全部行无误才登记，否则逐行列出错误。"
    file_help = "确认表文件（.xlsx）"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--user", required=True, help="以该用户名导入（本区县经办人或系统管理员），记为登记人")
        self.add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        result = self.run(
            import_hires,
            file=options["file"],
            district=self.district(options["district"]),
            by=self.user(options["user"]),
            dry_run=options["dry_run"],
        )
        if result.dry_run:
            self.stdout.write(f"（试运行，未写入）全部行无误，可登记到岗人员 {result.created} 人")
        else:
            self.stdout.write(f"已登记到岗人员 {result.created} 人（待初审）")
