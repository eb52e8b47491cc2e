"""Effective-dated policy figures: subsidy caps per channel and annual targets per programme (docs/subsidies.md, "Caps")."""

from __future__ import annotations

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.constants import Channel, Programme
from portal.dates import prose_date
from portal.errors import PortalError


class SubsidyCapQuerySet(models.QuerySet["SubsidyCap"]):
    def in_force_on(self, day: datetime.date) -> SubsidyCapQuerySet:
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day)


class SubsidyCap(models.Model):
    """The most a third party may be paid per hire of a channel, between two dates (inclusive)."""

    channel = models.CharField(_("渠道"), max_length=32, choices=Channel.choices)
    amount = models.DecimalField(
        _("上限金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    policy_reference = models.CharField(_("政策依据"), max_length=128)

    objects = SubsidyCapQuerySet.as_manager()

    class Meta:
        ordering = ["channel", "-effective_from"]
        verbose_name = _("引才补助上限")
        verbose_name_plural = _("引才补助上限")
        constraints = [
            models.UniqueConstraint(fields=["channel", "effective_from"], name="subsidy_cap_unique_start"),
            models.CheckConstraint(name="subsidy_cap_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="subsidy_cap_period_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.amount}元（{self.effective_from}起）"

    @classmethod
    def amount_on(cls, *, channel: str, day: datetime.date) -> SubsidyCap:
        """The cap in force for ``channel`` on ``day``; overlapping records are a data error, not a choice."""
        caps = list(cls.objects.in_force_on(day).filter(channel=channel)[:2])
        label = Channel(channel).label
        if not caps:
            raise PortalError(f"{prose_date(day)}没有生效的“{label}”补助上限，请管理员先维护补助上限。", "no_cap")
        if len(caps) > 1:
            raise PortalError(f"{prose_date(day)}有多条生效的“{label}”补助上限，请管理员核对。", "cap_overlap")
        return caps[0]


class AnnualTarget(models.Model):
    """The year's target number of engineers per programme (启航 about 1,000, 海聚 about 200)."""

    programme = models.CharField(_("专项"), max_length=16, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    target = models.PositiveIntegerField(_("目标人数"))
    policy_reference = models.CharField(_("政策依据"), max_length=128, blank=True)

    class Meta:
        ordering = ["-year", "programme"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="annual_target_unique")]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_programme_display()} {self.target}人"
