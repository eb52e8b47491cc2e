"""The sheet import page every domain importer shares: upload → preview of every row with its errors → confirm,
all or nothing. A sheet large enough for a worker becomes a background job instead (``start_in_background``).

Each importer (Annex 1 posts, Annex 3 hires) configures one ``SheetImportView``: its form, its preview and import
services, its words and where a clerk goes after the import. The page is ``templates/portal/import.html``, which the
importer's own template extends with its columns. The core imports no domain app: the importer hands its services in.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from portal.calendar import TenDayPeriod
from portal.errors import PortalError
from portal.imports.jobs import import_jobs_recent
from portal.imports.sheets import PortalImportError
from portal.imports.uploads import PendingUpload, read_upload
from portal.imports.views import start_in_background
from portal.models import District, User
from portal.web.http import request_user
from portal.web.widgets import bootstrap
from portal.workbooks import XLSX

#: What a confirmation finds when the preview's sheet is gone: imported already, expired, or never uploaded.
NOTHING_PENDING = "没有待确认的表格（可能已导入或已过期），请重新上传。"
NO_FILE = "请选择要导入的Excel文件。"


class SheetImportForm(forms.Form):
    """Upload of an annex sheet. District clerks import into their own district; admins choose one. A city-wide
    sheet (``district_scoped = False``: the talent base list, whose rows name their own districts) asks for none."""

    #: Whether the sheet goes into one district (Annex 1, Annex 3) or is city-wide.
    district_scoped: ClassVar[bool] = True

    district = forms.ModelChoiceField(label="导入区县", queryset=District.objects.order_by("order"), required=False)
    file = forms.FileField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.district_id or not self.district_scoped:
            del self.fields["district"]
        bootstrap(self)
        self.fields["file"].widget.attrs["accept"] = f".xlsx,{XLSX}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.district_scoped and not self.user.district_id and not data.get("district"):
            self.add_error("district", "请选择导入的区县。")
        return data

    @property
    def target(self) -> District | None:
        """The district the sheet goes into: the clerk's own, or the one an admin chose; None for a city-wide sheet."""
        if not self.district_scoped:
            return None
        return cast(District, self.user.district if self.user.district_id else self.cleaned_data["district"])

    @property
    def target_period(self) -> TenDayPeriod | None:
        """The 旬 the sheet goes into, for an importer that asks for one."""
        return cast("TenDayPeriod | None", self.cleaned_data.get("period"))


class SheetImportView(View):
    """Upload → preview → confirm. Subclasses set the class attributes and the four methods below."""

    http_method_names: ClassVar[list[str]] = ["get", "post"]  # type: ignore[misc]
    form_class: ClassVar[type[SheetImportForm]]
    template_name: ClassVar[str]
    #: The ``ImportJobKind`` of the background jobs this page starts and lists.
    job_kind: ClassVar[str]
    #: The sheet between its preview and its confirmation, kept per session.
    pending: ClassVar[PendingUpload]

    def preview(self, *, data: bytes, district: District | None, period: TenDayPeriod | None, by: User) -> Any:
        raise NotImplementedError

    def run_import(self, *, file: Any, district: District | None, period: TenDayPeriod | None, by: User) -> Any:
        raise NotImplementedError

    def success_message(self, result: Any) -> str:
        raise NotImplementedError

    def success_url(self, *, user: User, period: TenDayPeriod | None) -> str:
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        return {}

    def extra_context(self, user: User) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def _page(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form = self.form_class(request.POST or None, request.FILES or None, user=user, initial=self.initial())
        context: dict[str, Any] = {
            "form": form,
            "recent_jobs": import_jobs_recent(user=user, kind=self.job_kind),
            **self.extra_context(user),
        }
        if request.method == "POST" and form.is_valid():
            district, period = form.target, form.target_period
            if "confirm" in request.POST:
                response = self._confirm(request, district=district, period=period, context=context)
                if response is not None:
                    return response
            elif request.FILES.get("file"):
                response = self._upload(request, form, district=district, period=period, context=context)
                if response is not None:
                    return response
            else:
                form.add_error("file", NO_FILE)
        return render(request, self.template_name, context)

    def _confirm(
        self, request: HttpRequest, *, district: District | None, period: TenDayPeriod | None, context: dict[str, Any]
    ) -> HttpResponse | None:
        pending = self.pending.path(request)
        if pending is None:
            messages.error(request, NOTHING_PENDING)
            return None
        user = request_user(request)
        try:
            result = self.run_import(file=pending, district=district, period=period, by=user)
        except PortalImportError as error:
            context["errors"] = error.errors
            messages.error(request, error.message)
        except PortalError as error:
            messages.error(request, error.message)
        else:
            self.pending.discard(request)
            messages.success(request, self.success_message(result))
            return redirect(self.success_url(user=user, period=period))
        return None

    def _upload(
        self,
        request: HttpRequest,
        form: SheetImportForm,
        *,
        district: District | None,
        period: TenDayPeriod | None,
        context: dict[str, Any],
    ) -> HttpResponse | None:
        upload = cast(UploadedFile, request.FILES["file"])
        data = read_upload(upload)
        started = start_in_background(
            request,
            form,
            kind=self.job_kind,
            data=data,
            filename=upload.name or "",
            district=district,
            period=period,
            template=self.template_name,
            context=context,
        )
        if started is not None:
            return started
        try:
            preview = self.preview(data=data, district=district, period=period, by=request_user(request))
        except PortalError as error:
            form.add_error("file", error.message)
        else:
            self.pending.store(request, data=data, filename=upload.name or "")
            context.update(preview=preview, district=district, period=period, filename=upload.name)
        return None
