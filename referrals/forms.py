"""The Annex 3 form a district clerk fills, required fields first; the rules stay in ``referrals.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from portal import limits
from portal.concurrency import opened_at_field, opened_at_value
from portal.constants import Channel, Education, Programme
from portal.identity import validate_id_number
from portal.models import District, Employer, ThirdParty
from portal.web.widgets import DateInput, Textarea, bootstrap
from positions.models import Position
from referrals import selectors
from referrals.constants import EmploymentMode
from referrals.declarations import DeclaredPost, PersonData
from referrals.models import Hire, PublicityExemptionRule
from referrals.services import HireData, hire_is_declared

#: 渠道 labels by value: ``get_channel_display()`` rebuilds the translated choices for each of the district's posts.
_CHANNEL_LABELS = dict(Channel.choices)


def id_number_field() -> forms.CharField:
    """A person's 身份证号码 as Annex 3 asks for it, checked as it is typed: a wrong number is flagged in the same
    round as the missing fields, not after them (the services check it again, with the rules that need the database)."""
    return forms.CharField(
        label="身份证号码",
        max_length=limits.ID_NUMBER_INPUT.max_length,
        help_text="18位居民身份证号码，末位可为X。",
        validators=[validate_id_number],
    )


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        channel = _CHANNEL_LABELS.get(obj.channel, obj.channel)
        return f"{obj.employer.name} · {obj.name}（{channel}，需求{obj.headcount}人）"


class HireForm(forms.Form):
    # 必填项
    position = PositionChoiceField(
        label="岗位名称", queryset=Position.objects.none(), empty_label="（请选择本区县已发布的岗位）"
    )
    name = forms.CharField(label="姓名", max_length=limits.PERSON_NAME.max_length)
    id_number = id_number_field()
    mode = forms.ChoiceField(label="引进方式", choices=EmploymentMode.choices, widget=forms.RadioSelect)
    contract_term = forms.CharField(
        label="劳动合同期限", max_length=limits.CONTRACT_TERM.max_length, help_text="如：3年、2026年3月至2029年2月"
    )
    #: The hire's ``updated_at`` when the correction page was opened: a hire saved since is not overwritten.
    opened_at = opened_at_field()
    # 选填项
    school = forms.CharField(label="毕业院校", max_length=limits.SCHOOL.max_length, required=False)
    major = forms.CharField(label="专业", max_length=limits.MAJOR.max_length, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "（未填）"), *Education.choices], required=False)
    title_rank = forms.CharField(label="职称职级", max_length=limits.TITLE_RANK.max_length, required=False)
    skill_level = forms.CharField(label="技能等级", max_length=limits.SKILL_LEVEL.max_length, required=False)
    arrived_on = forms.DateField(
        label="入职时间",
        required=False,
        widget=DateInput(),
        help_text="不填则按登记当天计入专项年度。",
    )
    graduated_on = forms.DateField(
        label="毕业时间",
        required=False,
        widget=DateInput(),
        help_text="启航专项须填写：毕业时间在应届毕业生认定范围内（默认为专项年度当年或上一年毕业）的，列入启航专项。",
    )
    work_experience = forms.CharField(
        label="工作经历（海聚）",
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        help_text="海聚专项须填写。",
    )
    other_conditions = forms.CharField(label="其他符合的相关条件", required=False, widget=Textarea(attrs={"rows": 2}))
    # Beyond the annex: who introduced the person, and the programme if not the post's default.
    third_party = forms.ModelChoiceField(
        label="荐才第三方",
        queryset=ThirdParty.objects.none(),
        required=False,
        empty_label="（无，单位自行引进）",
        help_text="由人力资源服务机构、社会组织或个人推荐引进的，请选择；单位确认后第三方可申领引才补助。",
    )
    programme = forms.ChoiceField(
        label="专项",
        choices=[("", "按毕业时间和工作经历自动判定"), *Programme.choices],
        required=False,
        help_text="不选则自动判定：柔性引进为海聚；毕业时间在应届范围内为启航；否则（或填有工作经历）为海聚。"
        "柔性引进的人才不能列入启航专项。",
    )

    def __init__(self, *args: Any, district: District | None = None, hire: Hire | None = None, **kwargs: Any) -> None:
        """``district``: recording, on the district's posts. ``hire``: correcting it, for its office of record (a
        district's clerk, or the talent centre for a hire without a district)."""
        super().__init__(*args, **kwargs)
        self.hire = hire
        position = self.fields["position"]
        assert isinstance(position, PositionChoiceField)
        if hire is not None and hire_is_declared(hire):
            # A declared hire keeps its employer: its posts in the hire's office, or the declared post kept as it is.
            own_posts = selectors.declarable_positions(employer=hire.employer)
            position.queryset = own_posts.filter(
                Q(district__isnull=True) if hire.district is None else Q(district=hire.district)
            )
            position.help_text = f"用人单位：{hire.employer.name}（由用人单位确认的申报，不能更换用人单位）。"
            if hire.position_id is None:
                channel = _CHANNEL_LABELS.get(hire.channel, hire.channel)
                position.required = False
                position.empty_label = f"{hire.post_name}（{channel}）（不在平台岗位表中）"
                position.help_text += "保留申报的岗位，或改选本单位在平台岗位表中的岗位。"
        else:
            office = district if district is not None else hire.district if hire is not None else None
            assert office is not None  # recording is a district clerk's; a hire without a district is a declared one
            position.queryset = selectors.hirable_positions(district=office)
        # The name is all the list shows: loading the whole rows would decrypt every third party's ID number and
        # bank account (portal.security.crypto) for each page view.
        self.fields["third_party"].queryset = ThirdParty.objects.only("pk", "name").order_by("name")  # type: ignore[attr-defined]
        bootstrap(self)

    def hire_data(self) -> HireData:
        data = self.cleaned_data
        kept = self.hire if self.hire is not None and data["position"] is None else None
        return HireData(
            position=data["position"],
            # The declared post not in the portal, kept (the form offers it only for such a hire).
            employer=kept.employer if kept is not None else None,
            channel=kept.channel if kept is not None else "",
            post_name=kept.post_name if kept is not None else "",
            name=data["name"],
            id_number=data["id_number"],
            mode=data["mode"],
            contract_term=data["contract_term"],
            programme=data["programme"] or None,
            third_party=data["third_party"],
            school=data["school"],
            major=data["major"],
            education=data["education"],
            title_rank=data["title_rank"],
            skill_level=data["skill_level"],
            arrived_on=data["arrived_on"],
            work_experience=data["work_experience"],
            other_conditions=data["other_conditions"],
            graduated_on=data["graduated_on"],
        )

    @staticmethod
    def initial_from(hire: Hire) -> dict[str, Any]:
        return {
            "position": hire.position_id,
            "name": hire.name,
            # Shown whole to the office's staff who correct it (the reveal is recorded; see hire_edit).
            "id_number": hire.id_number,
            "mode": hire.mode,
            "contract_term": hire.contract_term,
            "school": hire.school,
            "major": hire.major,
            "education": hire.education,
            "title_rank": hire.title_rank,
            "skill_level": hire.skill_level,
            "arrived_on": hire.arrived_on,
            "work_experience": hire.work_experience,
            "other_conditions": hire.other_conditions,
            "graduated_on": hire.graduated_on,
            "third_party": hire.third_party_id,
            "programme": hire.programme,
            "opened_at": opened_at_value(hire.updated_at),
        }


