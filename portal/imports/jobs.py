"""Large Excel imports as background jobs: a Celery worker reads, checks and writes; the web stays responsive.

One ``ImportJob`` row carries a job through its states (``ImportJobStatus``)::

    upload (request: size and zip checks only, file stored)     → 排队中
    worker: every row checked, rows done / total on the row     → 校验中 → 待确认 (counts) | 失败 (every row error)
    the owner confirms (request)                                → 排队中 (now confirmed)
    worker: all rows in one transaction, the importers' services → 写入中 → 已完成 | 失败 (nothing written)

The importers are the same services as the synchronous pages and the management commands (``preview_positions`` /
``import_positions``, ``preview_hires`` / ``import_hires``): a job only decides when they run and records what
they said. Sheets below ``BACKGROUND_MIN_BYTES`` keep the synchronous preview of their pages.

The broker is never in the request's path: the job row commits, then one ``run_import_job`` task is requested
with a one-second timeout, like the e-mail outbox's kick; when that fails, ``sweep_import_jobs`` (beat, every
minute) runs the job. Running a job twice does it once: ``import_job_run`` only moves a job on from the state it
finds under a row lock, and the write holds that lock for its whole transaction, so a task re-delivered after a
worker crash either finds the job written (and does nothing) or finds the crashed attempt rolled back (and
writes it, once). SQLite has no row locks: there the single local worker keeps the guarantee.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal import broker
from portal.calendar import TenDayPeriod
from portal.constants import DISTRICT_ROLES
from portal.constants import ImportJobKind as Kind
from portal.constants import ImportJobStatus as Status
from portal.errors import PermissionDenied, PortalError
from portal.imports import sheets
from portal.imports.progress import Progress
from portal.imports.sheets import PortalImportError, RowError
from portal.imports.uploads import PENDING_MAX_AGE_SECONDS, upload_dir
from portal.models import District, ImportJob, User
from portal.models.imports import ImportRowError
from portal.permissions import is_admin

logger = logging.getLogger(__name__)

#: Sheets from this size on are imported by a worker. About a thousand rows of a real Annex 1 or Annex 3 sheet:
#: smaller ones are checked in the request in well under a second and keep the page's immediate preview.
BACKGROUND_MIN_BYTES = 64 * 1024
#: A job stored at most this many row errors (the count is kept whole): the page lists them, a person fixes them.
MAX_STORED_ERRORS = 500
#: Names listed in a note before "等": a sheet may create hundreds of employers.
MAX_NAMES_IN_NOTE = 20
#: A validating or writing job whose worker has given no sign of life for this long is taken over by the sweep.
#: Validation reports every few hundred rows; a write of the largest sheet takes well under a minute.
STALE_AFTER = timedelta(minutes=5)
INTERNAL_ERROR = "导入时发生系统内部错误，未导入任何数据；请稍后重新上传，如仍失败请联系系统管理员。"
FILE_GONE = "上传的表格已不存在（超过24小时未确认的表格会被清除），未导入任何数据：请重新上传。"
EXPIRED = "校验通过后超过24小时未确认，表格已清除，未导入任何数据：如仍需导入，请重新上传。"


# ---------------------------------------------------------------------------------------------------------------
# What each kind of sheet does


@dataclass(frozen=True)
class Checked:
    """What validating a sheet found, as the job keeps it."""

    rows: int
    new: int
    errors: list[RowError]
    existing: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    created: int
    existing: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class JobKind:
    #: The rows' things, for messages: 岗位, 人员.
    what: str
    #: Who may import it, in ``require_district_importer``'s words.
    importer_what: str
    validate: Callable[[ImportJob, Progress], Checked]
    write: Callable[[ImportJob], Written]
    #: Whether the sheet goes into one district, imported by its clerk or an admin; a city-wide sheet (the talent
    #: base list) is imported by an admin and has no district.
    district_scoped: bool = True


def listed(prefix: str, names: Sequence[str], unit: str) -> list[str]:
    if not names:
        return []
    shown = "、".join(names[:MAX_NAMES_IN_NOTE]) + ("等" if len(names) > MAX_NAMES_IN_NOTE else "")
    return [f"{prefix}{len(names)}{unit}：{shown}"]


def job_sheet(job: ImportJob) -> Path:
    """The uploaded sheet of ``job``; a ``PortalError`` when the daily purge has removed it."""
    path = job.file_path
    if path is None or not path.is_file():
        raise PortalError(FILE_GONE, "import_file_gone")
    return path


def job_district(job: ImportJob) -> District:
    """The district a district's sheet goes into (``import_job_create`` refuses such a job without one)."""
    if job.district is None:
        raise PortalError("该导入任务没有导入区县，无法导入。", "import_job_without_district")
    return job.district


#: What each kind of sheet does, registered by the app that owns its rows (``register_kind`` in its ``ready()``).
KINDS: dict[str, JobKind] = {}


def register_kind(kind: str, job_kind: JobKind) -> None:
    KINDS[kind] = job_kind


