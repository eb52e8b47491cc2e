"""Benchmark: Annex 1 import on PostgreSQL against plain reads of the same file and django-import-export.

    .venv/bin/python bench/positions_import.py [--sizes 1000,10000,50000] [--list-sizes 10,1000]

Creates a throw-away PostgreSQL database (test_portal_bench; DATABASE_URL chooses another server), generates Annex 1 sheets in the real two-row layout,
and prints for each size: the portal's fully validated import, read-only openpyxl's bare read, python-calamine's
bare read (the floor: no import can read the sheet faster), django-import-export's default import (up to 10,000 rows)
and the ratios, measured in one run; then, from the same run, how the portal's time splits: the safety checks (zip
checks and the streaming walk of the sheet's XML), calamine's read and the rows' layout, the validation, the write.
Then the query counts of the public list page and the API list at 10 and 1,000 posts (``--list-sizes``).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Its own database name, so the throw-away test_portal_bench never collides with the suite's test_test.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from positions.exporting import HEADER_ROWS  # noqa: E402

IMPORT_EXPORT_MAX_ROWS = 10_000


def make_sheet(rows: int, district_name: str, seed: int = 0) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("附件1")
    sheet.append(["卓越工程师岗位表"])
    for header_row in HEADER_ROWS:
        sheet.append(header_row)
    educations = ["本科", "硕士", "博士", "不限", "大专"]
    salaries = ["15-25万元/年", "1.5万/月", "20万以上", "面议", "8000-12000元/月"]
    for n in range(1, rows + 1):
        bounty = n % 3 == 0
        name = f"智能制造工程师{seed}-{n}"
        sheet.append(
            [
                n,
                f"重庆基准测试企业{n % 500}有限公司",
                name if bounty else None,
                None if bounty else name,
                1 + n % 9,
                educations[n % 5],
                "机械工程、自动化、计算机",
                "1.熟悉工业控制系统；\n2.有三年以上项目经验；\n3.具备团队合作精神。",
                "是" if n % 2 else "否",
                salaries[n % 5],
                district_name,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def read_openpyxl(data: bytes) -> int:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def read_calamine(data: bytes) -> int:
    return len(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python())


def import_export_default(rows: int, district: Any, batch: Any, user: Any) -> float:
    import tablib

    from positions.resources import PositionResource

    employers = {f"重庆基准测试企业{n % 500}有限公司" for n in range(1, rows + 1)}
    from portal.models import Employer

    Employer.objects.bulk_create([Employer(name=name, district=district) for name in employers], ignore_conflicts=True)
    resource = PositionResource()
    dataset = tablib.Dataset(headers=resource.get_export_headers())
    for n in range(1, rows + 1):
        dataset.append(
            [
                f"重庆基准测试企业{n % 500}有限公司",
                "bounty_list" if n % 3 == 0 else "special_recruitment",
                f"对照岗位{n}",
                1 + n % 9,
                "master",
                "机械工程",
                "1.熟悉；\n2.经验。",
                n % 2 == 1,
                "15-25万元/年",
                district.name,
                batch.pk,
            ]
        )
    elapsed, result = timed(lambda: resource.import_data(dataset, dry_run=False, user=user))
    assert not result.has_errors(), result.row_errors()[:3]
    return elapsed


class StageTimer:
    """Times the import's stages in the run being measured, by wrapping the functions that do them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._originals: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed_stage(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

        self._originals.append((owner, name, original))
        setattr(owner, name, timed_stage)

    def reset(self) -> None:
        self.seconds = {}

    def split(self, total: float) -> dict[str, float]:
        """safety, read, validate, write: ``read`` is the sheet's reading less its safety checks, ``write`` the rest
        (on PostgreSQL the writes run beside the validation: ``write`` is then only the time they add to it)."""
        safety = self.seconds.get("check_xlsx", 0.0) + self.seconds.get("scan", 0.0)
        read = self.seconds.get("read_sheet", 0.0) - safety
        validate = self.seconds.get("validate", 0.0)
        return {"safety": safety, "read": read, "validate": validate, "write": total - safety - read - validate}


