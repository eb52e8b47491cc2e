"""Admin-entered calendar data that completes China's official arrangement (docs/calendar.md, "Working days").

The `holidays` package carries the State Council's arrangement (holidays and adjusted working weekends)
for the years it knows. A year it does not know yet becomes usable only once an admin records it as a
``CalendarYear``, with the notice it follows and its days as ``WorkingDayOverride`` rows. Overrides
also correct a single day in a known year (e.g. a local closure).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice_reference = models.CharField(
        _("依据文件"), max_length=200, help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知")
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class WorkingDayOverride(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        kind = _("上班") if self.is_working_day else _("休息")
        return f"{self.date} {kind}（{self.reason}）"
