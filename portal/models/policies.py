"""The public policy guide (docs/forms.md, "Policy guide"): support policies in categories, each with its agency and phone."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyCategory(models.Model):
    name = models.CharField(_("类别"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("政策类别")
        verbose_name_plural = _("政策类别")

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    category = models.ForeignKey(
        PolicyCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="policies"
    )
    content = models.TextField(_("主要内容"))
    agency = models.TextField(_("经办机构"))
    phone = models.TextField(_("咨询电话"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("支持政策")
        verbose_name_plural = _("支持政策")

    def __str__(self) -> str:
        return f"{self.number}. {self.content[:30]}"
