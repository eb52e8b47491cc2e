"""Annex 3 用人单位引进人才确认表: the people who arrived, their publicity and the objections to it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import limits
from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education, Programme
from portal.contacts import TALENT_CENTRE
from portal.identity import mask_id_number
from portal.models import TimeStampedModel
from portal.security.crypto import EncryptedCharField, KeyedDigestField
from referrals.constants import (
    DeclarationStatus,
    EmployerConfirmation,
    EmploymentMode,
    HireStatus,
    ObjectionStatus,
)


class PublicityNotice(TimeStampedModel):
    """A district's 公示: a list of audited hires shown to the public for 5 working days. A notice without a district
    is the talent centre's, for hires at employers (bases) that have no district yet."""

    district = models.ForeignKey(
        "portal.District", verbose_name=_("区县"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("公示编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=limits.NOTICE_TITLE.max_length)
    published_on = models.DateField(_("公示开始日期"))
    closes_at = models.DateTimeField(_("公示截止时间"), help_text=_("第5个工作日结束时（北京时间）"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_processed_at = models.DateTimeField(_("期满处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        constraints = [
            # The public picks a district's notice by its title (services.notice_publish refuses a repeat first).
            models.UniqueConstraint(fields=["district", "title"], name="notice_title_unique_in_district"),
            models.UniqueConstraint(
                fields=["title"], condition=Q(district__isnull=True), name="notice_title_unique_at_talent_centre"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def office_name(self) -> str:
        """Who publishes it: the district's name, or the talent centre's for a notice without a district."""
        return self.district.name if self.district is not None else TALENT_CENTRE

    @property
    def last_day(self) -> datetime.date:
        """The 5th working day: the publicity closes at its end."""
        return timezone.localtime(self.closes_at - datetime.timedelta(microseconds=1)).date()


class HireReport(TimeStampedModel):
    """A district's 旬 report to the city (每旬上报): the hires confirmed since its last report.

    Due by the end of the 旬 (``TenDayPeriod.closes_at``); one sent later is accepted and shown as late. A report
    with no hire is a zero report. A district with no report for a closed 旬 has not reported (未报送)."""

    district = models.ForeignKey("portal.District", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("旬"), max_length=10, db_index=True)
    sent_at = models.DateTimeField(_("报送时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    is_late = models.BooleanField(_("逾期报送"), default=False)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-period", "district__order"]
        verbose_name = _("入职结果旬报")
        verbose_name_plural = _("入职结果旬报")
        constraints = [
            models.UniqueConstraint(fields=["district", "period"], name="hire_report_one_per_district_period"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.ten_day_period.label}入职结果"

    @property
    def ten_day_period(self) -> TenDayPeriod:
        return TenDayPeriod.parse(self.period)


class Annex3Person(TimeStampedModel):
    """The person's fields of Annex 3 (用人单位引进人才确认表), as a district records a hire and a third party declares one."""

    # Required.
    name = models.CharField(_("姓名"), max_length=limits.PERSON_NAME.max_length)
    # Encrypted at rest (portal.security.crypto); compared and looked up through its keyed digest, which is NULL once the
    # person's data has been anonymised (portal.retention), so the uniqueness rules no longer count them.
    id_number = EncryptedCharField(_("身份证号码"), max_length=18)
    id_number_digest = KeyedDigestField(_("身份证号码摘要"), source="id_number")
    mode = models.CharField(_("引进方式"), max_length=16, choices=EmploymentMode.choices)
    contract_term = models.CharField(_("劳动合同期限"), max_length=limits.CONTRACT_TERM.max_length)
    # Optional.
    school = models.CharField(_("毕业院校"), max_length=limits.SCHOOL.max_length, blank=True)
    major = models.CharField(_("专业"), max_length=limits.MAJOR.max_length, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    # An eligibility fact (docs/workflows.md, "Which programme"): 启航 needs a graduation date in the 应届 window.
    graduated_on = models.DateField(_("毕业时间"), null=True, blank=True)
    title_rank = models.CharField(_("职称职级"), max_length=limits.TITLE_RANK.max_length, blank=True)
    skill_level = models.CharField(_("技能等级"), max_length=limits.SKILL_LEVEL.max_length, blank=True)
    arrived_on = models.DateField(_("入职时间"), null=True, blank=True)
    work_experience = models.TextField(_("工作经历（海聚）"), blank=True)
    other_conditions = models.TextField(_("其他符合的相关条件"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # An anonymised person has no number left to show.
        return f"{self.name}（{self.id_number_masked}）" if self.id_number else self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class Hire(Annex3Person):
    """One row of Annex 3: a person who actually arrived (实际到岗) at a post."""

    #: The post on the portal's lists the person arrived at; empty for a post a third party declared that is not
    #: in the portal (a base's own post, say). The employer, channel and post name are the hire's own either way.
    position = models.ForeignKey(
        "positions.Position",
        verbose_name=_("岗位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hires",
    )
    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="hires"
    )
    channel = models.CharField(_("渠道"), max_length=32, choices=Channel.choices)
    post_name = models.CharField(_("岗位名称"), max_length=limits.POSITION_NAME.max_length)
    #: The office that audits and publicises the hire: the employer's district; empty where the employer (a base)
    #: has no district yet, and the talent centre does it.
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("区县"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hires",
    )
    third_party = models.ForeignKey(
        "portal.ThirdParty",
        verbose_name=_("荐才第三方"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hires",
    )
    programme = models.CharField(_("专项"), max_length=16, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("专项年度"))

    status = models.CharField(_("状态"), max_length=16, choices=HireStatus.choices, default=HireStatus.RECORDED)
    return_reason = models.TextField(_("退回原因"), blank=True)
    # A hire exempt from publicity (按规定不公示的除外) is confirmed directly, under an exemption rule (``exemption_rule``,
    # below) with an optional note; hires exempted before the rules existed keep their free text here, with no rule.
    exemption_note = models.TextField(_("不公示说明"), blank=True)
    notice = models.ForeignKey(
        PublicityNotice, verbose_name=_("公示"), on_delete=models.PROTECT, null=True, blank=True, related_name="hires"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    report = models.ForeignKey(
        HireReport, verbose_name=_("旬报"), on_delete=models.PROTECT, null=True, blank=True, related_name="hires"
    )
    # Annex 3 确认 by the employer, needed only for a hire a third party introduced.
    employer_confirmation = models.CharField(
        _("单位确认"), max_length=16, choices=EmployerConfirmation.choices, default=EmployerConfirmation.NOT_NEEDED
    )
    employer_confirmed_at = models.DateTimeField(_("单位确认时间"), null=True, blank=True)
    employer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("单位确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer_decline_reason = models.TextField(_("不予确认原因"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    #: Who last corrected the hire (``referrals.services.hire_update``): at the talent centre, neither the recorder nor
    #: this officer audits it (``referrals.workflow.not_its_recorder``).
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: When the retention period passed and the person's data was anonymised (portal.retention); figures remain.
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)
    exemption_rule = models.ForeignKey(
        "referrals.PublicityExemptionRule",
        verbose_name=_("不公示规则"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hires",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("引进人才")
        verbose_name_plural = _("引进人才")
        indexes = [
            models.Index(fields=["district", "status"], name="hire_district_status"),
            models.Index(fields=["third_party", "status"], name="hire_third_party_status"),
        ]
        constraints = [
            # The same person is introduced once per programme and year, whichever district records them.
            models.UniqueConstraint(
                fields=["id_number_digest", "programme", "year"], name="hire_unique_person_per_programme_year"
            ),
            models.CheckConstraint(
                name="hire_reported_is_confirmed",
                condition=Q(report__isnull=True) | Q(status=HireStatus.CONFIRMED),
            ),
            models.CheckConstraint(
                name="hire_employer_confirmation_needs_third_party",
                condition=Q(third_party__isnull=True, employer_confirmation=EmployerConfirmation.NOT_NEEDED)
                | (Q(third_party__isnull=False) & ~Q(employer_confirmation=EmployerConfirmation.NOT_NEEDED)),
            ),
            models.CheckConstraint(
                name="hire_publicity_has_notice",
                condition=~Q(status=HireStatus.IN_PUBLICITY) | Q(notice__isnull=False),
            ),
        ]

    @property
    def office_name(self) -> str:
        """Who audits and publicises it: the district's name, or the talent centre's for a hire without a district."""
        return self.district.name if self.district is not None else TALENT_CENTRE

    @property
    def is_exempt(self) -> bool:
        """Confirmed without publicity (按规定不公示): under a rule, or (before the rules) on a written reason."""
        return self.notice_id is None and (self.exemption_rule_id is not None or bool(self.exemption_note))

    @property
    def exemption_label(self) -> str:
        """What the pages show after 按规定不公示：the rule's name and the note, or the old free text alone."""
        rule = self.exemption_rule.name if self.exemption_rule_id is not None and self.exemption_rule else ""
        return "；".join(part for part in (rule, self.exemption_note) if part)


class Objection(TimeStampedModel):
    """异议 lodged by a member of the public against a named hire during its publicity."""

    hire = models.ForeignKey(Hire, verbose_name=_("被异议人员"), on_delete=models.PROTECT, related_name="objections")
    receipt = models.CharField(_("回执编号"), max_length=32, unique=True)
    name = models.CharField(_("异议人姓名"), max_length=limits.OBJECTOR_NAME.max_length)
    phone = models.CharField(_("联系电话"), max_length=limits.PHONE.max_length)
    statement = models.TextField(_("异议内容"))
    status = models.CharField(_("状态"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [
            models.CheckConstraint(
                name="objection_resolved_has_reason",
                condition=Q(status=ObjectionStatus.OPEN) | (~Q(resolution="") & Q(resolved_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt}（{self.get_status_display()}）"


class Declaration(TimeStampedModel):
    """申报: a third party says it introduced these people to this employer's post (附件2、3 as the notice has the
    third party fill them). The employer answers per person (``DeclaredPerson``); a confirmed person becomes, or is
    attached to, the ``Hire`` its district audits (docs/workflows.md, "Declarations by third parties")."""

    third_party = models.ForeignKey(
        "portal.ThirdParty", verbose_name=_("申报第三方"), on_delete=models.PROTECT, related_name="declarations"
    )
    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="declarations"
    )
    #: One of the employer's posts on the portal's lists, or empty for a post not in the portal (its name and channel
    #: are then the declaration's own).
    position = models.ForeignKey(
        "positions.Position",
        verbose_name=_("岗位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
    )
    channel = models.CharField(_("渠道"), max_length=32, choices=Channel.choices)
    post_name = models.CharField(_("岗位名称"), max_length=limits.POSITION_NAME.max_length)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("申报时间"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("第三方推荐申报")
        verbose_name_plural = _("第三方推荐申报")

    def __str__(self) -> str:
        return f"{self.third_party} → {self.employer} · {self.post_name}"


class DeclaredPerson(Annex3Person):
    """One person of a declaration, with the Annex 3 fields, and the employer's answer.

    The employer and third party are copied from the declaration so that the database itself can hold the two rules
    of competing declarations (a constraint cannot reach through a foreign key): at most one confirmed declaration of a
    person at an employer, and one held (pending or confirmed) declaration per third party, person and employer."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("申报"), on_delete=models.PROTECT, related_name="people"
    )
    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="+"
    )
    third_party = models.ForeignKey(
        "portal.ThirdParty", verbose_name=_("申报第三方"), on_delete=models.PROTECT, related_name="+"
    )
    # The programme may be left to the post (or the audit) to say.
    programme = models.CharField(_("专项"), max_length=16, choices=Programme.choices, blank=True)

    status = models.CharField(
        _("状态"), max_length=16, choices=DeclarationStatus.choices, default=DeclarationStatus.PENDING
    )
    decline_reason = models.TextField(_("不予确认原因"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    #: The hire the confirmation created, or the district's own record it attached the third party to.
    hire = models.ForeignKey(
        Hire,
        verbose_name=_("引进人才记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declared_people",
    )
    #: When retention emptied the person's data (``referrals.retention``): with its hire, or on its own when never
    #: confirmed.
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["declaration", "pk"]
        verbose_name = _("申报人员")
        verbose_name_plural = _("申报人员")
        indexes = [
            models.Index(fields=["employer", "status"], name="declared_person_employer"),
            models.Index(fields=["id_number_digest", "employer"], name="declared_person_same_person"),
        ]
        constraints = [
            # Two employers' accounts clicking at once: the second confirmation of the same person fails here.
            models.UniqueConstraint(
                fields=["id_number_digest", "employer"],
                condition=Q(status=DeclarationStatus.CONFIRMED),
                name="declared_person_one_confirmed_per_employer",
            ),
            # A double click or a resubmitted sheet: the same third party holds one declaration of a person there.
            models.UniqueConstraint(
                fields=["id_number_digest", "employer", "third_party"],
                condition=Q(status__in=[DeclarationStatus.PENDING, DeclarationStatus.CONFIRMED]),
                name="declared_person_held_once_per_third_party",
            ),
            models.CheckConstraint(
                name="declared_person_declined_has_reason",
                condition=~Q(status=DeclarationStatus.DECLINED) | ~Q(decline_reason=""),
            ),
            models.CheckConstraint(
                name="declared_person_confirmed_has_hire",
                condition=~Q(status=DeclarationStatus.CONFIRMED) | Q(hire__isnull=False),
            ),
        ]


class GraduateWindow(TimeStampedModel):
    """Which graduates count as 应届毕业生 for 启航, from a programme year on: those who graduated between 1 January
    ``years_before`` years before the hire's year and 31 December of the hire's year (docs/workflows.md, "Which
    programme"). The rule in force for a year is the one with the latest ``from_year`` not after it."""

    from_year = models.PositiveSmallIntegerField(
        _("起始专项年度"), unique=True, help_text=_("自该专项年度起适用，直至下一条规则的起始年度。")
    )
    years_before = models.PositiveSmallIntegerField(
        _("可追溯年数"),
        default=1,
        validators=[MaxValueValidator(5)],
        help_text=_("毕业时间在专项年度前N年1月1日至专项年度12月31日之间的，认定为应届毕业生。1即当年或上一年毕业。"),
    )
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["-from_year"]
        verbose_name = _("应届毕业生认定规则")
        verbose_name_plural = _("应届毕业生认定规则")

    def __str__(self) -> str:
        return f"{self.from_year}年起：毕业{self.years_before}年内"


class PublicityExemptionRule(TimeStampedModel):
    """A rule under which a hire is confirmed without publicity (按规定不公示), kept by the admin."""

    name = models.CharField(_("规则名称"), max_length=100, unique=True)
    basis = models.CharField(_("文件依据"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("不公示规则")
        verbose_name_plural = _("不公示规则")

    def __str__(self) -> str:
        return self.name
