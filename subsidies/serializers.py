"""API shapes of subsidy claims (Annex 2) for their claimant and the city's reviewers.

What each viewer sees (``context["user"]``; ``context["detail"]`` is true for one claim read on its own):

- 身份证号码 of hires, and of a third party that is an individual: always masked (first 6 + ******** + last 4).
  The whole number is in no shape here.
- The payee's bank account: whole to the claimant (its own account) and, on the detail of one claim, to the talent
  centre and the bureau: the first review checks it against the signed Annex 2 and the bureau pays to it. Masked
  (****1234) in lists for everyone else: nobody checks or pays from a list.
- Phones (the employer contact's and the payee's): whole to the claimant only, masked (138****1234) for the rest.
- Each line's publicity record (notice, objections and their outcome, employer confirmation): to reviewers only.

Writes carry what the third party fills in on Annex 2; status, totals, approved amounts, reviewers, payment and
the claimant are never client input (they are not fields of the write shapes, so a body carrying them is ignored).
Amounts are yuan as strings with two decimals ("30000.00"), never floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal import limits
from portal import permissions as p
from portal.errors import PortalError
from portal.identity import mask_bank_account, mask_id_number, mask_phone
from portal.limits import parse_amount
from portal.models import Employer, User
from portal.web.api import RECORD_ID_MAX, FieldsBuiltOnce
from referrals.models import Hire, Objection, PublicityNotice
from subsidies.constants import AttachmentKind, ClaimStatus
from subsidies.models import Claim, ClaimAttachment, ClaimEvent, ClaimItem
from subsidies.services import ClaimData, ClaimLine
from subsidies.workflow import FIRST_REVIEW, MOVES, SECOND_REVIEW, claimant

is_reviewer = p.is_talent_centre | p.is_bureau_reviewer


def _viewer(context: dict[str, Any]) -> User | None:
    return context.get("user")


def _is_claimant(context: dict[str, Any], claim: Claim) -> bool:
    return bool(claimant.test(_viewer(context), claim))


def _user_name(user: User | None) -> str:
    return "" if user is None else user.display_name or user.username


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=limits.AMOUNT.max_digits,
        decimal_places=limits.AMOUNT.decimal_places,
        coerce_to_string=True,
        read_only=True,
        **kwargs,
    )


@extend_schema_field(OpenApiTypes.DECIMAL)
class AmountField(serializers.Field):
    """Yuan as the client sends it ("30000", "30000.00", 30000), parsed by the same rule as the browser's form
    (``portal.limits.parse_amount``): at most 20 characters, more than 0, at most two decimals, never float
    arithmetic."""

    default_error_messages = {"invalid": '请填写金额（元），如 "30000.00"。'}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        try:
            return parse_amount(data, label="申请金额")
        except PortalError as error:
            raise serializers.ValidationError(error.message, code=error.code) from None

    def to_representation(self, value: Decimal) -> str:
        return f"{Decimal(value):.2f}"


class ChoiceLabelField(serializers.CharField):
    """The label of a model field's choice, read-only: ``source="get_<field>_display"``, called directly. DRF's own
    ``get_attribute`` first checks that a callable source takes no arguments (``inspect.signature``, on every row)."""

    def get_attribute(self, instance: Any) -> Any:
        (method,) = self.source_attrs  # a method of the row itself
        return getattr(instance, method)()


# --- small references --------------------------------------------------------------------------------------------


class ClaimEmployerSerializer(FieldsBuiltOnce, serializers.Serializer[Employer]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="用人单位名称")


class ClaimThirdPartySerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="荐才机构/社会组织/个人名称")
    kind = serializers.CharField(read_only=True, label="类别")
    kind_display = ChoiceLabelField(source="get_kind_display", read_only=True, label="类别名称")
    identity_number_masked = serializers.CharField(
        read_only=True, label="统一社会信用代码（机构）或身份证号码（个人，脱敏）"
    )


class ClaimHireSerializer(FieldsBuiltOnce, serializers.Serializer[Hire]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="姓名")
    id_number_masked = serializers.SerializerMethodField(label="身份证号码（脱敏）")

    def get_id_number_masked(self, hire: Hire) -> str:
        return mask_id_number(hire.id_number)


class ClaimHireDetailSerializer(ClaimHireSerializer):
    position_id = serializers.IntegerField(read_only=True, label="岗位ID")
    position_name = serializers.CharField(source="post_name", read_only=True, label="岗位名称")
    channel = serializers.CharField(read_only=True, label="渠道")
    channel_display = ChoiceLabelField(source="get_channel_display", read_only=True, label="渠道名称")
    arrived_on = serializers.DateField(read_only=True, label="入职时间")


class ClaimNoticeSerializer(FieldsBuiltOnce, serializers.ModelSerializer[PublicityNotice]):
    class Meta:
        model = PublicityNotice
        fields = ["id", "reference", "title", "published_on", "closes_at"]
        read_only_fields = fields


class ClaimObjectionSerializer(FieldsBuiltOnce, serializers.ModelSerializer[Objection]):
    """An objection's outcome: no objector's name, phone or statement."""

    status_display = ChoiceLabelField(source="get_status_display", read_only=True, label="状态名称")
    lodged_at = serializers.DateTimeField(source="created_at", read_only=True, label="提出时间")

    class Meta:
        model = Objection
        fields = ["receipt", "status", "status_display", "lodged_at", "resolution", "resolved_at"]
        read_only_fields = fields


class HireReviewRecordSerializer(FieldsBuiltOnce, serializers.Serializer[Hire]):
    """What a reviewer checks of one claimed hire: its publicity (or the exemption), the objections and their
    outcome, and the employer's confirmation (Annex 3)."""

    status = serializers.CharField(read_only=True, label="人员状态")
    status_display = ChoiceLabelField(source="get_status_display", read_only=True, label="人员状态名称")
    notice = ClaimNoticeSerializer(read_only=True, allow_null=True, label="公示")
    exemption_rule = serializers.CharField(
        source="exemption_rule.name", read_only=True, allow_null=True, label="不公示规则（按规定不公示时）"
    )
    exemption_note = serializers.CharField(read_only=True, label="不公示说明（按规定不公示时）")
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True, label="公示确认时间")
    objections_count = serializers.SerializerMethodField(label="异议数")
    objections = ClaimObjectionSerializer(many=True, read_only=True, label="异议及处理结果")
    employer_confirmation = serializers.CharField(read_only=True, label="用人单位确认")
    employer_confirmation_display = ChoiceLabelField(
        source="get_employer_confirmation_display", read_only=True, label="用人单位确认名称"
    )
    employer_confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True, label="用人单位确认时间")

    def get_objections_count(self, hire: Hire) -> int:
        # Counted from the prefetched list, not a COUNT query per line.
        return len(hire.objections.all())


