"""The base list as a background import job (``portal.imports.jobs``): the same importer as the page."""

from __future__ import annotations

from bases.importing import import_bases, preview_bases
from portal.constants import ImportJobKind
from portal.imports.jobs import Checked, JobKind, Written, job_sheet, register_kind
from portal.imports.progress import Progress
from portal.models import ImportJob


def _validate(job: ImportJob, progress: Progress) -> Checked:
    preview = preview_bases(file=job_sheet(job), by=job.owner, progress=progress)
    return Checked(
        rows=len(preview.rows),
        new=preview.new_count,
        errors=preview.errors,
        existing=preview.unchanged_count,
        notes=preview.messages,
    )


def _write(job: ImportJob) -> Written:
    result = import_bases(file=job_sheet(job), by=job.owner)
    return Written(
        created=result.created + result.updated,
        existing=result.unchanged,
        notes=[
            f"新增基地{result.created}家，更新单位信息{result.updated}家，新建用人单位{result.employers_created}家。"
        ],
    )


def register() -> None:
    register_kind(ImportJobKind.BASES, JobKind("基地", "人才基地名单", _validate, _write, district_scoped=False))
