"""Excel out: any list of posts as a workbook in the exact Annex 1 layout (附件1 卓越工程师岗位表).

Row 1 is the title; rows 2–3 are the two header rows with 岗位名称 merged over 揭榜招贤 / 引才专项 and the
other headers merged vertically; data rows have 11 cells, written through ``portal.workbooks``' formula guard.
The sheet re-imports through ``positions.importing`` to the same posts; its columns are the importer's own (``importing.COLUMNS``),
and the blank template (``position_template_workbook``) has the same header.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portal.constants import Channel
from portal.workbooks import BORDER, CENTRE, WRAP, header_cell, landscape_a4, set_text, title_row, workbook_bytes
from positions import importing as sheet
from positions.models import Position

TITLE = "卓越工程师岗位表"
#: Column widths, by the importer's column names.
_WIDTHS: dict[str, float] = {
    sheet.COL_NUMBER: 6,
    sheet.COL_EMPLOYER: 24,
    sheet.COL_BOUNTY: 22,
    sheet.COL_SPECIAL: 22,
    sheet.COL_HEADCOUNT: 8,
    sheet.COL_EDUCATION: 9,
    sheet.COL_MAJORS: 22,
    sheet.COL_COMPETENCIES: 46,
    sheet.COL_GRADUATES: 9,
    sheet.COL_SALARY: 14,
    sheet.COL_SOURCE: 12,
}
#: (header, width) for the 11 data columns: the importer's columns, in its order, so the two cannot drift.
COLUMNS: tuple[tuple[str, float], ...] = tuple((column, _WIDTHS[column]) for column in sheet.COLUMNS)
_CHANNEL_COLUMNS = tuple(column for column in sheet.COLUMNS if column in sheet.CHANNEL_COLUMNS)
#: The two header rows as values: 岗位名称 over its two channel sub-columns, every other header on the first row.
HEADER_ROWS: tuple[list[str | None], list[str | None]] = (
    [
        (sheet.COL_NAME if header == _CHANNEL_COLUMNS[0] else None) if header in _CHANNEL_COLUMNS else header
        for header, _ in COLUMNS
    ],
    [header if header in _CHANNEL_COLUMNS else None for header, _ in COLUMNS],
)
#: Data rows of the blank template prepared with the choice lists.
PREPARED_ROWS = 500
_CHOICES = {
    sheet.COL_EDUCATION: "大专,本科,硕士,博士,不限",
    sheet.COL_GRADUATES: "是,否",
}
_WRAPPED = frozenset({sheet.COL_EMPLOYER, *_CHANNEL_COLUMNS, sheet.COL_MAJORS, sheet.COL_COMPETENCIES})


def position_rows(positions: Iterable[Position]) -> Iterable[list[object]]:
    for number, position in enumerate(positions, start=1):
        bounty = position.channel == Channel.BOUNTY_LIST
        cells: dict[str, object] = {
            sheet.COL_NUMBER: number,
            sheet.COL_EMPLOYER: position.employer.name,
            sheet.COL_BOUNTY: position.name if bounty else "",
            sheet.COL_SPECIAL: "" if bounty else position.name,
            sheet.COL_HEADCOUNT: position.headcount,
            sheet.COL_EDUCATION: position.get_education_display(),
            sheet.COL_MAJORS: position.majors,
            sheet.COL_COMPETENCIES: position.competencies,
            sheet.COL_GRADUATES: "是" if position.recruits_graduates else "否",
            sheet.COL_SALARY: position.salary_text,
            sheet.COL_SOURCE: position.district.name,
        }
        yield [cells[column] for column, _width in COLUMNS]


def _annex_sheet() -> tuple[Workbook, Worksheet]:
    """A workbook whose first sheet has Annex 1's title and two header rows, ready for data from row 4."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = TITLE
    title_row(worksheet, TITLE, columns=len(COLUMNS))

    for index, (_header, width) in enumerate(COLUMNS, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
        for header_row_number, header_values in enumerate(HEADER_ROWS, start=2):
            header_cell(worksheet.cell(row=header_row_number, column=index, value=header_values[index - 1]))
        if HEADER_ROWS[1][index - 1] is None:
            worksheet.merge_cells(start_row=2, start_column=index, end_row=3, end_column=index)
    channels = [index for index, (header, _) in enumerate(COLUMNS, start=1) if header in _CHANNEL_COLUMNS]
    worksheet.merge_cells(start_row=2, start_column=channels[0], end_row=2, end_column=channels[-1])
    worksheet.freeze_panes = "A4"
    landscape_a4(worksheet, title_rows="2:3", centred=True)
    return workbook, worksheet


def export_positions_workbook(positions: Iterable[Position]) -> bytes:
    """The posts (with ``employer`` and ``district`` selected) as xlsx bytes."""
    workbook, worksheet = _annex_sheet()
    for row_number, values in enumerate(position_rows(positions), start=4):
        for column, value in enumerate(values, start=1):
            cell = worksheet.cell(row=row_number, column=column)
            set_text(cell, value)
            cell.border = BORDER
            cell.alignment = WRAP if COLUMNS[column - 1][0] in _WRAPPED else CENTRE
    return workbook_bytes(workbook)


def position_template_workbook() -> bytes:
    """The blank Annex 1 sheet a district fills in and imports: the title, the two header rows, and data rows
    prepared with the choice lists of 学历要求 and 是否招聘应届生."""
    workbook, worksheet = _annex_sheet()
    for index, (header, _width) in enumerate(COLUMNS, start=1):
        if header in _CHOICES:
            letter = get_column_letter(index)
            validation = DataValidation(type="list", formula1=f'"{_CHOICES[header]}"', allow_blank=True)
            validation.add(f"{letter}4:{letter}{3 + PREPARED_ROWS}")
            worksheet.add_data_validation(validation)
    return workbook_bytes(workbook)
