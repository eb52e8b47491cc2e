"""Annex 2 卓越工程师引进补助申报表: a third party's claim for the hires it introduced to one employer.

The money rules are the database's as well as the services': each line's amount lies between 0 and the cap
recorded on it; a hire is on at most one live line (a partial unique index); the re-reviewer is not the first
reviewer (a check constraint).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal import limits
from portal.identity import mask_id_number
from portal.limits import AMOUNT
from portal.models import TimeStampedModel
from portal.security.crypto import EncryptedCharField, KeyedDigestField
from portal.security.files import EncryptedFileField
from subsidies.constants import AttachmentKind, ClaimAction, ClaimStatus


class Claim(TimeStampedModel):
    reference = models.CharField(_("申报编号"), max_length=32, unique=True)
    verification_code = models.CharField(_("核验码"), max_length=16, unique=True)
    third_party = models.ForeignKey(
        "portal.ThirdParty", verbose_name=_("荐才机构/个人"), on_delete=models.PROTECT, related_name="claims"
    )
    employer = models.ForeignKey(
        "portal.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="claims"
    )
    employer_contact = models.CharField(_("用人单位联系人"), max_length=limits.EMPLOYER_CONTACT.max_length)
    employer_phone = models.CharField(_("用人单位联系电话"), max_length=limits.EMPLOYER_PHONE.max_length)
    # The payee as it was when the claim was submitted: later edits of the account do not move approved money.
    payee_name = models.CharField(_("收款人"), max_length=128, blank=True)
    payee_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=128, blank=True)
    bank_account = EncryptedCharField(
        _("银行账号"), max_length=40, blank=True
    )  # encrypted at rest (portal.security.crypto)
    # The three declarations of Annex 2.
    declares_introduced = models.BooleanField(_("已向用人单位推荐引进卓越工程师且人员已到岗"), default=False)
    declares_good_credit = models.BooleanField(_("无不良信用记录"), default=False)
    declares_truthful = models.BooleanField(_("申报材料真实有效并承担法律责任"), default=False)

    status = models.CharField(_("状态"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    #: When the claim arrived where it waits now: queues sort by it, the progress view counts from it.
    status_since = models.DateTimeField(_("到达当前环节时间"))
    submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    requested_total = models.DecimalField(
        _("申请金额合计（元）"), default=Decimal(0), max_digits=AMOUNT.max_digits, decimal_places=AMOUNT.decimal_places
    )
    approved_total = models.DecimalField(
        _("核定金额合计（元）"),
        null=True,
        blank=True,
        max_digits=AMOUNT.max_digits,
        decimal_places=AMOUNT.decimal_places,
    )

    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初审人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_opinion = models.TextField(_("初审意见"), blank=True)
    first_reviewed_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_opinion = models.TextField(_("复核意见"), blank=True)
    second_reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=64, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="+"
    )
    #: When the retention period passed and the payee's data was anonymised (portal.retention); amounts remain.
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("引才补助申报")
        verbose_name_plural = _("引才补助申报")
        indexes = [
            models.Index(fields=["status", "status_since"], name="claim_queue"),
            models.Index(fields=["third_party", "status"], name="claim_third_party_status"),
        ]
        constraints = [
            # Separation of duties: the re-reviewer is never the first reviewer.
            models.CheckConstraint(
                name="claim_reviewers_differ",
                condition=Q(first_reviewer__isnull=True)
                | Q(second_reviewer__isnull=True)
                | ~Q(first_reviewer=F("second_reviewer")),
            ),
            models.CheckConstraint(
                name="claim_submitted_is_declared",
                condition=Q(status__in=[ClaimStatus.DRAFT, ClaimStatus.WITHDRAWN])
                | Q(declares_introduced=True, declares_good_credit=True, declares_truthful=True),
            ),
            models.CheckConstraint(
                name="claim_approved_within_requested",
                condition=Q(approved_total__isnull=True)
                | Q(approved_total__gte=0, approved_total__lte=F("requested_total")),
            ),
            models.CheckConstraint(
                name="claim_paid_is_recorded",
                condition=~Q(status=ClaimStatus.PAID) | (Q(paid_on__isnull=False) & ~Q(payment_reference="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}（{self.get_status_display()}）"


class ClaimItem(models.Model):
    """One hire on a claim, with the amount asked and, after re-review, the amount approved."""

    claim = models.ForeignKey(Claim, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="items")
    hire = models.ForeignKey(
        "referrals.Hire", verbose_name=_("引进人才"), on_delete=models.PROTECT, related_name="claim_items"
    )
    #: Mirrors ``claim.status in LIVE_STATUSES`` (kept by the services) so the database can index it.
    live = models.BooleanField(_("有效"), default=True)
    cap = models.DecimalField(_("补助上限（元）"), max_digits=AMOUNT.max_digits, decimal_places=AMOUNT.decimal_places)
    requested_amount = models.DecimalField(
        _("申请金额（元）"), max_digits=AMOUNT.max_digits, decimal_places=AMOUNT.decimal_places
    )
    approved_amount = models.DecimalField(
        _("核定金额（元）"), null=True, blank=True, max_digits=AMOUNT.max_digits, decimal_places=AMOUNT.decimal_places
    )
    # Once per person (docs/subsidies.md, "Once per person"): the keyed digest of the hire's ID number, copied when
    # the line is written (NULL once the person is anonymised, or on lines that predate the rule and repeat a person),
    # and the bureau's exception that lets this line be the person's second subsidy.
    person_digest = models.CharField(  # noqa: DJ001  (NULL, not "", is outside the unique index)
        _("身份证号码摘要"), max_length=64, null=True, blank=True, editable=False
    )
    person_exception = models.ForeignKey(
        "subsidies.PersonException",
        verbose_name=_("再次补助例外"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("申报人员")
        verbose_name_plural = _("申报人员")
        constraints = [
            # A hire is subsidised at most once, ever: one live line per hire, decided by the database under
            # concurrent submissions (not a check-then-write).
            models.UniqueConstraint(fields=["hire"], condition=Q(live=True), name="claim_item_one_live_per_hire"),
            models.UniqueConstraint(fields=["claim", "hire"], name="claim_item_unique_in_claim"),
            # A person is subsidised once, under any hire: one live line per person without an exception, and each
            # of the bureau's exceptions used by one live line (decided by the database, as for the hire).
            models.UniqueConstraint(
                fields=["person_digest"],
                condition=Q(live=True, person_exception__isnull=True, person_digest__isnull=False),
                name="claim_item_one_live_per_person",
            ),
            models.UniqueConstraint(
                fields=["person_exception"],
                condition=Q(live=True, person_exception__isnull=False),
                name="claim_item_one_live_per_exception",
            ),
            models.CheckConstraint(
                name="claim_item_requested_within_cap",
                condition=Q(requested_amount__gt=0, requested_amount__lte=F("cap")),
            ),
            models.CheckConstraint(
                name="claim_item_approved_within_requested",
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gte=0, approved_amount__lte=F("requested_amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim.reference} · {self.hire_id}"


def _attachment_path(instance: ClaimAttachment, filename: str) -> str:
    # Never the uploader's file name on disk: a random name under the claim, outside the web root (MEDIA_ROOT).
    return f"claims/{instance.claim_id}/{instance.stored_name}"


class ClaimAttachment(models.Model):
    """A signed and stamped scan (PDF/JPG/PNG), checked by content, stored outside the web root and encrypted whole
    (it shows ID numbers and a bank account): ``size`` and ``sha256`` are those of the scan as uploaded."""

    claim = models.ForeignKey(Claim, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("材料类别"), max_length=16, choices=AttachmentKind.choices)
    stored_name = models.CharField(_("存储文件名"), max_length=64, editable=False)
    file = EncryptedFileField(_("文件"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256校验值"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class ClaimEvent(models.Model):
    """Each step of a claim with who took it and the written opinion: the history the claimant and reviewers see."""

    claim = models.ForeignKey(Claim, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=ClaimAction.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ClaimStatus.choices)
    opinion = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("申报办理记录")
        verbose_name_plural = _("申报办理记录")

    def __str__(self) -> str:
        return f"{self.claim.reference} {self.get_action_display()}"


class PersonException(TimeStampedModel):
    """再次补助例外: the bureau lets a person bring a referral subsidy once more (docs/subsidies.md, "Once per
    person"). Each exception allows one more live claim line for the person, whatever the hire."""

    # Encrypted at rest like the hire's; found through its keyed digest, the one the claim lines carry.
    id_number = EncryptedCharField(_("身份证号码"), max_length=18)
    id_number_digest = KeyedDigestField(_("身份证号码摘要"), source="id_number", db_index=True)
    name = models.CharField(_("姓名"), max_length=limits.PERSON_NAME.max_length)
    reason = models.TextField(_("例外原因"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("再次补助例外")
        verbose_name_plural = _("再次补助例外")

    def __str__(self) -> str:
        return f"{self.name}（{mask_id_number(self.id_number)}）" if self.id_number else self.name