# ---------------------------------------------------------------------------------------------------------------
# In the request: upload and confirmation


def runs_in_background(data: bytes) -> bool:
    """Whether an uploaded sheet of this size is imported by a worker rather than in the request."""
    return len(data) >= BACKGROUND_MIN_BYTES


@transaction.atomic
def import_job_create(
    *, kind: str, data: bytes, filename: str, district: District | None, period: TenDayPeriod | None, by: User
) -> ImportJob:
    """Store an uploaded sheet and queue its validation. Only what is cheap happens here: the importer's permission,
    the file's size and the zip checks (a bomb is refused before a worker ever sees it); reading the rows is the
    worker's. The worker is asked after commit and never waited for."""
    job_kind = KINDS[kind]
    if kind == Kind.POSITIONS and period is None:
        raise ValueError("A positions import goes into a 旬 batch: period is required.")
    if job_kind.district_scoped:
        if district is None:
            raise ValueError("A district's sheet goes into a district: district is required.")
        sheets.require_district_importer(by, district, what=job_kind.importer_what)
    else:
        sheets.require_admin_importer(by, what=job_kind.importer_what)
    sheets.check_xlsx(sheets.read_bytes(data))
    stored_name = f"{uuid.uuid4().hex}.xlsx"  # the name portal.imports.uploads purges after a day
    (upload_dir() / stored_name).write_bytes(data)
    job = ImportJob.objects.create(
        kind=kind,
        owner=by,
        district=district,
        period=str(period) if period is not None else "",
        filename=filename[:255],
        stored_name=stored_name,
        file_size=len(data),
    )
    transaction.on_commit(partial(kick_import_job, job.pk), robust=True)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by: User) -> ImportJob:
    """The owner confirms a validated sheet: queue its write. A second confirmation (a double click, a second tab)
    is refused, so the rows are queued for writing once."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.owner_id != by.pk:
        raise PermissionDenied("只有上传该表格的人可以确认导入。")
    if locked.status != Status.AWAITING_CONFIRMATION:
        raise PortalError(
            f"该导入任务{locked.get_status_display()}，不能再次确认。", "import_job_not_awaiting_confirmation"
        )
    job_sheet(locked)  # refuse now, rather than fail in the worker, when the file has been purged
    locked.status = Status.QUEUED
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_at"])
    transaction.on_commit(partial(kick_import_job, locked.pk), robust=True)
    return locked


def kick_import_job(job_id: int) -> None:
    """Ask a worker to run the job now (after commit). When the broker does not answer, the job stays 排队中 and
    ``sweep_import_jobs`` runs it within a minute."""
    from portal.tasks import run_import_job

    broker.kick(run_import_job, (job_id,), what=f"导入任务{job_id}")


# ---------------------------------------------------------------------------------------------------------------
# In the worker


_VALIDATE = "validate"
_WRITE = "write"


@transaction.atomic
def _claim(job_id: int) -> str | None:
    """Take the job's next step, or None when there is none for this worker: the job is finished, waits for its
    owner, or another worker is on it (its row is locked, or it gave a sign of life within ``STALE_AFTER``)."""
    job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
    if job is None:
        return None
    now = timezone.now()
    abandoned = job.heartbeat_at is None or job.heartbeat_at < now - STALE_AFTER
    if job.status == Status.QUEUED:
        step = _WRITE if job.confirmed_at else _VALIDATE
        job.status = Status.WRITING if step == _WRITE else Status.VALIDATING
        job.started_at = job.started_at or now
    elif job.status in (Status.VALIDATING, Status.WRITING) and abandoned:
        # Its worker was lost. Validation only reads; a write that died rolled back with its connection.
        step = _WRITE if job.status == Status.WRITING else _VALIDATE
    else:
        return None
    job.heartbeat_at = now
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    return step


def import_job_run(*, job_id: int) -> str:
    """Do whatever the job waits for (validate or write) and say what was done. Idempotent (module docstring)."""
    step = _claim(job_id)
    if step == _VALIDATE:
        return _validate(job_id)
    if step == _WRITE:
        return _write(job_id)
    return "skipped"


def import_jobs_sweep() -> int:
    """Run the jobs nobody is running: queued ones whose kick never reached a worker, and validating or writing ones
    whose worker was lost; close the ones their owner left unconfirmed past ``PENDING_MAX_AGE_SECONDS``. Beat calls it
    every minute; returns how many jobs moved on."""
    expired = _expire_unconfirmed()
    stale = timezone.now() - STALE_AFTER
    owed = (
        ImportJob.objects.filter(
            Q(status=Status.QUEUED)
            | (
                Q(status__in=(Status.VALIDATING, Status.WRITING))
                & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale))
            )
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return expired + sum(1 for job_id in list(owed) if import_job_run(job_id=job_id) != "skipped")


def _expire_unconfirmed() -> int:
    """A validated sheet nobody confirmed within a day fails as expired: the daily purge of ``portal.imports.uploads`` deletes
    such sheets (names and ID numbers must not linger), and the page then says so instead of offering a confirm."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=PENDING_MAX_AGE_SECONDS)
    expired = 0
    for job in ImportJob.objects.filter(status=Status.AWAITING_CONFIRMATION, validated_at__lt=cutoff):
        moved = ImportJob.objects.filter(pk=job.pk, status=Status.AWAITING_CONFIRMATION).update(
            status=Status.FAILED, message=EXPIRED, finished_at=now, stored_name=""
        )
        if moved:
            _delete_file(job.stored_name)
            expired += 1
    return expired


