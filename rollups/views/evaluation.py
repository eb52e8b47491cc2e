"""The year-end evaluation page (评估考核) and its workbook, for the bureau and the talent centre."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.web.decorators import permission_required
from rollups.evaluation import (
    BASE_COLUMNS,
    COLUMNS,
    RULES,
    BaseEvaluationRow,
    Column,
    EvaluationRow,
    column_groups,
    evaluation_base_table,
    evaluation_table,
)
from rollups.evaluation_workbook import evaluation_workbook, title_for

#: The years the selector offers: the programme began in 2023 (docs/workflows.md, "Roll-ups and the evaluation"); any other year still works by URL.
FIRST_YEAR = 2023
MIN_YEAR, MAX_YEAR = 2000, 2100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if MIN_YEAR <= year <= MAX_YEAR else current


def _display(value: object, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value}%"
    return str(value)


def _cells(row: EvaluationRow | BaseEvaluationRow, columns: tuple[Column, ...] = COLUMNS) -> list[dict[str, object]]:
    return [
        {"text": _display(value, column.kind), "numeric": column.kind != "text"}
        for column, value in zip(columns, row.values(), strict=True)
    ]


def _head(columns: tuple[Column, ...]) -> list[tuple[str, int, str]]:
    """The first header row: (group, span, the header of a column without a group)."""
    head, index = [], 0
    for group, span in column_groups(columns):
        head.append((group, span, columns[index].header))
        index += span
    return head


@permission_required("portal.view_evaluation")
@require_GET
def evaluation(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = evaluation_table(year=year)
    current = timezone.localdate().year
    context = {
        "year": year,
        "title": title_for(year),
        "years": list(range(max(current, year), min(FIRST_YEAR, year) - 1, -1)),
        "groups": column_groups(),
        "columns": COLUMNS,
        "rows": [{"is_total": row.is_total, "cells": _cells(row)} for row in rows],
        "base_head": _head(BASE_COLUMNS),
        "base_columns": BASE_COLUMNS,
        "base_rows": [
            {"is_total": row.is_total, "cells": _cells(row, BASE_COLUMNS)} for row in evaluation_base_table(year=year)
        ],
        "rules": RULES,
    }
    return render(request, "rollups/evaluation.html", context)


@permission_required("portal.view_evaluation")
@require_GET
def evaluation_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return HttpResponse("年度无效。", status=404, content_type="text/plain; charset=utf-8")
    workbook = evaluation_workbook(
        year=year, rows=evaluation_table(year=year), base_rows=evaluation_base_table(year=year)
    )
    response = HttpResponse(workbook, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title_for(year) + '.xlsx')}"
    return response
