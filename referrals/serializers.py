"""API shapes of hires, publicity notices and objections.

The whole 身份证号码 is never a field of any shape here: hires carry ``id_number_masked`` only, and the one way to
read the number whole is ``POST /api/v1/hires/{id}/reveal_id_number/`` (allowed by a predicate, recorded).
Notices carry the public fields of their hires only; objections carry the objector's phone masked.
Writes carry the Annex 3 fields: status, district, notice and year are never client input.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal import limits
from portal.constants import Channel, Education, Programme
from portal.identity import mask_phone
from portal.models import Employer, ThirdParty, User
from portal.web.api import RECORD_ID_MAX
from positions import selectors as position_selectors
from positions.models import Position
from referrals import selectors
from referrals.constants import EmploymentMode, HireStatus
from referrals.declarations import DeclaredPost, PersonData
from referrals.models import Declaration, DeclaredPerson, Hire, Objection, PublicityExemptionRule, PublicityNotice
from referrals.services import HireData
from referrals.workflow import MOVES

# --- small references to related records -------------------------------------------------------------------------


class HirePositionSerializer(serializers.ModelSerializer[Position]):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True, label="渠道名称")

    class Meta:
        model = Position
        fields = ["id", "name", "channel", "channel_display", "headcount"]
        read_only_fields = fields


class HireEmployerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="用人单位名称")


class HireDistrictSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True, label="区划代码")
    name = serializers.CharField(read_only=True, label="区县名称")


class HireThirdPartySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="荐才第三方名称")


class HireNoticeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True, label="公示编号")


# --- hires --------------------------------------------------------------------------------------------------------


class HireSerializer(serializers.ModelSerializer[Hire]):
    """One row of Annex 3 as its viewer may see it: the ID number masked (first 6 + ******** + last 4)."""

    id_number_masked = serializers.CharField(read_only=True, label="身份证号码（脱敏）")
    position = HirePositionSerializer(read_only=True, allow_null=True, label="岗位（不在平台岗位表中的为空）")
    employer = HireEmployerSerializer(read_only=True, label="用人单位")
    channel_display = serializers.CharField(source="get_channel_display", read_only=True, label="渠道名称")
    district = HireDistrictSerializer(read_only=True, allow_null=True, label="区县（无所属区县的为空）")
    office_name = serializers.CharField(read_only=True, label="审核公示单位（区县，或市人才交流服务中心）")
    third_party = HireThirdPartySerializer(read_only=True, allow_null=True, label="荐才第三方")
    notice = HireNoticeSerializer(read_only=True, allow_null=True, label="公示")
    programme_display = serializers.CharField(source="get_programme_display", read_only=True, label="专项名称")
    mode_display = serializers.CharField(source="get_mode_display", read_only=True, label="引进方式名称")
    # Declared, not generated: DRF drops ``allow_blank`` from generated read-only fields, and education is optional.
    education = serializers.ChoiceField(choices=Education.choices, allow_blank=True, read_only=True, label="学历")
    education_display = serializers.CharField(source="get_education_display", read_only=True, label="学历名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    employer_confirmation_display = serializers.CharField(
        source="get_employer_confirmation_display", read_only=True, label="单位确认状态名称"
    )
    exemption_rule: serializers.SlugRelatedField[PublicityExemptionRule] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True, label="不公示规则（按规定不公示时）"
    )
    post_hires = serializers.IntegerField(read_only=True, label="该岗位已占用人数")
    over_headcount = serializers.SerializerMethodField(label="超出岗位需求人数")

    class Meta:
        model = Hire
        fields = [
            "id",
            "name",
            "id_number_masked",
            "position",
            "employer",
            "channel",
            "channel_display",
            "post_name",
            "district",
            "office_name",
            "third_party",
            "programme",
            "programme_display",
            "year",
            "mode",
            "mode_display",
            "contract_term",
            "school",
            "major",
            "education",
            "education_display",
            "title_rank",
            "skill_level",
            "arrived_on",
            "work_experience",
            "other_conditions",
            "status",
            "status_display",
            "return_reason",
            "graduated_on",
            "exemption_rule",
            "exemption_note",
            "notice",
            "confirmed_at",
            "employer_confirmation",
            "employer_confirmation_display",
            "post_hires",
            "over_headcount",
        ]
        read_only_fields = fields

    def get_over_headcount(self, hire: Hire) -> bool:
        # ``post_hires`` is annotated by ``selectors.with_headcount``; the post is already joined.
        return hire.position is not None and int(getattr(hire, "post_hires", 0)) > hire.position.headcount


@extend_schema_field(OpenApiTypes.INT)
class VisiblePositionField(serializers.PrimaryKeyRelatedField[Position]):
    """A post id, looked up among the posts the user in ``context["user"]`` may see (another district's: not found)."""

    def get_queryset(self) -> QuerySet[Position]:
        user: User | None = self.context.get("user")
        if user is None:
            return Position.objects.none()
        return position_selectors.position_visible(user=user)


class HireWriteSerializer(serializers.Serializer[Any]):
    """实际到岗登记: the Annex 3 fields, required first. The post must be one the user may see."""

    position = VisiblePositionField(label="岗位（须为本人可见的岗位）")
    name = serializers.CharField(max_length=limits.PERSON_NAME.max_length, label="姓名")
    # No length or format check here: the service gives the Chinese reason (length, check digit, birth date).
    id_number = serializers.CharField(max_length=limits.ID_NUMBER_INPUT.max_length, write_only=True, label="身份证号码")
    mode = serializers.ChoiceField(choices=EmploymentMode.choices, label="引进方式")
    contract_term = serializers.CharField(max_length=limits.CONTRACT_TERM.max_length, label="劳动合同期限")
    programme = serializers.ChoiceField(
        choices=Programme.choices,
        required=False,
        allow_null=True,
        default=None,
        label="专项（不填则按毕业时间和工作经历判定：柔性为海聚，应届为启航，否则海聚）",
    )
    third_party = serializers.PrimaryKeyRelatedField(
        queryset=ThirdParty.objects.all(), required=False, allow_null=True, default=None, label="荐才第三方"
    )
    school = serializers.CharField(
        max_length=limits.SCHOOL.max_length, required=False, allow_blank=True, default="", label="毕业院校"
    )
    major = serializers.CharField(
        max_length=limits.MAJOR.max_length, required=False, allow_blank=True, default="", label="专业"
    )
    education = serializers.ChoiceField(
        choices=Education.choices, required=False, allow_blank=True, default="", label="学历"
    )
    title_rank = serializers.CharField(
        max_length=limits.TITLE_RANK.max_length, required=False, allow_blank=True, default="", label="职称职级"
    )
    skill_level = serializers.CharField(
        max_length=limits.SKILL_LEVEL.max_length, required=False, allow_blank=True, default="", label="技能等级"
    )
    arrived_on = serializers.DateField(required=False, allow_null=True, default=None, label="入职时间")
    work_experience = serializers.CharField(required=False, allow_blank=True, default="", label="工作经历（海聚）")
    other_conditions = serializers.CharField(required=False, allow_blank=True, default="", label="其他符合的相关条件")
    graduated_on = serializers.DateField(
        required=False, allow_null=True, default=None, label="毕业时间（启航须在应届毕业生认定范围内）"
    )

    def to_data(self) -> HireData:
        return HireData(**self.validated_data)


class HireMoveSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[(key, move.label) for key, move in MOVES.items()], label="操作")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="原因（退回时必填）")


