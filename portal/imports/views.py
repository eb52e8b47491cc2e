"""The page of one background import job: its progress (polled with htmx while a worker is on it), the validated
counts with the confirm button, and the result. Thin: ``portal.imports.jobs`` does the work.

Only the owner, the district's own staff and admins see a job; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from portal.calendar import TenDayPeriod
from portal.constants import ImportJobKind
from portal.errors import PortalError
from portal.imports.jobs import import_job_confirm, import_job_create, import_jobs_visible, runs_in_background
from portal.models import District, ImportJob, User
from portal.web.http import request_user


def start_in_background(
    request: HttpRequest,
    form: forms.Form,
    *,
    kind: str,
    data: bytes,
    filename: str,
    district: District | None,
    period: TenDayPeriod | None,
    template: str,
    context: dict[str, Any],
) -> HttpResponse | None:
    """The upload step the import pages share (Annex 1, Annex 3, the base list): a sheet large enough to be read, checked and
    written by a worker (``runs_in_background``) becomes a job, and the reader goes to its page, which shows the
    progress; a refusal (size, zip structure, who may import) shows on the form. None: a small sheet, which the page
    previews itself."""
    if not runs_in_background(data):
        return None
    try:
        job = import_job_create(
            kind=kind, data=data, filename=filename, district=district, period=period, by=request_user(request)
        )
    except PortalError as error:
        form.add_error("file", error.message)
        return render(request, template, context)
    return redirect("portal:import_job", pk=job.pk)


#: How often the page asks for the job's progress while a worker is on it.
POLL_SECONDS = 1


def _links(job: ImportJob, user: User) -> dict[str, str]:
    """Where the imported rows are, and where to upload again: the district's pages, or the admin's lists."""
    if job.kind == ImportJobKind.POSITIONS:
        again = reverse("positions:import")
        if user.district_id:
            result = f"{reverse('positions:district_batch')}?period={job.period}"
        else:
            result = reverse("admin:positions_position_changelist")
        return {"result": result, "again": f"{again}?period={job.period}"}
    if job.kind == ImportJobKind.BASES:
        return {"result": reverse("bases:list"), "again": reverse("bases:import")}
    result = reverse("referrals:hire_list") if user.district_id else reverse("admin:referrals_hire_changelist")
    return {"result": result, "again": reverse("referrals:hire_import")}


@login_required
@require_GET
@vary_on_headers("HX-Request")
def import_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole page; an htmx poll gets only the status block, which stops polling once the worker is done."""
    user = request_user(request)
    job = get_object_or_404(import_jobs_visible(user=user), pk=pk)
    context = {
        "job": job,
        "links": _links(job, user),
        "is_owner": job.owner_id == user.pk,
        "poll_seconds": POLL_SECONDS,
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = bool(htmx) and not htmx.history_restore_request
    return render(request, "portal/_import_job_status.html" if partial else "portal/import_job.html", context)


@login_required
@require_POST
def import_job_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    job = get_object_or_404(import_jobs_visible(user=user), pk=pk)
    try:
        import_job_confirm(job=job, by=user)
    except PortalError as error:
        messages.error(request, error.message)
    return redirect("portal:import_job", pk=job.pk)
