"""Admin for the reference data. Every admin page shows the record's audit trail (django-auditlog)."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import (
    AnnualTarget,
    CalendarYear,
    District,
    Employer,
    PersonalDataAccess,
    Policy,
    PolicyCategory,
    SubsidyCap,
    ThirdParty,
    User,
    WorkingDayOverride,
)

admin.site.site_header = _("卓越工程师人才服务平台 · 系统管理")
admin.site.site_title = _("卓越工程师人才服务平台")
admin.site.index_title = _("系统管理")


class AuditedModelAdmin(admin.ModelAdmin):
    """Adds the record's audit trail (who, when, what changed) below its change form."""

    change_form_template = "admin/portal/audited_change_form.html"

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        extra_context = extra_context or {}
        content_type = ContentType.objects.get_for_model(self.model)
        extra_context["audit_entries"] = (
            LogEntry.objects.filter(content_type=content_type, object_pk=str(object_id))
            .select_related("actor")
            .order_by("-timestamp")[:200]
        )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedModelAdmin):
    list_display = ["username", "display_name", "role", "district", "employer", "third_party", "is_active"]
    list_filter = ["role", "district", "is_active"]
    search_fields = ["username", "display_name"]
    autocomplete_fields = ["district", "employer", "third_party"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("平台角色"), {"fields": ("role", "display_name", "phone", "district", "employer", "third_party")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("平台角色"), {"fields": ("role", "display_name", "district", "employer", "third_party")}),
    )


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Employer)
class EmployerAdmin(AuditedModelAdmin):
    list_display = ["name", "credit_code", "district", "contact_name"]
    list_filter = ["district"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["district"]


@admin.register(ThirdParty)
class ThirdPartyAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "credit_code", "verified_at"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["verified_at", "verified_by"]


@admin.register(SubsidyCap)
class SubsidyCapAdmin(AuditedModelAdmin):
    list_display = ["channel", "amount", "effective_from", "effective_to", "policy_reference"]
    list_filter = ["channel"]


@admin.register(AnnualTarget)
class AnnualTargetAdmin(AuditedModelAdmin):
    list_display = ["year", "programme", "target", "policy_reference"]
    list_filter = ["programme", "year"]


@admin.register(PolicyCategory)
class PolicyCategoryAdmin(AuditedModelAdmin):
    list_display = ["order", "name"]


@admin.register(Policy)
class PolicyAdmin(AuditedModelAdmin):
    list_display = ["number", "category", "agency"]
    list_filter = ["category"]
    search_fields = ["content", "agency"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    list_display = ["year", "notice_reference", "created_at"]


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Who saw whose data whole, when, why, from where: read only, kept as evidence."""

    list_display = ["accessed_at", "user", "content_type", "object_id", "field", "purpose", "remote_addr"]
    list_filter = ["field", "content_type"]
    search_fields = ["user__username", "purpose"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "accessed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