class IdNumberSerializer(serializers.Serializer[Any]):
    id_number = serializers.CharField(read_only=True, label="身份证号码（完整）")


# --- publicity ----------------------------------------------------------------------------------------------------


#: 学历 labels by value (lazy translations, made text when shown).
_EDUCATION_LABELS = dict(Education.choices)


class PublicHireSerializer(serializers.Serializer[Any]):
    """A hire as the public notice shows it (``selectors.PUBLIC_HIRE_FIELDS``): never an ID number or a phone."""

    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True, label="姓名")
    employer_name = serializers.CharField(source="employer.name", read_only=True, label="用人单位")
    position_name = serializers.CharField(source="post_name", read_only=True, label="岗位名称")
    education = serializers.CharField(source="get_education_display", read_only=True, label="学历")
    school = serializers.CharField(read_only=True, label="毕业院校")
    major = serializers.CharField(read_only=True, label="专业")

    def to_representation(self, instance: Hire) -> dict[str, Any]:
        """The fields above, read straight off the hire: a notice list carries hundreds of people, and DRF's
        field-by-field path (with ``get_education_display`` rebuilding the translated choices on every call) made
        this the most expensive public read (bench/load.py)."""
        return {
            "id": instance.pk,
            "name": instance.name,
            "employer_name": instance.employer.name,
            "position_name": instance.post_name,
            "education": str(_EDUCATION_LABELS.get(instance.education, instance.education)),
            "school": instance.school,
            "major": instance.major,
        }


