"""What the sheet import commands share (``import_positions``, ``import_hires``, ``import_bases``): the district by its code, the user
by name, and a refusal that lists every row error before it stops. Each command says what its sheet holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.errors import PortalError
from portal.imports.sheets import PortalImportError
from portal.models import District, User

Result = TypeVar("Result")


class SheetImportCommand(BaseCommand):
    #: The sheet's argument help, e.g. 岗位表文件（.xlsx）.
    file_help: str
    #: Whether the sheet goes into one district (``--district``); the talent base list is city-wide.
    district_scoped: bool = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=self.file_help)
        if self.district_scoped:
            parser.add_argument("--district", required=True, help="区县的区划代码，如 500151（铜梁区）")

    def add_dry_run(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")

    def district(self, code: str) -> District:
        try:
            return District.objects.get(code=code)
        except District.DoesNotExist:
            raise CommandError(f"没有区划代码为“{code}”的区县。") from None

    def user(self, username: str) -> User:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"没有启用的用户“{username}”。") from None

    def run(self, service: Callable[..., Result], **kwargs: Any) -> Result:
        """The import service called with ``kwargs``; its row errors go to stderr, one a line, and stop the command."""
        try:
            return service(**kwargs)
        except PortalImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(error.message) from None
        except (PortalError, OSError) as error:
            raise CommandError(str(error)) from None
