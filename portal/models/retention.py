"""How long people's data is kept, and the record of each anonymisation run (``portal.retention``)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Neither the notice (渝人社人才〔2023〕18号) nor the policy documents behind it set a retention period; five years
#: after the programme year ends or the claim is closed is the portal's default until the bureau sets its own in
#: the admin (docs/roles.md, "Personal data").
DEFAULT_RETENTION_YEARS = 5
_YEARS = [MinValueValidator(1), MaxValueValidator(50)]


class RetentionPolicy(models.Model):
    """The one retention setting (row 1), edited by an admin. Read it with ``RetentionPolicy.current()``."""

    hire_years = models.PositiveSmallIntegerField(
        _("引进人才个人信息保存年限"),
        default=DEFAULT_RETENTION_YEARS,
        validators=_YEARS,
        help_text=_(
            "专项年度结束后满该年数，姓名、身份证号码、工作经历等个人信息匿名化；人数、状态、学历、专业等统计信息保留。"
        ),
    )
    claim_years = models.PositiveSmallIntegerField(
        _("补助申报个人信息保存年限"),
        default=DEFAULT_RETENTION_YEARS,
        validators=_YEARS,
        help_text=_(
            "申报办结（已发放、不予支持或已撤回）后满该年数，银行账号、联系人及电话匿名化并删除扫描件；金额与状态保留。"
        ),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("个人信息保存期限")
        verbose_name_plural = _("个人信息保存期限")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="retention_policy_single_row")]

    def __str__(self) -> str:
        return f"引进人才{self.hire_years}年 · 补助申报{self.claim_years}年"

    @classmethod
    def current(cls) -> RetentionPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class AnonymisationRun(models.Model):
    """One run of ``portal.retention.anonymise_expired``: what was due under which policy and how much it did."""

    started_at = models.DateTimeField(_("开始时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    hire_years = models.PositiveSmallIntegerField(_("引进人才保存年限"))
    claim_years = models.PositiveSmallIntegerField(_("补助申报保存年限"))
    hires_up_to_year = models.PositiveSmallIntegerField(_("匿名化的专项年度（含）以前"))
    claims_closed_before = models.DateField(_("匿名化此日期前办结的申报"))
    hires = models.PositiveIntegerField(_("匿名化人员数"), default=0)
    claims = models.PositiveIntegerField(_("匿名化申报数"), default=0)
    objections = models.PositiveIntegerField(_("匿名化异议数"), default=0)
    declared_people = models.PositiveIntegerField(_("匿名化未确认申报人员数"), default=0)
    attachments = models.PositiveIntegerField(_("删除扫描件数"), default=0)
    third_parties = models.PositiveIntegerField(_("匿名化个人荐才者数"), default=0)
    messages = models.PositiveIntegerField(_("删除站内通知和邮件数"), default=0)
    import_jobs = models.PositiveIntegerField(_("删除导入记录数"), default=0)
    audit_entries = models.PositiveIntegerField(_("处理的审计记录数"), default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执行人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空表示定时任务"),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("个人信息匿名化记录")
        verbose_name_plural = _("个人信息匿名化记录")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M} 匿名化{self.hires}人、{self.claims}份申报"
