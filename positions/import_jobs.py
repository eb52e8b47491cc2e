"""An Annex 1 sheet as a background import job (``portal.imports.jobs``): the same importer as the page."""

from __future__ import annotations

from portal.calendar import TenDayPeriod
from portal.constants import ImportJobKind
from portal.imports.jobs import Checked, JobKind, Written, job_district, job_sheet, listed, register_kind
from portal.imports.progress import Progress
from portal.models import ImportJob
from positions.importing import import_positions, preview_positions


def _validate(job: ImportJob, progress: Progress) -> Checked:
    preview = preview_positions(
        file=job_sheet(job),
        district=job_district(job),
        period=TenDayPeriod.parse(job.period),
        by=job.owner,
        progress=progress,
    )
    return Checked(
        rows=len(preview.rows),
        new=preview.new_count,
        existing=preview.existing_count,
        errors=preview.errors,
        notes=[*preview.warnings, *listed("将新建用人单位", preview.new_employers, "家")],
    )


def _write(job: ImportJob) -> Written:
    result = import_positions(
        file=job_sheet(job), district=job_district(job), period=TenDayPeriod.parse(job.period), by=job.owner
    )
    notes = [f"新建用人单位{result.employers_created}家。"] if result.employers_created else []
    return Written(created=result.created, existing=result.existing, notes=notes)


def register() -> None:
    register_kind(ImportJobKind.POSITIONS, JobKind("岗位", "岗位", _validate, _write))
