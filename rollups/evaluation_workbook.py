"""The year-end evaluation as a workbook: a title row, two header rows (group merged over its columns, a column
without a group merged vertically), one row per district, the totals row; panes frozen below the headers and
right of the district; number formats per column kind. District names are data, written formula-safe. A second
sheet, laid out the same way, holds the talent bases' table."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.workbooks import BOLD, BORDER, CENTRE, LEFT, header_cell, landscape_a4, set_text, title_row, workbook_bytes
from rollups.evaluation import (
    BASE_COLUMNS,
    COLUMNS,
    RULES,
    BaseEvaluationRow,
    Column,
    EvaluationRow,
    column_groups,
)

TITLE_ROW, GROUP_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
NUMBER_FORMATS = {"int": "0", "decimal1": "0.0", "percent": '0.0"%"', "money": "#,##0.00"}
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def title_for(year: int) -> str:
    return f"{year}年度卓越工程师工作评估考核表"


def evaluation_workbook(*, year: int, rows: list[EvaluationRow], base_rows: list[BaseEvaluationRow]) -> bytes:
    """The districts' sheet with the rules below it, then the talent bases' sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{year}年度评估考核"
    _table(sheet, title_for(year), COLUMNS, [(row.values(), row.is_total) for row in rows])
    notes_row = FIRST_DATA_ROW + len(rows) + 1
    for offset, rule in enumerate(RULES):
        sheet.cell(row=notes_row + offset, column=1, value=f"注{offset + 1}：{rule}")
    bases = workbook.create_sheet("人才基地")
    _table(
        bases, f"{year}年度卓越工程师人才基地情况", BASE_COLUMNS, [(row.values(), row.is_total) for row in base_rows]
    )
    return workbook_bytes(workbook)


def _table(sheet: Worksheet, title: str, columns: tuple[Column, ...], rows: list[tuple[list[object], bool]]) -> None:
    title_row(sheet, title, columns=len(columns))
    column = 1
    for group, span in column_groups(columns):
        if group:
            sheet.cell(row=GROUP_ROW, column=column, value=group)
            if span > 1:
                sheet.merge_cells(
                    start_row=GROUP_ROW, start_column=column, end_row=GROUP_ROW, end_column=column + span - 1
                )
        column += span
    for index, spec in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = spec.width
        if spec.group:
            sheet.cell(row=HEADER_ROW, column=index, value=spec.header)
        else:
            sheet.cell(row=GROUP_ROW, column=index, value=spec.header)
            sheet.merge_cells(start_row=GROUP_ROW, start_column=index, end_row=HEADER_ROW, end_column=index)
        for row_number in (GROUP_ROW, HEADER_ROW):
            header_cell(sheet.cell(row=row_number, column=index))
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"

    for row_number, (values, is_total) in enumerate(rows, start=FIRST_DATA_ROW):
        for index, (spec, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=index)
            set_text(cell, value if value != "" else None)
            cell.border = BORDER
            cell.alignment = LEFT if spec.kind == "text" else CENTRE
            if spec.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[spec.kind]
            if is_total:
                cell.font, cell.fill = BOLD, _TOTAL_FILL
    landscape_a4(sheet, title_rows=f"{GROUP_ROW}:{HEADER_ROW}", fit_to_width=True)