def _progress(job_id: int) -> Progress:
    def report(done: int, total: int) -> None:
        # One short autocommitted UPDATE: the polling page sees it at once, and it is the job's sign of life.
        ImportJob.objects.filter(pk=job_id, status=Status.VALIDATING).update(
            rows_done=done, rows_total=total, heartbeat_at=timezone.now()
        )

    return report


def _stored_errors(errors: list[RowError]) -> list[ImportRowError]:
    return [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:MAX_STORED_ERRORS]]


def _validate(job_id: int) -> str:
    job = ImportJob.objects.select_related("owner", "district").get(pk=job_id)
    fields: dict[str, Any]
    try:
        checked = KINDS[job.kind].validate(job, _progress(job_id))
    except PortalError as error:  # not an xlsx, no header, batch already sent, no longer allowed to import …
        fields = {"status": Status.FAILED, "message": error.message}
    except Exception:
        logger.exception("导入任务%s校验失败", job_id)
        fields = {"status": Status.FAILED, "message": INTERNAL_ERROR}
    else:
        fields = {
            "status": Status.FAILED if checked.errors else Status.AWAITING_CONFIRMATION,
            "rows_total": checked.rows,
            "rows_done": checked.rows,
            "new_count": checked.new,
            "existing_count": checked.existing,
            "error_count": len(checked.errors),
            "errors": _stored_errors(checked.errors),
            "notes": checked.notes,
            "message": PortalImportError(checked.errors, what=KINDS[job.kind].what).message if checked.errors else "",
        }
    now = timezone.now()
    fields.update(validated_at=now, heartbeat_at=now)
    if fields["status"] == Status.FAILED:
        fields.update(finished_at=now, stored_name="")
    # Only from 校验中: if a second worker already finished this validation, its result stands.
    moved = ImportJob.objects.filter(pk=job_id, status=Status.VALIDATING).update(**fields)
    if moved and fields["status"] == Status.FAILED:
        _delete_file(job.stored_name)
    return str(fields["status"])


def _write(job_id: int) -> str:
    with transaction.atomic():
        # The lock is held until the rows and the job's new status commit together: a duplicate delivery that got
        # this far waits here and then finds the job 已完成 (the row no longer matches). Waiting, not skipping: the
        # only other holder may be a claim that is about to let go, and skipping it would leave the job unwritten.
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("owner", "district")
            .filter(pk=job_id, status=Status.WRITING)
            .first()
        )
        if job is None:
            return "skipped"
        stored_name = job.stored_name
        try:
            with transaction.atomic():  # the import's own rows roll back on any failure; the job's status stays
                written = KINDS[job.kind].write(job)
        except PortalImportError as error:  # the sheet changed meaning since validation (someone imported first)
            _fail(job, error.message, errors=error.errors)
        except PortalError as error:
            _fail(job, error.message)
        except Exception:
            logger.exception("导入任务%s写入失败", job_id)
            _fail(job, INTERNAL_ERROR)
        else:
            job.status = Status.DONE
            job.created_count = written.created
            job.existing_count = written.existing
            job.notes = written.notes
            job.rows_done = job.rows_total or 0
        job.finished_at = timezone.now()
        job.stored_name = ""
        job.save()
    _delete_file(stored_name)
    return job.status


def _fail(job: ImportJob, message: str, *, errors: list[RowError] | None = None) -> None:
    job.status = Status.FAILED
    job.message = message
    if errors is not None:
        job.error_count = len(errors)
        job.errors = _stored_errors(errors)


def _delete_file(stored_name: str) -> None:
    """The sheet holds names and ID numbers: it goes as soon as the job no longer needs it."""
    if stored_name:
        (upload_dir() / stored_name).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------------------
# Reading


def import_jobs_visible(*, user: User) -> QuerySet[ImportJob]:
    """The jobs ``user`` may look at: their own, their district's (district staff), every one (admins)."""
    jobs = ImportJob.objects.select_related("owner", "district")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return jobs.none()
    if is_admin.test(user):
        return jobs
    visible = Q(owner=user)
    if user.role in DISTRICT_ROLES and user.district_id is not None:
        visible |= Q(district_id=user.district_id)
    return jobs.filter(visible)


def import_jobs_recent(*, user: User, kind: str, limit: int = 5) -> list[ImportJob]:
    """The user's own latest jobs of one kind, for the import page (one query)."""
    return list(import_jobs_visible(user=user).filter(owner=user, kind=kind).order_by("-created_at", "-pk")[:limit])