def stage_timer() -> StageTimer:
    from portal.imports import sheets
    from positions import importing

    timer = StageTimer()
    timer.wrap(sheets, "check_xlsx", "check_xlsx")
    timer.wrap(sheets, "scan_first_sheet", "scan")
    timer.wrap(importing, "read_sheet", "read_sheet")
    timer.wrap(importing, "_analyse", "validate")
    # On PostgreSQL the import checks its rows a chunk at a time while COPY writes the chunk before.
    timer.wrap(importing, "_check_chunk", "validate")
    return timer


def list_query_counts(totals: list[int]) -> dict[str, dict[int, int]]:
    from positions.models import Position
    from tests.factories import PositionFactory

    counts: dict[str, dict[int, int]] = {"/positions/": {}, "/api/v1/positions/": {}}
    Position.objects.all().delete()
    template = PositionFactory(published=True)
    for total in totals:
        clones = []
        for n in range(total - Position.objects.count()):
            clone = Position(**{f.attname: getattr(template, f.attname) for f in Position._meta.concrete_fields})
            clone.pk, clone.name = None, f"{template.name}-{total}-{n}"
            clones.append(clone)
        Position.objects.bulk_create(clones)
        for url in counts:
            with CaptureQueriesContext(connection) as captured:
                response = Client().get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[url][total] = len(captured)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--list-sizes", default="10,1000", help="posts listed when counting the list's queries")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    list_sizes = [int(s) for s in args.list_sizes.split(",")]

    from django.core.management import call_command

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_reference_data", verbosity=0)
        from portal.calendar import TenDayPeriod
        from portal.constants import Role
        from portal.models import District, User
        from positions.importing import import_positions
        from positions.services import batch_get_open

        district = District.objects.get(code="500151")
        clerk = User.objects.create(username="bench_clerk", role=Role.DISTRICT_CLERK, district=district)
        period = TenDayPeriod.current()
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        timer = stage_timer()
        print(
            f"{'rows':>7} {'portal import':>14} {'openpyxl read':>14} {'calamine read':>14} {'import-export':>14} "
            f"{'openpyxl/portal':>16} {'ie/portal':>10} {'portal/floor':>13}"
        )
        splits: dict[int, tuple[dict[str, float], float]] = {}
        for index, size in enumerate(sizes):
            data = make_sheet(size, district.name, seed=index)
            t_openpyxl, _ = timed(partial(read_openpyxl, data))
            t_calamine, _ = timed(partial(read_calamine, data))
            timer.reset()
            t_portal, result = timed(partial(import_positions, file=data, district=district, period=period, by=clerk))
            splits[size] = (timer.split(t_portal), t_calamine)
            assert result.created == size, result
            t_ie = None
            if size <= IMPORT_EXPORT_MAX_ROWS:
                batch = batch_get_open(district=district, period=period.next())
                t_ie = import_export_default(size, district, batch, clerk)
            ie_text = f"{t_ie:13.2f}s" if t_ie is not None else f"{'(skipped)':>14}"
            ratio_ie = f"{t_ie / t_portal:9.1f}x" if t_ie is not None else f"{'—':>10}"
            print(
                f"{size:>7} {t_portal:13.2f}s {t_openpyxl:13.2f}s {t_calamine:13.2f}s {ie_text} "
                f"{t_openpyxl / t_portal:15.2f}x {ratio_ie} {t_portal / t_calamine:12.1f}x"
            )
            from positions.models import Position

            Position.objects.all().delete()
        print("\nthe portal's import, stage by stage (seconds; × the calamine read, the floor):")
        print(f"{'rows':>7} " + " ".join(f"{stage:>16}" for stage in ("safety", "read", "validate", "write")))
        for size, (split, floor) in splits.items():
            print(f"{size:>7} " + " ".join(f"{seconds:7.2f}s ({seconds / floor:4.1f}x)" for seconds in split.values()))
        print("\nqueries per list request (posts → queries):")
        for url, by_total in list_query_counts(list_sizes).items():
            print(f"  {url:<22} " + "  ".join(f"{total} posts: {n}" for total, n in by_total.items()))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
