"""The city's 旬 roll-up of every district's figures (docs/workflows.md, "Roll-ups and the evaluation"): stored, revisioned, never half-written."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RollUp(models.Model):
    """One revision of the figures of one 旬. Re-running with unchanged data changes nothing; changed data adds a
    revision and keeps the old one (``is_current`` marks the newest; a partial unique index allows one)."""

    period = models.CharField(_("旬"), max_length=10)
    revision = models.PositiveIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("当前版本"), default=True)
    figures = models.JSONField(_("数据"))
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    computed_at = models.DateTimeField(_("汇总时间"), auto_now_add=True)

    class Meta:
        db_table = "portal_rollup"  # created by the core before the roll-ups became their own app
        ordering = ["-period", "-revision"]
        verbose_name = _("旬汇总")
        verbose_name_plural = _("旬汇总")
        constraints = [
            models.UniqueConstraint(fields=["period", "revision"], name="rollup_unique_revision"),
            models.UniqueConstraint(fields=["period"], condition=Q(is_current=True), name="rollup_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.period} 第{self.revision}版"