# --- claims -------------------------------------------------------------------------------------------------------


class ClaimLineSerializer(FieldsBuiltOnce, serializers.ModelSerializer[ClaimItem]):
    hire = ClaimHireSerializer(read_only=True, label="引进人才")
    cap = _money(label="补助上限（元）")
    requested_amount = _money(label="申请金额（元）")
    approved_amount = _money(allow_null=True, label="核定金额（元）")

    class Meta:
        model = ClaimItem
        fields = ["id", "hire", "cap", "requested_amount", "approved_amount"]
        read_only_fields = fields


class ClaimLineDetailSerializer(ClaimLineSerializer):
    hire = ClaimHireDetailSerializer(read_only=True, label="引进人才")
    review_record = serializers.SerializerMethodField(label="公示与单位确认情况（仅审核人员可见）")

    class Meta(ClaimLineSerializer.Meta):
        fields = [*ClaimLineSerializer.Meta.fields, "review_record"]
        read_only_fields = fields

    @extend_schema_field(HireReviewRecordSerializer(allow_null=True))
    def get_review_record(self, item: ClaimItem) -> dict[str, Any] | None:
        if not is_reviewer.test(_viewer(self.context)):
            return None
        return HireReviewRecordSerializer(item.hire, context=self.context).data


class DeclarationsSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    """The three declarations of Annex 2; all three are needed to submit."""

    introduced = serializers.BooleanField(
        source="declares_introduced", default=False, label="已向用人单位推荐引进卓越工程师且人员已到岗"
    )
    good_credit = serializers.BooleanField(source="declares_good_credit", default=False, label="无不良信用记录")
    truthful = serializers.BooleanField(
        source="declares_truthful", default=False, label="申报材料真实有效，并承担相应法律责任"
    )


