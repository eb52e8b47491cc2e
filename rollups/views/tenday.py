"""The 旬 roll-up pages and downloads (docs/workflows.md, "Roll-ups and the evaluation"). Thin: find the revision, scope it to the visitor, render.

City staff see every district; district staff see their own district and the city average
(``rollups.exports.rollup_tables`` decides, once).
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from portal.calendar import TenDayPeriod
from portal.errors import PortalError
from portal.web.decorators import permission_required
from portal.web.http import request_user
from rollups.exports import (
    RollUpTables,
    computed_text,
    export_filename,
    export_rollup_pdf,
    export_rollup_workbook,
    figures_version,
    rollup_tables,
)
from rollups.models import RollUp
from rollups.tenday import FIGURES_VERSION

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RollUpNotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/error.html", {"error": PortalError(message, "not_found")}, status=404)


def _find(request: HttpRequest, period: str) -> RollUp:
    """The current revision of ``period``, or the one named by ``?revision=``; ``RollUpNotFound`` otherwise."""
    try:
        parsed = TenDayPeriod.parse(period)
    except ValueError as error:
        raise RollUpNotFound(str(error)) from None
    revisions = RollUp.objects.filter(period=str(parsed))
    raw_revision = request.GET.get("revision", "")
    if raw_revision:
        if not raw_revision.isdigit():
            raise RollUpNotFound(f"{parsed.label}没有第{raw_revision}版汇总。")
        rollup = revisions.filter(revision=int(raw_revision)).first()
        if rollup is None:
            raise RollUpNotFound(f"{parsed.label}没有第{raw_revision}版汇总。")
        return rollup
    rollup = revisions.filter(is_current=True).first()
    if rollup is None:
        raise RollUpNotFound(f"{parsed.label}尚未汇总：旬汇总在该旬结束后生成。")
    return rollup


def _tables(request: HttpRequest, period: str) -> RollUpTables:
    return rollup_tables(rollup=_find(request, period), user=request_user(request))


def _download(content: bytes, content_type: str, filename: str, ascii_filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"
    return response


@permission_required("portal.view_rollups")
@require_GET
def rollup_list(request: HttpRequest) -> HttpResponse:
    """Every rolled-up 旬, newest first: its current revision, and the older ones behind it."""
    periods: dict[str, dict[str, object]] = {}
    for rollup in RollUp.objects.defer("figures").order_by("-period", "-revision"):
        entry = periods.setdefault(rollup.period, {"period": rollup.period, "current": None, "older": [], "label": ""})
        if rollup.is_current:
            entry["current"] = rollup
            entry["label"] = TenDayPeriod.parse(rollup.period).label
        else:
            entry["older"].append(rollup)  # type: ignore[attr-defined]
    entries = [entry for entry in periods.values() if entry["current"] is not None]
    return render(request, "rollups/rollup_list.html", {"entries": entries})


@permission_required("portal.view_rollups")
@require_GET
def rollup_detail(request: HttpRequest, period: str) -> HttpResponse:
    try:
        tables = _tables(request, period)
    except RollUpNotFound as missing:
        return _not_found(request, missing.message)
    revisions = RollUp.objects.filter(period=tables.rollup.period).defer("figures").order_by("-revision")
    query = "" if tables.rollup.is_current else f"?revision={tables.rollup.revision}"
    return render(
        request,
        "rollups/rollup_detail.html",
        {
            "tables": tables,
            "computed": computed_text(tables.rollup),
            "revisions": list(revisions),
            "query": query,
            # Version 1 counted claims and late batches differently; version 2 had no section of the talent bases.
            "old_rules": figures_version(tables.rollup) < 2,
            "no_bases": figures_version(tables.rollup) < FIGURES_VERSION,
        },
    )


#: Each download: what builds it, its content type and its file extension.
_EXPORTS = {
    "xlsx": (export_rollup_workbook, XLSX),
    "pdf": (export_rollup_pdf, "application/pdf"),
}


def _export(request: HttpRequest, period: str, extension: str) -> HttpResponse:
    try:
        tables = _tables(request, period)
    except RollUpNotFound as missing:
        return _not_found(request, missing.message)
    rollup = tables.rollup
    build, content_type = _EXPORTS[extension]
    return _download(
        build(tables),
        content_type,
        export_filename(rollup, extension),
        f"rollup-{rollup.period}-r{rollup.revision}.{extension}",
    )


@permission_required("portal.view_rollups")
@require_GET
@cache_control(private=True, no_cache=True)
def rollup_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    return _export(request, period, "xlsx")


@permission_required("portal.view_rollups")
@require_GET
@cache_control(private=True, no_cache=True)
def rollup_pdf(request: HttpRequest, period: str) -> HttpResponse:
    return _export(request, period, "pdf")