class NoticeSerializer(serializers.ModelSerializer[PublicityNotice]):
    district_name = serializers.CharField(
        source="district.name", read_only=True, allow_null=True, label="区县（市人才交流服务中心的公示为空）"
    )
    office_name = serializers.CharField(read_only=True, label="公示单位（区县，或市人才交流服务中心）")
    last_day = serializers.DateField(read_only=True, label="公示最后一天（第5个工作日）")
    hires = PublicHireSerializer(many=True, read_only=True, label="公示人员")

    class Meta:
        model = PublicityNotice
        fields = [
            "id",
            "district_name",
            "office_name",
            "reference",
            "title",
            "published_on",
            "last_day",
            "closes_at",
            "hires",
        ]
        read_only_fields = fields


class NoticePublishSerializer(serializers.Serializer[Any]):
    hire_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=RECORD_ID_MAX),
        allow_empty=False,
        max_length=500,
        label="公示人员ID（初审通过）",
    )
    published_on = serializers.DateField(label="公示开始日期（工作日）")
    title = serializers.CharField(
        max_length=limits.NOTICE_TITLE.max_length, required=False, allow_blank=True, default="", label="标题"
    )


class HireExemptSerializer(serializers.Serializer[Any]):
    hire_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=RECORD_ID_MAX),
        allow_empty=False,
        max_length=500,
        label="不公示人员ID（初审通过）",
    )
    exemption_rule = serializers.PrimaryKeyRelatedField(
        queryset=PublicityExemptionRule.objects.filter(active=True),
        allow_null=True,
        default=None,
        label="不公示规则ID（须为启用的规则）",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500, label="不公示说明")


# --- objections ---------------------------------------------------------------------------------------------------


class ObjectionLodgeSerializer(serializers.Serializer[Any]):
    hire = serializers.IntegerField(min_value=1, max_value=RECORD_ID_MAX, label="被异议人员ID（公示中的人员）")
    name = serializers.CharField(max_length=limits.OBJECTOR_NAME.max_length, label="异议人姓名")
    phone = serializers.CharField(max_length=limits.PHONE.max_length, label="联系电话")
    statement = serializers.CharField(max_length=limits.OBJECTION_STATEMENT.max_length, label="异议内容（事实和理由）")


class ObjectionReceiptSerializer(serializers.ModelSerializer[Objection]):
    """What the person who objected gets back: the receipt number to quote, and the state."""

    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")

    class Meta:
        model = Objection
        fields = ["receipt", "status", "status_display"]
        read_only_fields = fields


class ObjectionHireSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label="姓名")
    position_name = serializers.CharField(source="post_name", read_only=True, label="岗位名称")
    employer_name = serializers.CharField(source="employer.name", read_only=True, label="用人单位")
    district_name = serializers.CharField(source="district.name", read_only=True, allow_null=True, label="区县")
    office_name = serializers.CharField(read_only=True, label="处理单位（区县，或市人才交流服务中心）")
    notice = HireNoticeSerializer(read_only=True, allow_null=True, label="公示")


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    """An objection as district or city staff see it: the objector's phone masked."""

    hire = ObjectionHireSerializer(read_only=True, label="被异议人员")
    phone_masked = serializers.SerializerMethodField(label="联系电话（脱敏）")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    resolved_by_name = serializers.SerializerMethodField(label="处理人")
    lodged_at = serializers.DateTimeField(source="created_at", read_only=True, label="提出时间")

    class Meta:
        model = Objection
        fields = [
            "id",
            "receipt",
            "hire",
            "name",
            "phone_masked",
            "statement",
            "lodged_at",
            "status",
            "status_display",
            "resolution",
            "resolved_by_name",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_phone_masked(self, objection: Objection) -> str:
        return mask_phone(objection.phone)

    def get_resolved_by_name(self, objection: Objection) -> str:
        user = objection.resolved_by
        return "" if user is None else user.display_name or user.username


class ObjectionResolveSerializer(serializers.Serializer[Any]):
    upheld = serializers.BooleanField(label="异议是否成立")
    reason = serializers.CharField(allow_blank=True, label="处理意见")


# --- declarations by third parties (referrals.declarations) -------------------------------------------------------


class DeclaredHireSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=HireStatus.choices, read_only=True, label="引进人才状态")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")


class DeclaredPersonSerializer(serializers.ModelSerializer[DeclaredPerson]):
    """One declared person, the ID number masked; where the person stands (``stage``) for its third party."""

    id_number_masked = serializers.CharField(read_only=True, label="身份证号码（脱敏）")
    mode_display = serializers.CharField(source="get_mode_display", read_only=True, label="引进方式名称")
    programme = serializers.ChoiceField(choices=Programme.choices, allow_blank=True, read_only=True, label="专项")
    education = serializers.ChoiceField(choices=Education.choices, allow_blank=True, read_only=True, label="学历")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="申报状态名称")
    hire = DeclaredHireSerializer(read_only=True, allow_null=True, label="转入区县审核后的引进人才记录")
    hire_stage = serializers.SerializerMethodField(label="引进人才办理阶段（单位确认后）")
    claim_reference = serializers.SerializerMethodField(label="补助申报编号（已申报时）")

    class Meta:
        model = DeclaredPerson
        fields = [
            "id",
            "name",
            "id_number_masked",
            "mode",
            "mode_display",
            "contract_term",
            "programme",
            "school",
            "major",
            "education",
            "graduated_on",
            "title_rank",
            "skill_level",
            "arrived_on",
            "work_experience",
            "other_conditions",
            "status",
            "status_display",
            "decline_reason",
            "decided_at",
            "hire",
            "hire_stage",
            "claim_reference",
        ]
        read_only_fields = fields

    def get_hire_stage(self, person: DeclaredPerson) -> str | None:
        # ``hire_stage`` is annotated by ``selectors.declared_people_followed`` (IntroductionStage), "" before.
        return getattr(person, "hire_stage", "") or None

    def get_claim_reference(self, person: DeclaredPerson) -> str | None:
        return getattr(person, "claim_reference", None) or None


class DeclarationSerializer(serializers.ModelSerializer[Declaration]):
    third_party = HireThirdPartySerializer(read_only=True, label="申报第三方")
    employer = HireEmployerSerializer(read_only=True, label="用人单位")
    position = HirePositionSerializer(read_only=True, allow_null=True, label="岗位（不在平台岗位表中的为空）")
    channel_display = serializers.CharField(source="get_channel_display", read_only=True, label="渠道名称")
    people = DeclaredPersonSerializer(many=True, read_only=True, label="申报人员")

    class Meta:
        model = Declaration
        fields = [
            "id",
            "third_party",
            "employer",
            "position",
            "post_name",
            "channel",
            "channel_display",
            "submitted_at",
            "people",
        ]
        read_only_fields = fields


