"""Admin for hires, notices and objections: read-mostly; moves go through referrals.services."""

from __future__ import annotations

from django.contrib import admin

from portal.admin import AuditedModelAdmin
from referrals.models import Hire, Objection, PublicityNotice


@admin.register(Hire)
class HireAdmin(AuditedModelAdmin):
    list_display = ["name", "id_number_masked", "district", "programme", "mode", "status", "confirmed_at"]
    list_filter = ["status", "programme", "mode", "district"]
    search_fields = ["name"]
    list_select_related = ["district"]
    # ID numbers are never shown whole in lists; the change form shows them to admins only.
    readonly_fields = ["status", "notice", "confirmed_at", "exemption_reason", "return_reason", "recorded_by"]
    raw_id_fields = ["position", "third_party"]


@admin.register(PublicityNotice)
class PublicityNoticeAdmin(AuditedModelAdmin):
    list_display = ["reference", "title", "district", "published_on", "closes_at", "closed_processed_at"]
    list_filter = ["district"]
    readonly_fields = ["closes_at", "closed_processed_at", "published_by"]


@admin.register(Objection)
class ObjectionAdmin(AuditedModelAdmin):
    list_display = ["receipt", "hire", "status", "created_at", "resolved_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "resolution", "resolved_by", "resolved_at"]
    raw_id_fields = ["hire"]
