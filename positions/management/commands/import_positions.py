"""Import an Annex 1 sheet from the command line: ``import_positions FILE --district 500151 --period 2026-11-3``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from portal.calendar import TenDayPeriod
from portal.constants import Role
from portal.management.sheet_import import SheetImportCommand
from portal.models import User
from positions.importing import import_positions


class Command(SheetImportCommand):
    help = "导入区县的卓越工程师岗位表（附件1，.xlsx）：全部行无误才写入，否则逐行列出错误。"
    file_help = "岗位表文件（.xlsx）"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--period", required=True, help="旬，格式 YYYY-MM-N，如 2026-11-3")
        parser.add_argument("--user", help="以该用户名导入（本区县经办人或系统管理员）；缺省为第一个启用的系统管理员")
        self.add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        district = self.district(options["district"])
        try:
            period = TenDayPeriod.parse(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        user = self._importer(options["user"])
        result = self.run(
            import_positions,
            file=options["file"],
            district=district,
            period=period,
            by=user,
            dry_run=options["dry_run"],
        )
        prefix = "（试运行，未写入）" if result.dry_run else ""
        self.stdout.write(
            f"{prefix}新增岗位 {result.created} 个，已存在 {result.existing} 个，新建用人单位 {result.employers_created} 家"
        )

    def _importer(self, username: str | None) -> User:
        if username:
            return self.user(username)
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if admin is None:
            raise CommandError("没有启用的系统管理员：请用 --user 指定导入人。")
        return admin
