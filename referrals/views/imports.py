"""Annex 3 sheet import: upload → preview of every row with its errors → confirm; and the blank sheet to fill in.

Thin: the flow is ``portal.imports.pages``' (shared with the Annex 1 import), the rules are
``referrals.importing``'s (the same service as the ``import_hires`` command).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal.calendar import TenDayPeriod
from portal.constants import ImportJobKind
from portal.imports.pages import SheetImportForm, SheetImportView
from portal.imports.uploads import PendingUpload
from portal.models import District, User
from portal.web.decorators import permission_required
from portal.workbooks import xlsx_response
from referrals import selectors
from referrals.exporting import hire_template_workbook
from referrals.importing import HireImportResult, HirePreview, import_hires, preview_hires


class HireImportForm(SheetImportForm):
    """Upload of an Annex 3 sheet."""

    file = forms.FileField(label="Excel文件（.xlsx，附件3格式）", required=False)


class HireImportView(SheetImportView):
    form_class = HireImportForm
    template_name = "referrals/import.html"
    job_kind = ImportJobKind.HIRES
    pending = PendingUpload("referrals_hire_import_upload")

    def extra_context(self, user: User) -> dict[str, Any]:
        # A clerk's sheet can only name the district's published posts: with none, say so before the upload.
        return {
            "no_posts": user.district is not None and not selectors.hirable_positions(district=user.district).exists()
        }

    def preview(self, *, data: bytes, district: District | None, period: TenDayPeriod | None, by: User) -> HirePreview:
        return preview_hires(file=data, district=cast(District, district), by=by)

    def run_import(
        self, *, file: Any, district: District | None, period: TenDayPeriod | None, by: User
    ) -> HireImportResult:
        return import_hires(file=file, district=cast(District, district), by=by)

    def success_message(self, result: HireImportResult) -> str:
        return f"导入完成：登记到岗人员{result.created}人，待初审。"

    def success_url(self, *, user: User, period: TenDayPeriod | None) -> str:
        return reverse("referrals:hire_list") if user.district_id else reverse("admin:referrals_hire_changelist")


import_sheet = permission_required("referrals.import_sheet")(HireImportView.as_view())


@permission_required("referrals.download_annex3_template")
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    return xlsx_response(hire_template_workbook(), "用人单位引进人才确认表（模板）.xlsx")
