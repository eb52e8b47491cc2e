"""The Annex 1 forms, in the annex's column order: the clerk's post, an employer's proposal, an adoption. Business
rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portal import limits
from portal.calendar import TenDayPeriod
from portal.concurrency import opened_at_field, opened_at_value
from portal.constants import Channel, Education
from portal.identity import normalise_uscc
from portal.imports.pages import SheetImportForm
from portal.models import District, Employer, User
from portal.web.widgets import Textarea, bootstrap
from portal.workbooks import XLSX
from positions.models import Position, PostProposal
from positions.services import PositionData

YES_NO = (("1", "是"), ("0", "否"))


class Annex1Form(forms.Form):
    """The post's own columns of Annex 1, from 渠道 to 薪资范围: what the clerk fills for a post, what an employer
    fills for a post it proposes, and what the clerk checks and edits when adopting a proposal. The 用人单位 column
    is the caller's (``PositionForm`` asks for it; an employer and an adopted proposal have theirs)."""

    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="岗位名称", max_length=limits.POSITION_NAME.max_length)
    headcount = forms.IntegerField(
        label="需求人数",
        min_value=limits.HEADCOUNT.min_value,
        max_value=limits.HEADCOUNT.max_value,
        error_messages=limits.HEADCOUNT.error_messages,
    )
    education = forms.ChoiceField(label="学历要求", choices=[("", "（请选择）"), *Education.choices])
    majors = forms.CharField(
        label="专业要求", max_length=limits.MAJORS.max_length, help_text="多个专业用顿号分隔，如：电子信息、通信工程"
    )
    competencies = forms.CharField(
        label="职业能力要求",
        required=False,
        widget=Textarea(attrs={"rows": 5}),
        help_text="可分行填写，换行会保留。",
    )
    recruits_graduates = forms.TypedChoiceField(
        label="是否招聘应届生", choices=YES_NO, coerce=lambda value: value == "1", widget=forms.RadioSelect
    )
    salary_text = forms.CharField(
        label="薪资范围",
        max_length=limits.SALARY_TEXT.max_length,
        required=False,
        help_text="如：15-25万元/年、1.5万/月、面议",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["salary_text"].widget.attrs["placeholder"] = "如：15-25万元/年、1.5万/月、面议"

    @classmethod
    def initial_from(cls, post: Position | PostProposal) -> dict[str, Any]:
        """The form filled from a post or a proposal (they carry the same Annex 1 fields)."""
        return {
            "channel": post.channel,
            "name": post.name,
            "headcount": post.headcount,
            "education": post.education,
            "majors": post.majors,
            "competencies": post.competencies,
            "recruits_graduates": "1" if post.recruits_graduates else "0",
            "salary_text": post.salary_text,
        }

    def position_data(self, employer: Employer) -> PositionData:
        data = self.cleaned_data
        return PositionData(
            employer=employer,
            channel=data["channel"],
            name=data["name"],
            headcount=data["headcount"],
            education=data["education"],
            majors=data["majors"],
            competencies=data.get("competencies", ""),
            recruits_graduates=bool(data["recruits_graduates"]),
            salary_text=data.get("salary_text", ""),
        )


class PositionForm(Annex1Form):
    """The clerk's Annex 1 form: the employer (one of the district's, or a new one) and the post's columns."""

    employer = forms.ModelChoiceField(
        label="用人单位", queryset=Employer.objects.none(), required=False, empty_label="（请选择本区县的用人单位）"
    )
    new_employer_name = forms.CharField(
        label="或新增用人单位：单位名称",
        max_length=limits.EMPLOYER_NAME.max_length,
        required=False,
        help_text="列表中没有的单位，可在此填写全称新增。",
    )
    new_employer_credit_code = forms.CharField(
        label="新增单位的统一社会信用代码", max_length=limits.CREDIT_CODE_INPUT.max_length, required=False
    )
    #: The post's ``updated_at`` when the page was opened (editing only): a post saved since is not overwritten.
    opened_at = opened_at_field()
    field_order = ["employer", "new_employer_name", "new_employer_credit_code"]

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        self.fields["employer"].queryset = Employer.objects.filter(district=district).order_by("name")  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, post: Position | PostProposal) -> dict[str, Any]:
        return {"employer": post.employer_id, **super().initial_from(post)}

    @classmethod
    def editing(cls, position: Position) -> dict[str, Any]:
        """The form's initial values to edit ``position``: its columns and the stamp of the row as now read."""
        return {**cls.initial_from(position), "opened_at": opened_at_value(position.updated_at)}

    def clean_new_employer_name(self) -> str:
        return " ".join(self.cleaned_data.get("new_employer_name", "").split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        employer = cleaned.get("employer")
        new_name = cleaned.get("new_employer_name", "")
        if employer and new_name:
            self.add_error("new_employer_name", "已在列表中选择了用人单位，无需再新增。")
        elif not employer and not new_name:
            self.add_error("employer", "请选择用人单位，或填写新增单位的名称。")
        elif new_name:
            if Employer.objects.filter(name=new_name).exists():
                self.add_error(
                    "new_employer_name", "该单位已登记，请在列表中选择（如不在列表中，请联系管理员核对所在区县）。"
                )
            try:
                code = normalise_uscc(cleaned.get("new_employer_credit_code", ""))
            except ValidationError as error:
                self.add_error("new_employer_credit_code", error)
            else:
                cleaned["new_employer_credit_code"] = code
                if Employer.objects.filter(credit_code=code).exists():
                    self.add_error("new_employer_credit_code", "该统一社会信用代码已被其他单位使用。")
        return cleaned


class PositionImportForm(SheetImportForm):
    """Upload of an Annex 1 sheet into a district's 旬."""

    period = forms.CharField(label="旬（如 2026-11-3）", max_length=10)
    file = forms.FileField(label="Excel文件（.xlsx，附件1格式）", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["period"].initial = kwargs.get("initial", {}).get("period") or str(TenDayPeriod.current())

    def clean_period(self) -> TenDayPeriod:
        try:
            return TenDayPeriod.parse(self.cleaned_data["period"].strip())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ProposalSheetForm(forms.Form):
    """An employer's Annex 1 sheet of its own posts, proposed to its district together."""

    file = forms.FileField(label="Excel文件（.xlsx，附件1格式）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["file"].widget.attrs["accept"] = f".xlsx,{XLSX}"
