"""The year-end evaluation as a workbook: a title row, two header rows (group merged over its columns, a column
without a group merged vertically), one row per district, the totals row; panes frozen below the headers and
right of the district; number formats per column kind. District names are data, written formula-safe."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from rollups.evaluation import COLUMNS, RULES, EvaluationRow, column_groups

TITLE_ROW, GROUP_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
NUMBER_FORMATS = {"int": "0", "decimal1": "0.0", "percent": '0.0"%"', "money": "#,##0.00"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def title_for(year: int) -> str:
    return f"{year}年度卓越工程师工作评估考核表"


def evaluation_workbook(*, year: int, rows: list[EvaluationRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{year}年度评估考核"
    last = get_column_letter(len(COLUMNS))

    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = sheet.cell(row=TITLE_ROW, column=1, value=title_for(year))
    title.font = Font(name="宋体", size=16, bold=True)
    title.alignment = _CENTRE
    sheet.row_dimensions[TITLE_ROW].height = 30

    column = 1
    for group, span in column_groups():
        if group:
            sheet.cell(row=GROUP_ROW, column=column, value=group)
            if span > 1:
                sheet.merge_cells(
                    start_row=GROUP_ROW, start_column=column, end_row=GROUP_ROW, end_column=column + span - 1
                )
        column += span
    for index, spec in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = spec.width
        if spec.group:
            sheet.cell(row=HEADER_ROW, column=index, value=spec.header)
        else:
            sheet.cell(row=GROUP_ROW, column=index, value=spec.header)
            sheet.merge_cells(start_row=GROUP_ROW, start_column=index, end_row=HEADER_ROW, end_column=index)
        for row_number in (GROUP_ROW, HEADER_ROW):
            cell = sheet.cell(row=row_number, column=index)
            cell.border, cell.alignment, cell.font = _BORDER, _CENTRE, _BOLD
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"

    for row_number, row in enumerate(rows, start=FIRST_DATA_ROW):
        for index, (spec, value) in enumerate(zip(COLUMNS, row.values(), strict=True), start=1):
            cell = sheet.cell(row=row_number, column=index, value=value if value != "" else None)
            if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
                cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula
            cell.border = _BORDER
            cell.alignment = _LEFT if spec.kind == "text" else _CENTRE
            if spec.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[spec.kind]
            if row.is_total:
                cell.font, cell.fill = _BOLD, _TOTAL_FILL

    notes_row = FIRST_DATA_ROW + len(rows) + 1
    for offset, rule in enumerate(RULES):
        sheet.cell(row=notes_row + offset, column=1, value=f"注{offset + 1}：{rule}")

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = f"{GROUP_ROW}:{HEADER_ROW}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
