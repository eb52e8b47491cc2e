"""Effective-dated policy figures: subsidy caps per channel and annual targets per programme (docs/subsidies.md, "Caps").

Each figure says where it comes from (docs/figures.md, "Where the caps and targets come from"): a document
(``FigureSource.DOCUMENT`` with its reference) or the admin (``FigureSource.ADMIN``), and who entered it last. The
pages show that beside the figure (``source_note``), so nobody reads an admin's entry as policy."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.constants import Channel, FigureSource, Programme
from portal.dates import prose_date
from portal.errors import PortalError


class EnteredFigure(models.Model):
    """Who entered an admin-kept figure and when: set by the admin on each save (``portal.admin``); empty for the
    reference data loaded with the portal (``fixtures/caps_targets.json``)."""

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def entered_by_label(self) -> str:
        return str(self.entered_by) if self.entered_by_id else str(_("平台初始数据"))


def _document_cited(source: str, reference: str) -> str:
    """``依据X`` for a figure a document gives; for the admin's own figure, whatever reference it noted, said so."""
    if source == FigureSource.DOCUMENT:
        return f"依据{reference}"
    if reference:
        return f"系统管理员录入，注明依据{reference}"
    return "系统管理员录入，无文件依据"


class SubsidyCapQuerySet(models.QuerySet["SubsidyCap"]):
    def in_force_on(self, day: datetime.date) -> SubsidyCapQuerySet:
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day)


class SubsidyCap(EnteredFigure):
    """The most a third party may be paid per hire of a channel, between two dates (inclusive).

    The amount and the dates each have their source: the documents give the amounts (渝人社发〔2022〕50号) but no
    date from which they apply, so the dates of the seeded caps are the admin's."""

    channel = models.CharField(_("渠道"), max_length=32, choices=Channel.choices)
    amount = models.DecimalField(
        _("上限金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    source = models.CharField(_("金额来源"), max_length=16, choices=FigureSource.choices, default=FigureSource.ADMIN)
    policy_reference = models.CharField(
        _("金额文件依据"), max_length=128, blank=True, help_text=_("给出该金额的文件文号，如渝人社发〔2022〕50号。")
    )
    dates_source = models.CharField(
        _("生效日期来源"), max_length=16, choices=FigureSource.choices, default=FigureSource.ADMIN
    )
    dates_reference = models.CharField(
        _("生效日期文件依据"),
        max_length=128,
        blank=True,
        help_text=_("给出生效、失效日期的文件文号；文件未规定的留空。"),
    )

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
            # A figure said to come from a document names the document.
            models.CheckConstraint(
                name="subsidy_cap_document_named",
                condition=~Q(source=FigureSource.DOCUMENT) | ~Q(policy_reference=""),
            ),
            models.CheckConstraint(
                name="subsidy_cap_dates_document_named",
                condition=~Q(dates_source=FigureSource.DOCUMENT) | ~Q(dates_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.amount}元（{self.effective_from}起）"

    @property
    def source_note(self) -> str:
        """Where the amount and the dates come from: ``依据渝人社发〔2022〕50号；生效日期由系统管理员录入``."""
        if self.dates_source == FigureSource.DOCUMENT:
            dates = f"生效日期依据{self.dates_reference}"
        else:
            dates = "生效日期由系统管理员录入"
        return f"{_document_cited(self.source, self.policy_reference)}；{dates}"

    @property
    def label(self) -> str:
        """``上限30,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）``: the cap as the pages state it."""
        return f"上限{self.amount:,.0f}元/人（{self.source_note}）"

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


class AnnualTarget(EnteredFigure):
    """The year's target number of engineers per programme. The 2023 notice gives 启航 about 1,000 (1000名左右) and
    海聚 200 a year; the other years' targets are the admin's."""

    programme = models.CharField(_("专项"), max_length=16, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    target = models.PositiveIntegerField(_("目标人数"))
    approximate = models.BooleanField(_("约数（左右）"), default=False, help_text=_("文件写作“××名左右”的勾选。"))
    source = models.CharField(_("来源"), max_length=16, choices=FigureSource.choices, default=FigureSource.ADMIN)
    policy_reference = models.CharField(_("文件依据"), max_length=128, blank=True)

    class Meta:
        ordering = ["-year", "programme"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="annual_target_unique"),
            models.CheckConstraint(
                name="annual_target_document_named",
                condition=~Q(source=FigureSource.DOCUMENT) | ~Q(policy_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_programme_display()} {self.target}人"

    @property
    def figure(self) -> str:
        """``1,000人左右``, ``200人``."""
        return f"{self.target:,}人{'左右' if self.approximate else ''}"

    @property
    def source_note(self) -> str:
        """``依据渝人社人才〔2023〕18号`` or ``系统管理员录入，无文件依据``."""
        return _document_cited(self.source, self.policy_reference)

    @property
    def label(self) -> str:
        """``目标1,000人左右（依据渝人社人才〔2023〕18号）``: the target as the pages state it."""
        return f"目标{self.figure}（{self.source_note}）"
