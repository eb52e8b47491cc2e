"""API shapes of a post. Writes carry only the Annex 1 fields: status, district and batch are never client input."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from portal import limits
from portal.constants import Channel, Education
from portal.models import Employer
from positions.constants import CloseReason, PositionStatus
from positions.models import Position, PostProposal
from positions.services import PositionData
from positions.workflow import MOVES


class PositionSerializer(serializers.ModelSerializer[Position]):
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    district_code = serializers.CharField(source="district.code", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    period = serializers.CharField(source="batch.period", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Declared, not generated: DRF drops ``allow_blank`` from generated read-only fields, so the schema would say
    # "" (an open post's close_reason) is not a valid value.
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "employer",
            "employer_name",
            "channel",
            "channel_display",
            "name",
            "headcount",
            "education",
            "education_display",
            "majors",
            "competencies",
            "recruits_graduates",
            "salary_text",
            "salary_min",
            "salary_max",
            "district_code",
            "district_name",
            "period",
            "status",
            "status_display",
            "return_reason",
            "close_reason",
            "published_at",
        ]
        read_only_fields = [
            "salary_min",
            "salary_max",
            "status",
            "return_reason",
            "close_reason",
            "published_at",
        ]


class PostFieldsSerializer(serializers.Serializer[Any]):
    """The Annex 1 fields of a post that a district clerk and an employer both write (the employer aside)."""

    channel = serializers.ChoiceField(choices=Channel.choices, label="渠道")
    name = serializers.CharField(max_length=limits.POSITION_NAME.max_length, label="岗位名称")
    headcount = serializers.IntegerField(
        min_value=limits.HEADCOUNT.min_value,
        max_value=limits.HEADCOUNT.max_value,
        error_messages=limits.HEADCOUNT.error_messages,
        label="需求人数",
    )
    education = serializers.ChoiceField(choices=Education.choices, label="学历要求")
    majors = serializers.CharField(max_length=limits.MAJORS.max_length, label="专业要求")
    competencies = serializers.CharField(allow_blank=True, required=False, default="", label="职业能力要求")
    recruits_graduates = serializers.BooleanField(label="是否招聘应届生")
    salary_text = serializers.CharField(
        max_length=limits.SALARY_TEXT.max_length, allow_blank=True, required=False, default="", label="薪资范围"
    )


class PositionWriteSerializer(PostFieldsSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all(), label="用人单位")
    period = serializers.CharField(required=False, label="旬（YYYY-MM-N，默认本旬）")

    def to_data(self) -> PositionData:
        fields = {k: v for k, v in self.validated_data.items() if k != "period"}
        return PositionData(**fields)


class PositionMoveSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[(key, move.label) for key, move in MOVES.items()], label="操作")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="原因")


# ---- Employers' post proposals --------------------------------------------------------------------------------


class ProposalChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(source="label", label="字段")
    proposed = serializers.CharField(label="单位提出的")
    adopted = serializers.CharField(label="岗位现在的")


class ProposalSerializer(serializers.ModelSerializer[PostProposal]):
    """A proposal as its employer and its district's clerk read it, with the post it became once adopted."""

    employer_name = serializers.CharField(source="employer.name", read_only=True)
    district_code = serializers.CharField(source="district.code", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    position_status = serializers.ChoiceField(
        source="position.status",
        choices=PositionStatus.choices,
        read_only=True,
        allow_null=True,
        default=None,
        label="采纳后岗位的状态",
    )
    changes_on_adoption = serializers.SerializerMethodField(label="区县修改的字段")

    class Meta:
        model = PostProposal
        fields = [
            "id",
            "employer",
            "employer_name",
            "district_code",
            "district_name",
            "channel",
            "channel_display",
            "name",
            "headcount",
            "education",
            "education_display",
            "majors",
            "competencies",
            "recruits_graduates",
            "salary_text",
            "status",
            "status_display",
            "return_reason",
            "position",
            "position_status",
            "changes_on_adoption",
            "proposed_at",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProposalChangeSerializer(many=True))
    def get_changes_on_adoption(self, proposal: PostProposal) -> Any:
        return ProposalChangeSerializer([change._asdict() for change in proposal.changes_on_adoption()], many=True).data


class ProposalWriteSerializer(PostFieldsSerializer):
    """The Annex 1 fields an employer proposes; the employer is the account's own, the district its employer's."""

    def to_data(self, employer: Employer) -> PositionData:
        return PositionData(employer=employer, **self.validated_data)


class ProposalAdoptSerializer(ProposalWriteSerializer):
    """The clerk's edits on adoption: every field optional, the proposal's own value where one is left out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Left out means "as proposed": no default may stand in for the proposal's own value.
            field.required = False
            field.default = empty

    def merged(self, base: PositionData) -> PositionData:
        return replace(base, **self.validated_data)


class ProposalReturnSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, label="退回原因")
