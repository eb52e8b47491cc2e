"""Import an Annex 3 sheet from the command line: ``import_hires FILE --district 500151 --user clerk``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.errors import PortalError
from portal.models import District, User
from referrals.importing import PortalImportError, import_hires


class Command(BaseCommand):
    help = "导入区县的用人单位引进人才确认表（附件3，.xlsx）：全部行无误才登记，否则逐行列出错误。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="确认表文件（.xlsx）")
        parser.add_argument("--district", required=True, help="区县的区划代码，如 500151（铜梁区）")
        parser.add_argument("--user", required=True, help="以该用户名导入（本区县经办人或系统管理员），记为登记人")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            district = District.objects.get(code=options["district"])
        except District.DoesNotExist:
            raise CommandError(f"没有区划代码为“{options['district']}”的区县。") from None
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户“{options['user']}”。") from None
        try:
            result = import_hires(file=options["file"], district=district, by=user, dry_run=options["dry_run"])
        except PortalImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(error.message) from None
        except (PortalError, OSError) as error:
            raise CommandError(str(error)) from None
        if result.dry_run:
            self.stdout.write(f"（试运行，未写入）全部行无误，可登记到岗人员 {result.created} 人")
        else:
            self.stdout.write(f"已登记到岗人员 {result.created} 人（待初审）")
