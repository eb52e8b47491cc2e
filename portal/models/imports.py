"""A large Excel import run by a Celery worker instead of inside the request (``portal.imports.jobs``).

The row is the job's whole state: the web page polls it, the worker moves it. The uploaded sheet itself is a file
under ``MEDIA_ROOT/imports`` (``stored_name``), deleted once the job is done or has failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.constants import ImportJobKind, ImportJobStatus

#: Statuses in which a worker still has something to do (the page keeps polling; the sweep looks at them).
ACTIVE_STATUSES = (ImportJobStatus.QUEUED, ImportJobStatus.VALIDATING, ImportJobStatus.WRITING)


class ImportRowError(TypedDict):
    """One ``portal.imports.sheets.RowError`` as stored: 第{row}行 〔{column}〕 {message}."""

    row: int
    column: str
    message: str


class ImportJob(models.Model):
    kind = models.CharField(_("导入内容"), max_length=16, choices=ImportJobKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    #: The district the rows go into; empty for a city-wide sheet (the talent base list, an admin's import).
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("导入区县"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    #: The 旬 batch a positions sheet goes into (YYYY-MM-N); empty for hires.
    period = models.CharField(_("旬"), max_length=10, blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    #: The random name under MEDIA_ROOT/imports (``portal.imports.uploads``); emptied when the file is deleted.
    stored_name = models.CharField(_("存储文件"), max_length=40, blank=True)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)

    rows_total = models.PositiveIntegerField(_("数据行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已校验行数"), default=0)
    new_count = models.PositiveIntegerField(_("将新增"), default=0)
    existing_count = models.PositiveIntegerField(_("已存在"), default=0)
    created_count = models.PositiveIntegerField(_("已写入"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    #: The first ``portal.imports.jobs.MAX_STORED_ERRORS`` row errors (ID numbers already masked by the importers).
    errors = models.JSONField(_("错误"), default=list, blank=True)
    #: Notes for the owner besides the errors (将新建用人单位…, 已登记过…).
    notes = models.JSONField(_("说明"), default=list, blank=True)
    #: Why the job failed when it is not a list of row errors (not an xlsx, batch already sent, …).
    message = models.TextField(_("结果说明"), blank=True)

    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始校验"), null=True, blank=True)
    validated_at = models.DateTimeField(_("校验完成"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    #: Bumped by the worker while it validates: a validating job silent for long has lost its worker.
    heartbeat_at = models.DateTimeField(_("最近进度"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep looks only at jobs a worker still owes something.
            models.Index(fields=["created_at"], condition=Q(status__in=ACTIVE_STATUSES), name="import_job_active"),
            models.Index(fields=["owner", "-created_at"], name="import_job_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def period_label(self) -> str:
        from portal.calendar import TenDayPeriod

        return TenDayPeriod.parse(self.period).label if self.period else ""

    @property
    def file_path(self) -> Path | None:
        from portal.imports.uploads import upload_dir

        return upload_dir() / self.stored_name if self.stored_name else None