class DeclaredPersonWriteSerializer(serializers.Serializer[Any]):
    """One person of Annex 3; the field rules (ID number check digit, 引进方式…) are the service's, in Chinese."""

    name = serializers.CharField(max_length=limits.PERSON_NAME.max_length, label="姓名")
    id_number = serializers.CharField(max_length=limits.ID_NUMBER_INPUT.max_length, write_only=True, label="身份证号码")
    mode = serializers.ChoiceField(choices=EmploymentMode.choices, label="引进方式")
    contract_term = serializers.CharField(max_length=limits.CONTRACT_TERM.max_length, label="劳动合同期限")
    programme = serializers.ChoiceField(
        choices=Programme.choices, required=False, allow_blank=True, default="", label="专项（平台外岗位必填）"
    )
    school = serializers.CharField(
        max_length=limits.SCHOOL.max_length, required=False, allow_blank=True, default="", label="毕业院校"
    )
    major = serializers.CharField(
        max_length=limits.MAJOR.max_length, required=False, allow_blank=True, default="", label="专业"
    )
    education = serializers.ChoiceField(
        choices=Education.choices, required=False, allow_blank=True, default="", label="学历"
    )
    graduated_on = serializers.DateField(required=False, allow_null=True, default=None, label="毕业时间")
    title_rank = serializers.CharField(
        max_length=limits.TITLE_RANK.max_length, required=False, allow_blank=True, default="", label="职称职级"
    )
    skill_level = serializers.CharField(
        max_length=limits.SKILL_LEVEL.max_length, required=False, allow_blank=True, default="", label="技能等级"
    )
    arrived_on = serializers.DateField(required=False, allow_null=True, default=None, label="入职时间")
    work_experience = serializers.CharField(required=False, allow_blank=True, default="", label="工作经历（海聚）")
    other_conditions = serializers.CharField(required=False, allow_blank=True, default="", label="其他符合的相关条件")


@extend_schema_field(OpenApiTypes.INT)
class DeclarableEmployerField(serializers.PrimaryKeyRelatedField[Employer]):
    def get_queryset(self) -> QuerySet[Employer]:
        return selectors.declarable_employers()


@extend_schema_field(OpenApiTypes.INT)
class DeclarablePositionField(serializers.PrimaryKeyRelatedField[Position]):
    def get_queryset(self) -> QuerySet[Position]:
        return selectors.declarable_positions()


class DeclarationWriteSerializer(serializers.Serializer[Any]):
    """申报: the employer, the post (a portal post's id, or its name and channel) and the people (1 to 200)."""

    employer = DeclarableEmployerField(label="用人单位（须有统一社会信用代码或所在区县）")
    position = DeclarablePositionField(
        required=False, allow_null=True, default=None, label="岗位（平台岗位表中的岗位；不在其中的留空）"
    )
    post_name = serializers.CharField(
        max_length=limits.POSITION_NAME.max_length, required=False, allow_blank=True, default="", label="岗位名称"
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_blank=True, default="", label="渠道（平台外岗位必填）"
    )
    people = DeclaredPersonWriteSerializer(many=True, max_length=200, label="申报人员")  # type: ignore[call-arg]

    def to_post(self) -> DeclaredPost:
        data = self.validated_data
        return DeclaredPost(
            employer=data["employer"], position=data["position"], channel=data["channel"], post_name=data["post_name"]
        )

    def to_people(self) -> list[PersonData]:
        return [PersonData(**person) for person in self.validated_data["people"]]


class DeclarationWithdrawSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1, max_value=RECORD_ID_MAX, label="撤回的申报人员id")


class DeclarationSummarySerializer(serializers.Serializer[Any]):
    """The declaration a person belongs to, as its employer sees it."""

    id = serializers.IntegerField(read_only=True)
    third_party = HireThirdPartySerializer(read_only=True, label="申报第三方")
    post_name = serializers.CharField(read_only=True, label="岗位名称")
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True, label="渠道")
    submitted_at = serializers.DateTimeField(read_only=True, label="申报时间")


class EmployerDeclaredPersonSerializer(DeclaredPersonSerializer):
    """A declared person as the employer confirms it: with its declaration and the competing declarations."""

    declaration = DeclarationSummarySerializer(read_only=True, label="申报")
    competing = serializers.IntegerField(read_only=True, label="其他第三方对同一人员的待确认或已确认申报数")

    class Meta(DeclaredPersonSerializer.Meta):
        fields = [
            field
            for field in [*DeclaredPersonSerializer.Meta.fields, "declaration", "competing"]
            if field not in {"hire_stage", "claim_reference"}
        ]
        read_only_fields = fields


class DeclarationDecisionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500, label="不予确认原因")
