"""Claims in the admin: to read, never to change. A claim moves only through its workflow (subsidies.services: the
claimant's submission, the two reviews, the payment), which checks each move and the money rules; the admin opens
a claim to read it whole with its audit trail under it. The bank account stays masked here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import AuditedModelAdmin, ReadOnlyAdmin, WorkflowRecordAdmin
from portal.identity import mask_bank_account
from subsidies.models import Claim, ClaimAttachment, ClaimItem, PersonException


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClaimItemInline(_ReadOnlyInline):
    model = ClaimItem
    fields = readonly_fields = ("hire", "live", "cap", "requested_amount", "approved_amount", "person_exception")


class ClaimAttachmentInline(_ReadOnlyInline):
    model = ClaimAttachment
    fields = readonly_fields = ("kind", "original_name", "size", "uploaded_at")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin, WorkflowRecordAdmin, AuditedModelAdmin):
    list_display = [
        "reference",
        "third_party",
        "employer",
        "status",
        "requested_total",
        "approved_total",
        "status_since",
    ]
    list_filter = ["status"]
    search_fields = ["reference", "third_party__name", "employer__name"]
    list_select_related = ["third_party", "employer"]
    exclude = ["bank_account"]
    readonly_fields = ["bank_account_masked"]
    inlines = [ClaimItemInline, ClaimAttachmentInline]

    @admin.display(description="银行账号")
    def bank_account_masked(self, claim: Claim) -> str:
        return mask_bank_account(claim.bank_account) if claim.bank_account else "—"


@admin.register(PersonException)
class PersonExceptionAdmin(ReadOnlyAdmin, WorkflowRecordAdmin, AuditedModelAdmin):
    """再次补助例外: recorded by the bureau's reviewers on their page (subsidies.services.person_exception_record);
    read here with the audit trail. The ID number stays masked."""

    list_display = ["__str__", "reason", "recorded_by", "created_at"]
    search_fields = ["name"]
    list_select_related = ["recorded_by"]
    exclude = ["id_number"]
    readonly_fields = ["name", "reason", "recorded_by", "created_at"]
