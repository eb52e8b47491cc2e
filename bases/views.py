"""The public base list, and the admin's import of the list (upload → preview → confirm, all or nothing).

Thin: the import's flow is ``portal.imports.pages``' (shared with the Annex 1 and Annex 3 imports), its rules are
``bases.importing``'s (the same service as the ``import_bases`` command and the background job).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bases.exporting import base_list_workbook
from bases.importing import BaseImportResult, BasePreview, import_bases, preview_bases
from bases.selectors import base_list_for_export, batches_with_bases
from portal.calendar import TenDayPeriod
from portal.constants import ImportJobKind
from portal.imports.pages import SheetImportForm, SheetImportView
from portal.imports.uploads import PendingUpload
from portal.models import District, User
from portal.web.decorators import permission_required
from portal.workbooks import xlsx_response


@require_GET
def base_list(request: HttpRequest) -> HttpResponse:
    return render(request, "bases/list.html", {"batches": batches_with_bases()})


class BaseImportForm(SheetImportForm):
    """Upload of a base list: city-wide, each row names its own district."""

    district_scoped = False
    file = forms.FileField(label="Excel文件（.xlsx，人才基地名单格式）", required=False)


class BaseImportView(SheetImportView):
    form_class = BaseImportForm
    template_name = "bases/import.html"
    job_kind = ImportJobKind.BASES
    pending = PendingUpload("bases_import_upload")

    def preview(self, *, data: bytes, district: District | None, period: TenDayPeriod | None, by: User) -> BasePreview:
        return preview_bases(file=data, by=by)

    def run_import(
        self, *, file: Any, district: District | None, period: TenDayPeriod | None, by: User
    ) -> BaseImportResult:
        return import_bases(file=file, by=by)

    def success_message(self, result: BaseImportResult) -> str:
        return (
            f"导入完成：新增基地{result.created}家，更新单位信息{result.updated}家，"
            f"新建用人单位{result.employers_created}家，新建批次{result.batches_created}个。"
        )

    def success_url(self, *, user: User, period: TenDayPeriod | None) -> str:
        return reverse("bases:list")


import_sheet = permission_required("bases.import_sheet")(BaseImportView.as_view())


@permission_required("bases.import_sheet")
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """The blank base list, with the header the importer reads."""
    return xlsx_response(base_list_workbook(), "卓越工程师人才基地名单（模板）.xlsx")


@permission_required("bases.import_sheet")
@require_GET
def list_download(request: HttpRequest) -> HttpResponse:
    """The list as it stands, in the import's layout: corrected and uploaded again, it updates the same bases."""
    return xlsx_response(base_list_workbook(base_list_for_export()), "卓越工程师人才基地名单.xlsx")
