"""Annex 4: talent bases (卓越工程师人才基地), employers flagged by batch and year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseBatchManager(models.Manager["BaseBatch"]):
    def get_by_natural_key(self, year: int, number: int) -> BaseBatch:
        return self.get(year=year, number=number)


class BaseBatch(models.Model):
    """A published batch of bases, e.g. 2023年第一批 (渝人社人才〔2023〕18号 附件4)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("批次"))
    title = models.CharField(_("名称"), max_length=128)
    notice_reference = models.CharField(_("发布文件"), max_length=128, blank=True)

    objects = BaseBatchManager()

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("基地批次")
        verbose_name_plural = _("基地批次")
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="base_batch_unique")]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[int, int]:
        return (self.year, self.number)


class TalentBase(models.Model):
    batch = models.ForeignKey(BaseBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="bases")
    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="talent_bases"
    )
    number = models.PositiveSmallIntegerField(_("序号"))

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("人才基地")
        verbose_name_plural = _("人才基地")
        constraints = [
            models.UniqueConstraint(fields=["batch", "employer"], name="talent_base_unique_employer"),
            models.UniqueConstraint(fields=["batch", "number"], name="talent_base_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.batch}：{self.employer}"
