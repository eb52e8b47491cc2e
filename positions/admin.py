"""Admin for posts and batches. Status fields are read-only here: they move only through positions.services."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ExportMixin

from portal.admin import AuditedModelAdmin, ReadOnlyAdmin, WorkflowRecordAdmin
from positions.models import Position, PositionBatch, PostProposal
from positions.resources import PositionResource


@admin.register(PositionBatch)
class PositionBatchAdmin(WorkflowRecordAdmin, AuditedModelAdmin):
    list_display = ["district", "period", "status", "is_zero_report", "sent_at", "sent_by"]
    list_filter = ["status", "is_zero_report", "period"]
    search_fields = ["district__name", "period"]
    readonly_fields = ["status", "is_zero_report", "sent_at", "sent_by", "reopened_reason"]
    list_select_related = ["district", "sent_by"]


@admin.register(Position)
class PositionAdmin(ExportMixin, WorkflowRecordAdmin, AuditedModelAdmin):
    """Flat exports through django-import-export; Annex 1 sheets are imported on the portal's own import page
    (one service for the admin, the district clerks and ``manage.py import_positions``)."""

    resource_classes = [PositionResource]
    change_list_template = "admin/positions/position/change_list.html"
    list_display = ["name", "employer", "channel", "headcount", "education", "district", "status", "published_at"]
    list_filter = ["status", "channel", "education", "district"]
    search_fields = ["name", "employer__name", "majors"]
    autocomplete_fields = ["employer"]
    raw_id_fields = ["batch", "created_by"]
    readonly_fields = ["status", "return_reason", "close_reason", "published_at", "salary_min", "salary_max"]
    list_select_related = ["employer", "district"]


@admin.register(PostProposal)
class PostProposalAdmin(ReadOnlyAdmin, WorkflowRecordAdmin, AuditedModelAdmin):
    """Employers' proposals: read here, moved only by the employer and the district's clerk (positions.proposals)."""

    list_display = ["name", "employer", "channel", "headcount", "district", "status", "proposed_at", "decided_at"]
    list_filter = ["status", "channel", "district"]
    search_fields = ["name", "employer__name"]
    raw_id_fields = ["employer", "position", "proposed_by", "decided_by"]
    readonly_fields = ["status", "return_reason", "position", "proposed_by", "proposed_at", "decided_by", "decided_at"]
    list_select_related = ["employer", "district"]
