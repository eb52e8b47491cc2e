"""Annex 3 sheet import: upload → preview of every row with its errors → confirm; and the blank sheet to fill in.

Thin: the rules are ``referrals.importing``'s (the same service as the ``import_hires`` command); the file kept
between preview and confirmation is ``portal.imports.uploads``'.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.constants import ImportJobKind
from portal.errors import PortalError
from portal.imports.jobs import import_jobs_recent
from portal.imports.uploads import PendingUpload, read_upload
from portal.imports.views import start_in_background
from portal.models import District, User
from portal.web.decorators import permission_required
from portal.web.http import request_user
from referrals import selectors
from referrals.exporting import hire_template_workbook
from referrals.importing import PortalImportError, import_hires, preview_hires

_PENDING_UPLOAD = PendingUpload("referrals_hire_import_upload")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HireImportForm(forms.Form):
    """Upload of an Annex 3 sheet. District clerks import into their own district; admins choose one."""

    district = forms.ModelChoiceField(label="导入区县", queryset=District.objects.order_by("order"), required=False)
    file = forms.FileField(label="Excel文件（.xlsx，附件3格式）", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.district_id:
            del self.fields["district"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        self.fields["file"].widget.attrs["accept"] = f".xlsx,{_XLSX}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.user.district_id and not data.get("district"):
            self.add_error("district", "请选择导入的区县。")
        return data

    @property
    def target(self) -> District:
        return cast(District, self.user.district if self.user.district_id else self.cleaned_data["district"])


@permission_required("referrals.import_sheet")
@require_http_methods(["GET", "POST"])
def import_sheet(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = HireImportForm(request.POST or None, request.FILES or None, user=user)
    context: dict[str, Any] = {
        "form": form,
        "recent_jobs": import_jobs_recent(user=user, kind=ImportJobKind.HIRES),
        # A clerk's sheet can only name the district's published posts: with none, say so before the upload.
        "no_posts": user.district is not None and not selectors.hirable_positions(district=user.district).exists(),
    }
    if request.method == "POST" and form.is_valid():
        district = form.target
        pending = _PENDING_UPLOAD.path(request)
        if "confirm" in request.POST:
            if pending is None:
                messages.error(request, "没有待确认的表格（可能已导入或已过期），请重新上传。")
                return render(request, "referrals/import.html", context)
            try:
                result = import_hires(file=pending, district=district, by=user)
            except PortalImportError as error:
                context["errors"] = error.errors
                messages.error(request, error.message)
            except PortalError as error:
                messages.error(request, error.message)
            else:
                _PENDING_UPLOAD.discard(request)
                messages.success(request, f"导入完成：登记到岗人员{result.created}人，待初审。")
                return redirect(
                    reverse("referrals:hire_list") if user.district_id else reverse("admin:referrals_hire_changelist")
                )
        elif request.FILES.get("file"):
            upload = cast(UploadedFile, request.FILES["file"])
            data = read_upload(upload)
            started = start_in_background(
                request,
                form,
                kind=ImportJobKind.HIRES,
                data=data,
                filename=upload.name or "",
                district=district,
                period=None,
                template="referrals/import.html",
                context=context,
            )
            if started is not None:
                return started
            try:
                preview = preview_hires(file=data, district=district, by=user)
            except PortalError as error:
                form.add_error("file", error.message)
            else:
                _PENDING_UPLOAD.store(request, data=data, filename=upload.name or "")
                context.update(preview=preview, district=district, filename=upload.name)
        else:
            form.add_error("file", "请选择要导入的Excel文件。")
    return render(request, "referrals/import.html", context)


@permission_required("referrals.import_sheet")
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(hire_template_workbook(), content_type=_XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('用人单位引进人才确认表（模板）.xlsx')}"
    return response
