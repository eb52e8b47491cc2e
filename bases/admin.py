from django.contrib import admin

from bases.models import BaseBatch, TalentBase
from portal.admin import AuditedModelAdmin


class TalentBaseInline(admin.TabularInline):
    model = TalentBase
    autocomplete_fields = ["employer"]
    extra = 0


@admin.register(BaseBatch)
class BaseBatchAdmin(AuditedModelAdmin):
    list_display = ["title", "year", "number", "notice_reference"]
    inlines = [TalentBaseInline]


@admin.register(TalentBase)
class TalentBaseAdmin(AuditedModelAdmin):
    list_display = ["number", "employer", "batch"]
    list_filter = ["batch"]
    search_fields = ["employer__name"]
    autocomplete_fields = ["employer"]
