"""Annex 1 卓越工程师岗位表: posts and the district's 旬 batches that carry them to the city."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal import limits
from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.models import TimeStampedModel
from positions.constants import BatchStatus, CloseReason, PositionSource, PositionStatus, ProposalStatus


class PositionBatch(TimeStampedModel):
    """A district's posts of one 旬 (按旬征集). Sent once to the talent centre, then frozen.

    A batch sent with no post is a zero report (零报告); a district with no sent batch has not reported (未报送).
    Reopening a sent batch takes a bureau reviewer and a written reason (see services).
    """

    district = models.ForeignKey("portal.District", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("旬"), max_length=10, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    is_zero_report = models.BooleanField(_("零报告"), default=False)
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_reason = models.TextField(_("重新开放原因"), blank=True)

    class Meta:
        ordering = ["-period", "district__order"]
        verbose_name = _("岗位旬报")
        verbose_name_plural = _("岗位旬报")
        constraints = [
            models.UniqueConstraint(fields=["district", "period"], name="position_batch_one_per_district_period"),
            models.CheckConstraint(
                name="position_batch_sent_has_time",
                condition=Q(status=BatchStatus.OPEN) | Q(sent_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {TenDayPeriod.parse(self.period).label}"

    @property
    def ten_day_period(self) -> TenDayPeriod:
        return TenDayPeriod.parse(self.period)


class Position(TimeStampedModel):
    """One row of Annex 1. Columns in order: 用人单位 · 岗位名称 (under 揭榜招贤 or 引才专项) · 需求人数 · 学历要求 ·
    专业要求 · 职业能力要求 · 是否招聘应届生 · 薪资范围 · 填报来源."""

    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="positions"
    )
    channel = models.CharField(_("渠道"), max_length=32, choices=Channel.choices)
    name = models.CharField(_("岗位名称"), max_length=limits.POSITION_NAME.max_length)
    headcount = models.PositiveIntegerField(_("需求人数"), validators=[MinValueValidator(limits.HEADCOUNT.min_value)])
    education = models.CharField(_("学历要求"), max_length=16, choices=Education.choices)
    majors = models.CharField(_("专业要求"), max_length=limits.MAJORS.max_length)
    competencies = models.TextField(_("职业能力要求"), blank=True)
    recruits_graduates = models.BooleanField(_("是否招聘应届生"))
    salary_text = models.CharField(_("薪资范围"), max_length=limits.SALARY_TEXT.max_length, blank=True)
    salary_min = models.DecimalField(_("年薪下限（元）"), max_digits=12, decimal_places=0, null=True, blank=True)
    salary_max = models.DecimalField(_("年薪上限（元）"), max_digits=12, decimal_places=0, null=True, blank=True)
    # No index of their own: position_district_status and position_unique_in_batch begin with them, and serve
    # every lookup by them (each index more is written for every row an import inserts).
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("填报来源"),
        on_delete=models.PROTECT,
        related_name="positions",
        db_index=False,
    )
    batch = models.ForeignKey(
        PositionBatch, verbose_name=_("旬报"), on_delete=models.PROTECT, related_name="positions", db_index=False
    )
    status = models.CharField(_("状态"), max_length=16, choices=PositionStatus.choices, default=PositionStatus.DRAFT)
    source = models.CharField(_("来源"), max_length=16, choices=PositionSource.choices, default=PositionSource.FORM)
    return_reason = models.TextField(_("退回原因"), blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=16, choices=CloseReason.choices, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("卓越工程师岗位")
        verbose_name_plural = _("卓越工程师岗位")
        indexes = [
            models.Index(fields=["status", "channel"], name="position_public_list"),
            models.Index(fields=["district", "status"], name="position_district_status"),
        ]
        constraints = [
            # The natural key of a post: a re-imported sheet finds its rows again instead of duplicating them.
            models.UniqueConstraint(fields=["batch", "employer", "channel", "name"], name="position_unique_in_batch"),
            models.CheckConstraint(name="position_headcount_positive", condition=Q(headcount__gte=1)),
            models.CheckConstraint(
                name="position_salary_ordered",
                condition=Q(salary_min__isnull=True) | Q(salary_max__isnull=True) | Q(salary_max__gte=F("salary_min")),
            ),
            models.CheckConstraint(
                name="position_closed_has_reason",
                condition=~Q(status=PositionStatus.CLOSED) | ~Q(close_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.name}"

    @property
    def period(self) -> str:
        return self.batch.period


class PostProposal(TimeStampedModel):
    """An employer's proposal of one of its own posts to its district (向所在区县提出岗位需求): the Annex 1 fields,
    filled by the employer. The district's clerk adopts it into the district's running 旬 batch as a post (a draft
    of its own, which then travels like any other) or returns it with a reason; the employer may withdraw it while
    it waits, and correct and propose again a returned one (docs/workflows.md, "Employers' post proposals").

    ``district`` is the employer's district when it proposed (or last proposed again): the clerk who receives it.
    """

    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="post_proposals"
    )
    district = models.ForeignKey(
        "portal.District", verbose_name=_("提交区县"), on_delete=models.PROTECT, related_name="post_proposals"
    )
    channel = models.CharField(_("渠道"), max_length=32, choices=Channel.choices)
    name = models.CharField(_("岗位名称"), max_length=limits.POSITION_NAME.max_length)
    headcount = models.PositiveIntegerField(_("需求人数"), validators=[MinValueValidator(limits.HEADCOUNT.min_value)])
    education = models.CharField(_("学历要求"), max_length=16, choices=Education.choices)
    majors = models.CharField(_("专业要求"), max_length=limits.MAJORS.max_length)
    competencies = models.TextField(_("职业能力要求"), blank=True)
    recruits_graduates = models.BooleanField(_("是否招聘应届生"))
    salary_text = models.CharField(_("薪资范围"), max_length=limits.SALARY_TEXT.max_length, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    source = models.CharField(_("来源"), max_length=16, choices=PositionSource.choices, default=PositionSource.FORM)
    return_reason = models.TextField(_("退回原因"), blank=True)
    position = models.OneToOneField(
        Position,
        verbose_name=_("采纳后的岗位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("用人单位岗位需求")
        verbose_name_plural = _("用人单位岗位需求")
        indexes = [models.Index(fields=["district", "status"], name="post_proposal_district_status")]
        constraints = [
            models.CheckConstraint(name="post_proposal_headcount_positive", condition=Q(headcount__gte=1)),
            # Adopted ⇔ it became a post: the employer's list links every adopted proposal to its post.
            models.CheckConstraint(
                name="post_proposal_adopted_has_position",
                condition=Q(status=ProposalStatus.ADOPTED, position__isnull=False)
                | (~Q(status=ProposalStatus.ADOPTED) & Q(position__isnull=True)),
            ),
            # One waiting proposal per post of an employer: a double submission, or the same sheet uploaded
            # twice, cannot put the same post twice in the clerk's queue (two requests at once meet this index).
            models.UniqueConstraint(
                fields=["employer", "channel", "name"],
                condition=Q(status=ProposalStatus.PROPOSED),
                name="post_proposal_one_waiting_per_post",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.name}"

    def changes_on_adoption(self) -> list[ProposalChange]:
        """What the district changed of the proposal in the post it became (on adoption or a later correction),
        field by field, as its employer reads it; empty while the proposal is not a post."""
        post = self.position
        if post is None:
            return []
        changes = []
        for name in ANNEX1_FIELDS:
            proposed, adopted = getattr(self, name), getattr(post, name)
            if proposed != adopted:
                label = str(PostProposal._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
                changes.append(ProposalChange(label, _shown(self, name, proposed), _shown(post, name, adopted)))
        return changes


#: A post's own Annex 1 fields (its employer aside), the same on a proposal and on the post it becomes.
ANNEX1_FIELDS = (
    "name",
    "channel",
    "headcount",
    "education",
    "majors",
    "competencies",
    "recruits_graduates",
    "salary_text",
)


class ProposalChange(NamedTuple):
    label: str
    proposed: str
    adopted: str


def _shown(record: models.Model, name: str, value: object) -> str:
    """A field's value as the pages show it: a choice's label, 是/否, or the text (「（空）」 when blank)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if record._meta.get_field(name).choices:  # type: ignore[union-attr]
        return str(getattr(record, f"get_{name}_display")())
    return str(value) if value not in ("", None) else "（空）"
