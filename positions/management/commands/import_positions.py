"""Import an Annex 1 sheet from the command line: ``import_positions FILE --district 500151 --period 2026-11-3``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.calendar import TenDayPeriod
from portal.constants import Role
from portal.errors import PortalError
from portal.models import District, User
from positions.importing import PortalImportError, import_positions


class Command(BaseCommand):
    help = "导入区县的卓越工程师岗位表（附件1，.xlsx）：全部行无误才写入，否则逐行列出错误。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="岗位表文件（.xlsx）")
        parser.add_argument("--district", required=True, help="区县的区划代码，如 500151（铜梁区）")
        parser.add_argument("--period", required=True, help="旬，格式 YYYY-MM-N，如 2026-11-3")
        parser.add_argument("--user", help="以该用户名导入（本区县经办人或系统管理员）；缺省为第一个启用的系统管理员")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            district = District.objects.get(code=options["district"])
        except District.DoesNotExist:
            raise CommandError(f"没有区划代码为“{options['district']}”的区县。") from None
        try:
            period = TenDayPeriod.parse(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        user = self._user(options["user"])
        try:
            result = import_positions(
                file=options["file"], district=district, period=period, by=user, dry_run=options["dry_run"]
            )
        except PortalImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(error.message) from None
        except (PortalError, OSError) as error:
            raise CommandError(str(error)) from None
        prefix = "（试运行，未写入）" if result.dry_run else ""
        self.stdout.write(
            f"{prefix}新增岗位 {result.created} 个，已存在 {result.existing} 个，新建用人单位 {result.employers_created} 家"
        )

    def _user(self, username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"没有启用的用户“{username}”。") from None
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if admin is None:
            raise CommandError("没有启用的系统管理员：请用 --user 指定导入人。")
        return admin
