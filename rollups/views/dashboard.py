"""The city dashboard page (统计看板) and the CSV download of each of its charts."""

from __future__ import annotations

import csv
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.web.decorators import permission_required
from rollups.dashboard import CHARTS, dashboard_data, dashboard_tables, empty_charts

#: Charts whose table goes below the chart, across the page, rather than beside it.
WIDE_CHARTS = frozenset({"bases"})


def _year(request: HttpRequest) -> int:
    """``?year=``; the current year (Chongqing) when absent or not a plausible year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@require_GET
@permission_required("portal.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = dashboard_data(year=year)
    tables = dashboard_tables(data)
    empty = empty_charts(data)
    chart_data = {
        "progress": data["progress"] | {"targets": data["targets"]},
        "districts": data["districts"],
        "channels": data["channels"],
        "subsidies": data["subsidies"],
        "bases": data["bases"],
        "queues": data["queues"],
    }
    charts = [
        {
            "name": name,
            "title": title,
            "table": tables[name],
            "data": chart_data[name],
            "data_id": f"dashboard-{name}-data",
            # The bases' table has too many columns to sit beside its chart: it goes below, the whole width.
            "wide": name in WIDE_CHARTS,
            # Nothing to draw: 暂无数据 in the chart's place and its table's, no axes and legend around nothing.
            "empty": name in empty,
        }
        for name, title in CHARTS.items()
    ]
    return render(request, "rollups/dashboard.html", {"data": data, "charts": charts, "year": year})


@require_GET
@permission_required("portal.view_dashboard")
def dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in CHARTS:
        raise Http404("没有这个图表。")
    year = _year(request)
    table = dashboard_tables(dashboard_data(year=year))[chart]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # RFC 5987 file name: browsers keep the Chinese title; the BOM makes Excel read the file as UTF-8.
    filename = f"{year}年{table.title}.csv"
    response["Content-Disposition"] = (
        f"attachment; filename=\"dashboard-{chart}-{year}.csv\"; filename*=UTF-8''{quote(filename)}"
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return response
