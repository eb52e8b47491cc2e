"""Admin for hires, notices and objections: read-mostly; moves go through referrals.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse

from portal.admin import (
    AnonymisedReadOnlyMixin,
    AuditedModelAdmin,
    IdNumberSearchMixin,
    ReadOnlyAdmin,
    WorkflowRecordAdmin,
)
from portal.security.privacy import personal_data_reveal
from portal.web.http import client_address
from referrals.models import (
    Declaration,
    DeclaredPerson,
    GraduateWindow,
    Hire,
    Objection,
    PublicityExemptionRule,
    PublicityNotice,
)
from referrals.services import hire_duplicate_of


class HireAdminForm(forms.ModelForm):
    class Meta:
        model = Hire
        fields = "__all__"  # noqa: DJ007  (the ModelAdmin decides which fields the form shows)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        number, programme, year = cleaned.get("id_number"), cleaned.get("programme"), cleaned.get("year")
        if number and programme and year:
            refusal = hire_duplicate_of(id_number=number, programme=programme, year=year, exclude_pk=self.instance.pk)
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(Hire)
class HireAdmin(AnonymisedReadOnlyMixin, IdNumberSearchMixin, WorkflowRecordAdmin, AuditedModelAdmin):
    form = HireAdminForm
    list_display = ["name", "id_number_shown", "office_shown", "programme", "mode", "status", "confirmed_at"]
    list_filter = ["status", "programme", "mode", "district"]
    search_fields = ["name"]  # and a whole ID number (IdNumberSearchMixin)
    list_select_related = ["district"]
    # ID numbers are never shown whole in lists; the change form shows them to admins only. The employer's
    # confirmation is a move of the employer's (referrals.services), recorded with its time to the microsecond: an
    # input showing minutes would cut it on every save.
    readonly_fields = [
        "status",
        "notice",
        "confirmed_at",
        "exemption_rule",
        "exemption_note",
        "return_reason",
        "recorded_by",
        "edited_by",
        "anonymised_at",
        "employer_confirmation",
        "employer_confirmed_at",
        "employer_confirmed_by",
        "employer_decline_reason",
    ]
    raw_id_fields = ["position", "employer", "third_party", "report"]

    @admin.display(description="身份证号码")
    def id_number_shown(self, obj: Hire) -> str:
        return obj.id_number_masked

    @admin.display(description="审核公示单位", ordering="district__order")
    def office_shown(self, obj: Hire) -> str:
        # A hire without a district is the talent centre's (docs/roles.md, "The office of record").
        return obj.office_name

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The change form shows the whole ID number: the admin's look is recorded like anyone's.
        if request.method == "GET" and (hire := self.get_object(request, object_id)) is not None:
            personal_data_reveal(
                obj=hire,
                field="id_number",
                by=request.user,  # type: ignore[arg-type]
                allowed=self.has_view_permission(request, hire),
                purpose="系统管理",
                remote_addr=client_address(request),
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PublicityNotice)
class PublicityNoticeAdmin(WorkflowRecordAdmin, AuditedModelAdmin):
    list_display = ["reference", "title", "office_shown", "published_on", "closes_at", "closed_processed_at"]
    list_filter = ["district"]
    list_select_related = ["district"]
    readonly_fields = ["closes_at", "closed_processed_at", "published_by"]

    @admin.display(description="公示单位", ordering="district__order")
    def office_shown(self, obj: PublicityNotice) -> str:
        return obj.office_name


@admin.register(Objection)
class ObjectionAdmin(AnonymisedReadOnlyMixin, WorkflowRecordAdmin, AuditedModelAdmin):
    anonymised_through = "hire"

    list_display = ["receipt", "hire", "status", "created_at", "resolved_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "resolution", "resolved_by", "resolved_at"]
    raw_id_fields = ["hire"]


@admin.register(GraduateWindow)
class GraduateWindowAdmin(WorkflowRecordAdmin, AuditedModelAdmin):
    """Which graduates count as 应届 for 启航, from a programme year on (docs/workflows.md, "Which programme"). A
    hire is checked against the rule when recorded and when audited; hires already audited are not re-checked."""

    list_display = ["from_year", "years_before", "basis", "updated_at"]


@admin.register(PublicityExemptionRule)
class PublicityExemptionRuleAdmin(WorkflowRecordAdmin, AuditedModelAdmin):
    """The rules a district reviewer may exempt a hire from publicity under (按规定不公示). A rule in use is
    deactivated, never deleted: the hires exempted under it keep naming it. A window is edited, never deleted (its history is the audit trail)."""

    list_display = ["name", "basis", "active", "order"]
    list_editable = ["active", "order"]
    list_filter = ["active"]


#: A declared person's fields on its admin page, in Annex 3's order; the whole ID number is never among them.
DECLARED_PERSON_FIELDS = (
    "declaration",
    "employer",
    "third_party",
    "name",
    "id_number_shown",
    "mode",
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
    "decline_reason",
    "decided_by",
    "decided_at",
    "hire",
    "anonymised_at",
)


class DeclaredPersonInline(admin.TabularInline):
    model = DeclaredPerson
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ("name", "id_number_shown", "programme", "status", "decline_reason", "hire")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="身份证号码")
    def id_number_shown(self, obj: DeclaredPerson) -> str:
        return obj.id_number_masked


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin, WorkflowRecordAdmin, AuditedModelAdmin):
    """第三方推荐申报: read only. The third party declares and the employer answers through
    ``referrals.declarations`` (docs/workflows.md, "Declarations by third parties")."""

    list_display = ["post_name", "third_party", "employer", "channel", "submitted_at", "people_count"]
    list_filter = ["channel", "people__status"]
    search_fields = ["third_party__name", "third_party__credit_code", "employer__name", "employer__credit_code"]
    list_select_related = ["third_party", "employer"]
    fields = readonly_fields = (
        "third_party",
        "employer",
        "position",
        "channel",
        "post_name",
        "submitted_by",
        "submitted_at",
    )
    inlines = [DeclaredPersonInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Declaration]:
        return super().get_queryset(request).annotate(people_total=Count("people", distinct=True))

    @admin.display(description="申报人数", ordering="people_total")
    def people_count(self, obj: Declaration) -> int:
        return obj.people_total  # type: ignore[attr-defined]


@admin.register(DeclaredPerson)
class DeclaredPersonAdmin(IdNumberSearchMixin, ReadOnlyAdmin, WorkflowRecordAdmin, AuditedModelAdmin):
    """申报人员: read only, the ID number masked (a whole number typed in the search box finds its person)."""

    list_display = ["name", "id_number_shown", "third_party", "employer", "programme", "status", "decided_at"]
    list_filter = ["status", "programme"]
    search_fields = ["name", "third_party__name", "third_party__credit_code", "employer__name", "employer__credit_code"]
    list_select_related = ["third_party", "employer"]
    fields = readonly_fields = DECLARED_PERSON_FIELDS

    @admin.display(description="身份证号码")
    def id_number_shown(self, obj: DeclaredPerson) -> str:
        return obj.id_number_masked if obj.id_number else "—"
