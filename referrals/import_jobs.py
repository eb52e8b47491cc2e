"""An Annex 3 sheet as a background import job (``portal.imports.jobs``): the same importer as the page."""

from __future__ import annotations

from portal.constants import ImportJobKind
from portal.imports.jobs import Checked, JobKind, Written, job_district, job_sheet, register_kind
from portal.imports.progress import Progress
from portal.models import ImportJob
from referrals.importing import import_hires, preview_hires


def _validate(job: ImportJob, progress: Progress) -> Checked:
    preview = preview_hires(file=job_sheet(job), district=job_district(job), by=job.owner, progress=progress)
    return Checked(rows=len(preview.rows), new=preview.new_count, errors=preview.errors, notes=preview.messages)


def _write(job: ImportJob) -> Written:
    return Written(created=import_hires(file=job_sheet(job), district=job_district(job), by=job.owner).created)


def register() -> None:
    register_kind(ImportJobKind.HIRES, JobKind("人员", "到岗人员", _validate, _write))