class PublishForm(forms.Form):
    """Publish the chosen audited hires in one notice, or (the district reviewer) confirm them without publicity under
    an exemption rule (按规定不公示)."""

    published_on = forms.DateField(label="公示开始日期", widget=DateInput())
    title = forms.CharField(
        label="公示标题",
        max_length=limits.NOTICE_TITLE.max_length,
        required=False,
    )
    exemption_rule = forms.ModelChoiceField(
        label="不公示规则",
        queryset=PublicityExemptionRule.objects.none(),
        required=False,
        empty_label="（请选择）",
        help_text="仅在“按规定不公示”时选择；规则由系统管理员维护。",
    )
    exemption_note = forms.CharField(
        label="不公示说明",
        required=False,
        max_length=500,
        help_text="选填，如批准文件的文号。",
    )

    def __init__(self, *args: Any, default_title: str, can_exempt: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("published_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if can_exempt:
            self.fields["exemption_rule"].queryset = PublicityExemptionRule.objects.filter(active=True)  # type: ignore[attr-defined]
        else:
            # Only the district reviewer exempts (docs/workflows.md, "Exemption from publicity").
            del self.fields["exemption_rule"], self.fields["exemption_note"]
        self.fields[
            "title"
        ].help_text = f"不填则为“{default_title}”，按本区县当年的公示批次编号；同一区县的公示标题不能重复。"
        bootstrap(self)


class ObjectionForm(forms.Form):
    hire = forms.IntegerField()
    name = forms.CharField(label="异议人真实姓名", max_length=limits.OBJECTOR_NAME.max_length)
    phone = forms.CharField(label="联系电话", max_length=limits.PHONE.max_length)
    statement = forms.CharField(
        label="异议事实和理由",
        widget=Textarea(attrs={"rows": 4}),
        max_length=limits.OBJECTION_STATEMENT.max_length,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrap(self)


# --- a third party's declaration (referrals.declarations) ------------------------------------------------------------


def bootstrap_prefixed(form: forms.BaseForm) -> None:
    """``bootstrap``, with ids that carry the form's prefix: several of these forms share a page (the people of a
    formset, the post of the form and of the sheet), and ids must stay unique for the labels to find their fields."""
    bootstrap(form)
    for name, field in form.fields.items():
        field.widget.attrs["id"] = f"id_{form.add_prefix(name)}"


class DeclaredPostForm(forms.Form):
    """The post the declared people arrived at: one of the employer's posts on the portal, or its name and channel."""

    position = forms.ModelChoiceField(
        label="岗位",
        queryset=Position.objects.none(),
        required=False,
        empty_label="（岗位不在平台岗位表中，请在下方填写岗位名称和渠道）",
    )
    post_name = forms.CharField(
        label="岗位名称（平台外岗位）", max_length=limits.POSITION_NAME.max_length, required=False
    )
    channel = forms.ChoiceField(
        label="渠道（平台外岗位）", choices=[("", "（请选择）"), *Channel.choices], required=False
    )

    #: The same fields for the sheet's upload, on the same page: prefixed, and labelled apart for whoever reads labels.
    SHEET_PREFIX = "sheet"

    def __init__(self, *args: Any, employer: Employer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employer = employer
        if self.prefix == self.SHEET_PREFIX:
            for field in self.fields.values():
                field.label = f"表格人员的{field.label}"
        self.fields["position"].queryset = selectors.declarable_positions(employer=employer)  # type: ignore[attr-defined]
        self.fields["position"].label_from_instance = lambda post: (  # type: ignore[attr-defined]
            f"{post.name}（{_CHANNEL_LABELS.get(post.channel, post.channel)}）"
        )
        bootstrap_prefixed(self)

    def declared_post(self) -> DeclaredPost:
        data = self.cleaned_data
        return DeclaredPost(
            employer=self.employer, position=data["position"], channel=data["channel"], post_name=data["post_name"]
        )


class DeclaredPersonForm(forms.Form):
    """One person of Annex 3, required fields first."""

    name = forms.CharField(label="姓名", max_length=limits.PERSON_NAME.max_length)
    id_number = id_number_field()
    mode = forms.ChoiceField(label="引进方式", choices=EmploymentMode.choices)
    contract_term = forms.CharField(
        label="劳动合同期限", max_length=limits.CONTRACT_TERM.max_length, help_text="如：3年、2026年3月至2029年2月"
    )
    programme = forms.ChoiceField(
        label="专项",
        choices=[("", "按毕业时间、工作经历判定（柔性为海聚；应届毕业为启航）"), *Programme.choices],
        required=False,
        help_text="岗位不在平台岗位表中时必选。",
    )
    school = forms.CharField(label="毕业院校", max_length=limits.SCHOOL.max_length, required=False)
    major = forms.CharField(label="专业", max_length=limits.MAJOR.max_length, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "（未填）"), *Education.choices], required=False)
    graduated_on = forms.DateField(label="毕业时间", required=False, widget=DateInput())
    title_rank = forms.CharField(label="职称职级", max_length=limits.TITLE_RANK.max_length, required=False)
    skill_level = forms.CharField(label="技能等级", max_length=limits.SKILL_LEVEL.max_length, required=False)
    arrived_on = forms.DateField(label="入职时间", required=False, widget=DateInput())
    work_experience = forms.CharField(label="工作经历（海聚）", required=False, widget=Textarea(attrs={"rows": 2}))
    other_conditions = forms.CharField(label="其他符合的相关条件", required=False, widget=Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_prefixed(self)

    def person(self) -> PersonData:
        return PersonData(**self.cleaned_data)


#: The people of a declaration: at least one, at most fifty in one form (a sheet takes more).
DeclaredPeopleFormSet = forms.formset_factory(
    DeclaredPersonForm, extra=0, min_num=1, validate_min=True, max_num=50, validate_max=True
)


def grown_people_formset(data: Any) -> Any:
    """The people as typed so far, with one blank person more ("添加人员"): unbound, so nothing is flagged yet."""
    total = min(int(data.get("people-TOTAL_FORMS", "1") or 1), 49)
    names = list(DeclaredPersonForm.base_fields)
    initial = [{name: data.get(f"people-{index}-{name}", "") for name in names} for index in range(total)]
    return DeclaredPeopleFormSet(prefix="people", initial=[*initial, {}])


class DeclarationSheetForm(forms.Form):
    file = forms.FileField(label="Excel文件（.xlsx，附件3格式）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
