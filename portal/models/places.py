"""Who submits and who is served: the 41 submitting units, employers and third parties."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import limits
from portal.constants import DistrictKind, ThirdPartyKind, ThirdPartyStatus
from portal.identity import (
    mask_bank_account,
    mask_id_number,
    validate_bank_account,
    validate_id_number,
    validate_phone,
    validate_uscc,
)
from portal.models.base import TimeStampedModel
from portal.security.crypto import EncryptedCharField, KeyedDigestField


class DistrictManager(models.Manager["District"]):
    def get_by_natural_key(self, code: str) -> District:
        return self.get(code=code)


class District(models.Model):
    """A submitting unit (区县): 38 divisions with a GB/T 2260 code plus 3 management zones (docs/forms.md, "Districts")."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=DistrictKind.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Where the public sends an objection to a publicity notice by phone or letter. Kept by an admin; the reference
    # fixtures leave them blank, and a blank phone means the notice gives the city's contacts instead
    # (portal.contacts.objection_contacts).
    office_name = models.CharField(
        _("受理部门"),
        max_length=64,
        blank=True,
        help_text=_("签发公示、受理异议的部门全称；不填则为“××区（县）人力资源和社会保障局”。"),
    )
    objection_phone = models.CharField(
        _("异议受理电话"),
        max_length=64,
        blank=True,
        help_text=_(
            "如 023-12345678；多个号码用顿号分隔。不填则公示中列出市人力社保局流动处和市人才交流服务中心的电话。"
        ),
    )
    objection_address = models.CharField(
        _("来信地址"), max_length=128, blank=True, help_text=_("受理书面异议的通讯地址（含邮政编码）。")
    )

    objects = DistrictManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("区县")
        verbose_name_plural = _("区县")

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class EmployerManager(models.Manager["Employer"]):
    def get_by_natural_key(self, name: str) -> Employer:
        return self.get(name=name)


class Employer(TimeStampedModel):
    """用人单位. The credit code may be unknown for employers named only in a notice (e.g. Annex 4's bases)."""

    name = models.CharField(_("单位名称"), max_length=limits.EMPLOYER_NAME.max_length, unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True, validators=[validate_uscc]
    )
    district = models.ForeignKey(
        District, verbose_name=_("所在区县"), on_delete=models.PROTECT, null=True, blank=True, related_name="employers"
    )
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])

    objects = EmployerManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class ThirdParty(TimeStampedModel):
    """第三方: an agency, a social organisation or an individual that introduces talent and claims subsidies."""

    kind = models.CharField(_("类别"), max_length=20, choices=ThirdPartyKind.choices)
    name = models.CharField(_("名称/姓名"), max_length=limits.THIRD_PARTY_NAME.max_length)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True, validators=[validate_uscc]
    )
    # Encrypted at rest (portal.security.crypto); unique and looked up through its keyed digest.
    id_number = EncryptedCharField(
        _("身份证号码"), max_length=18, null=True, blank=True, validators=[validate_id_number]
    )
    id_number_digest = KeyedDigestField(_("身份证号码摘要"), source="id_number", unique=True)
    contact_name = models.CharField(_("联系人"), max_length=limits.CONTACT_NAME.max_length, blank=True)
    phone = models.CharField(_("联系电话"), max_length=limits.PHONE.max_length, validators=[validate_phone])
    bank_name = models.CharField(_("开户银行"), max_length=limits.BANK_NAME.max_length)
    bank_account = EncryptedCharField(_("银行账号"), max_length=32, validators=[validate_bank_account])
    #: Moved only by ``portal.registration.verification`` (a table of moves): 待核验 → 已核验, or → 退回补正 → (corrected) 待核验.
    status = models.CharField(
        _("核验状态"), max_length=16, choices=ThirdPartyStatus.choices, default=ThirdPartyStatus.PENDING
    )
    #: When the registration reached its current state: the talent centre's queue is oldest first by it.
    status_since = models.DateTimeField(_("到达当前状态时间"), default=timezone.now)
    return_reason = models.TextField(_("退回补正原因"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    #: Set when an individual's personal data was anonymised past the retention period (``portal.retention``).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("第三方荐才机构/个人")
        verbose_name_plural = _("第三方荐才机构/个人")
        constraints = [
            # An organisation is identified by its credit code, an individual by an ID number: exactly one.
            models.CheckConstraint(
                name="third_party_identity_matches_kind",
                condition=(
                    Q(kind=ThirdPartyKind.INDIVIDUAL, id_number__isnull=False, credit_code__isnull=True)
                    | (
                        Q(kind__in=[ThirdPartyKind.AGENCY, ThirdPartyKind.SOCIAL_ORGANISATION])
                        & Q(credit_code__isnull=False, id_number__isnull=True)
                    )
                ),
            ),
            # Verified exactly when the verification is recorded; a return always says why.
            models.CheckConstraint(
                name="third_party_verified_is_recorded",
                condition=Q(status=ThirdPartyStatus.VERIFIED, verified_at__isnull=False)
                | (~Q(status=ThirdPartyStatus.VERIFIED) & Q(verified_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="third_party_returned_has_reason",
                condition=~Q(status=ThirdPartyStatus.RETURNED) | ~Q(return_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["status", "status_since"], name="third_party_queue")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == ThirdPartyStatus.VERIFIED

    @property
    def identity_number(self) -> str:
        return self.credit_code or self.id_number or ""

    @property
    def identity_number_masked(self) -> str:
        # Credit codes are public registry data; an individual's ID number is personal data.
        return self.credit_code or mask_id_number(self.id_number or "")

    @property
    def bank_account_masked(self) -> str:
        return mask_bank_account(self.bank_account)