class ClaimSerializer(FieldsBuiltOnce, serializers.ModelSerializer[Claim]):
    """A claim in a list: its lines with each hire's name and masked ID number; phones and the bank account masked
    except for the claimant (see the module's docstring)."""

    status_display = ChoiceLabelField(source="get_status_display", read_only=True, label="状态名称")
    employer = ClaimEmployerSerializer(read_only=True, label="用人单位")
    third_party = ClaimThirdPartySerializer(read_only=True, label="荐才机构/社会组织/个人")
    employer_phone = serializers.SerializerMethodField(label="用人单位联系电话（申报人以外脱敏）")
    declarations = DeclarationsSerializer(source="*", read_only=True, label="承诺")
    payee_phone = serializers.SerializerMethodField(label="申报人联系电话（申报人以外脱敏，提交时记录）")
    bank_account = serializers.SerializerMethodField(
        label="银行账号（提交时记录；申报人本人及审核人员查看单条申报时完整）"
    )
    requested_total = _money(label="申请金额合计（元）")
    approved_total = _money(allow_null=True, label="核定金额合计（元）")
    first_reviewer_name = serializers.SerializerMethodField(label="初审人")
    second_reviewer_name = serializers.SerializerMethodField(label="复核人")
    lines = ClaimLineSerializer(source="items", many=True, read_only=True, label="申报人员")

    class Meta:
        model = Claim
        fields = [
            "id",
            "reference",
            "status",
            "status_display",
            "status_since",
            "submitted_at",
            "created_at",
            "updated_at",
            "employer",
            "employer_contact",
            "employer_phone",
            "third_party",
            "payee_name",
            "payee_phone",
            "bank_name",
            "bank_account",
            "declarations",
            "requested_total",
            "approved_total",
            "first_reviewer_name",
            "first_opinion",
            "first_reviewed_at",
            "second_reviewer_name",
            "second_opinion",
            "second_reviewed_at",
            "paid_on",
            "payment_reference",
            "lines",
        ]
        read_only_fields = fields

    def get_employer_phone(self, claim: Claim) -> str:
        return claim.employer_phone if _is_claimant(self.context, claim) else mask_phone(claim.employer_phone)

    def get_payee_phone(self, claim: Claim) -> str:
        return claim.payee_phone if _is_claimant(self.context, claim) else mask_phone(claim.payee_phone)

    def get_bank_account(self, claim: Claim) -> str:
        whole = _is_claimant(self.context, claim) or (
            bool(self.context.get("detail")) and is_reviewer.test(_viewer(self.context))
        )
        return claim.bank_account if whole else mask_bank_account(claim.bank_account)

    def get_first_reviewer_name(self, claim: Claim) -> str:
        return _user_name(claim.first_reviewer)

    def get_second_reviewer_name(self, claim: Claim) -> str:
        return _user_name(claim.second_reviewer)


class ClaimAttachmentSerializer(FieldsBuiltOnce, serializers.ModelSerializer[ClaimAttachment]):
    kind_display = ChoiceLabelField(source="get_kind_display", read_only=True, label="材料类别名称")

    class Meta:
        model = ClaimAttachment
        fields = ["id", "kind", "kind_display", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class ClaimEventSerializer(FieldsBuiltOnce, serializers.ModelSerializer[ClaimEvent]):
    action_display = ChoiceLabelField(source="get_action_display", read_only=True, label="操作名称")
    to_status_display = ChoiceLabelField(source="get_to_status_display", read_only=True, label="新状态名称")
    # Declared, not generated: DRF drops ``allow_blank`` from generated read-only fields; a claim's first event
    # (its creation) has no previous status.
    from_status = serializers.ChoiceField(choices=ClaimStatus.choices, allow_blank=True, read_only=True, label="原状态")
    actor_name = serializers.SerializerMethodField(label="操作人")

    class Meta:
        model = ClaimEvent
        fields = [
            "action",
            "action_display",
            "from_status",
            "to_status",
            "to_status_display",
            "opinion",
            "actor_name",
            "at",
        ]
        read_only_fields = fields

    def get_actor_name(self, event: ClaimEvent) -> str:
        return _user_name(event.actor)


class ClaimDetailSerializer(ClaimSerializer):
    """One claim: its lines with post and channel (and, for reviewers, each hire's publicity record), its signed
    scans and its history."""

    lines = ClaimLineDetailSerializer(source="items", many=True, read_only=True, label="申报人员")
    attachments = ClaimAttachmentSerializer(many=True, read_only=True, label="申报材料")
    events = ClaimEventSerializer(many=True, read_only=True, label="办理记录")

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "attachments", "events"]
        read_only_fields = fields


# --- writes -------------------------------------------------------------------------------------------------------


class ClaimLineWriteSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    hire = serializers.IntegerField(
        min_value=1, max_value=RECORD_ID_MAX, label="引进人才ID（本机构推荐、已确认的人员）"
    )
    requested_amount = AmountField(label='申请金额（元），如 "30000.00"')


class ClaimWriteSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    """Annex 2 as the third party fills it: the employer, its contact, the hires with the amount asked for each,
    and the three declarations."""

    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all(), label="用人单位ID")
    employer_contact = serializers.CharField(
        max_length=limits.EMPLOYER_CONTACT.max_length, allow_blank=True, label="用人单位联系人"
    )
    employer_phone = serializers.CharField(
        max_length=limits.EMPLOYER_PHONE.max_length, allow_blank=True, label="用人单位联系电话"
    )
    declarations = DeclarationsSerializer(required=False, label="承诺（提交时三项均须为 true）")
    lines = serializers.ListField(child=ClaimLineWriteSerializer(), max_length=200, label="申报人员及申请金额")

    def hire_ids(self) -> list[int]:
        return [line["hire"] for line in self.validated_data["lines"]]

    def to_data(self, hires: dict[int, Hire]) -> ClaimData:
        """The claim with each line's hire from ``hires`` (the ids of ``hire_ids``, looked up in the user's scope)."""
        declarations = self.validated_data.get("declarations") or {}
        return ClaimData(
            employer=self.validated_data["employer"],
            employer_contact=self.validated_data["employer_contact"],
            employer_phone=self.validated_data["employer_phone"],
            lines=tuple(
                ClaimLine(hire=hires[line["hire"]], requested_amount=line["requested_amount"])
                for line in self.validated_data["lines"]
            ),
            declares_introduced=declarations.get("declares_introduced", False),
            declares_good_credit=declarations.get("declares_good_credit", False),
            declares_truthful=declarations.get("declares_truthful", False),
        )


class ClaimWithdrawSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", label="撤回原因")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent as a multipart part: its bytes, ``format: binary`` in the schema (drf-spectacular writes a
    ``FileField`` as a URL, its shape in a response, unless request and response components are split)."""


class AttachmentUploadSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, label="材料类别")
    file = UploadField(label="扫描件（PDF/JPG/PNG，按内容判断，最大10MB）")


class ClaimReviewSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    action = serializers.ChoiceField(
        choices=[(key, move.label) for key, move in MOVES.items() if key in FIRST_REVIEW | SECOND_REVIEW],
        label="审核操作：初审 first_pass / first_return / first_reject；复核 approve / second_return / second_reject",
    )
    opinion = serializers.CharField(max_length=2000, allow_blank=True, label="审核意见（必填）")
    approved = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        label='复核核定金额：{申报人员条目ID（lines[].id）: "金额"}，approve 时逐人必填，可为 "0"',
    )

    def approved_by_line(self) -> dict[int, object] | None:
        approved = self.validated_data.get("approved")
        if approved is None:
            return None
        try:
            return {int(line_id): amount for line_id, amount in approved.items()}
        except ValueError:
            raise PortalError(
                "核定金额须按申报人员条目ID（lines[].id）填写。", "approved_amounts_required", field="approved"
            ) from None


class ClaimPaySerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    paid_on = serializers.DateField(label="发放日期")
    payment_reference = serializers.CharField(max_length=64, allow_blank=True, label="支付凭证号")


# --- what a third party may claim ---------------------------------------------------------------------------------


class ClaimablePositionSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="岗位名称")


class ClaimableHireSerializer(FieldsBuiltOnce, serializers.Serializer[Any]):
    """A hire the third party may put on a claim now, with the cap of its channel on its date."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="姓名")
    id_number_masked = serializers.SerializerMethodField(label="身份证号码（脱敏）")
    employer = ClaimEmployerSerializer(read_only=True, label="用人单位")
    position = ClaimablePositionSerializer(read_only=True, allow_null=True, label="岗位（不在平台岗位表中的为空）")
    post_name = serializers.CharField(read_only=True, label="岗位名称")
    channel = serializers.CharField(read_only=True, label="渠道")
    channel_display = ChoiceLabelField(source="get_channel_display", read_only=True, label="渠道名称")
    arrived_on = serializers.DateField(read_only=True, label="入职时间")
    cap = serializers.SerializerMethodField(label="补助上限（元）；未维护补助上限时为 null")

    def get_id_number_masked(self, hire: Hire) -> str:
        return mask_id_number(hire.id_number)

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_cap(self, hire: Hire) -> str | None:
        cap: Decimal | None = self.context["caps"].get(hire.pk)
        return None if cap is None else f"{cap:.2f}"
