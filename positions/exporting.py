"""Excel out: any list of posts as a workbook in the exact Annex 1 layout (附件1 卓越工程师岗位表).

Row 1 is the title; rows 2–3 are the two header rows with 岗位名称 merged over 揭榜招贤 / 引才专项 and the
other headers merged vertically; data rows have 11 cells. Cell text that a spreadsheet would take for a
formula (=, +, -, @, tab, CR) is written as an explicit string, never a formula. The sheet re-imports
through ``positions.importing`` to the same posts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from portal.constants import Channel
from positions.models import Position

TITLE = "卓越工程师岗位表"
#: (header, width) for the 11 data columns, in the annex's order.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6),
    ("用人单位", 24),
    ("揭榜招贤", 22),
    ("引才专项", 22),
    ("需求人数", 8),
    ("学历要求", 9),
    ("专业要求", 22),
    ("职业能力要求", 46),
    ("是否招聘应届生", 9),
    ("薪资范围", 14),
    ("填报来源", 12),
)
_CHANNEL_COLUMNS = ("揭榜招贤", "引才专项")
#: The two header rows as values: 岗位名称 over its two channel sub-columns, every other header on the first row.
HEADER_ROWS: tuple[list[str | None], list[str | None]] = (
    [
        ("岗位名称" if header == _CHANNEL_COLUMNS[0] else None) if header in _CHANNEL_COLUMNS else header
        for header, _ in COLUMNS
    ],
    [header if header in _CHANNEL_COLUMNS else None for header, _ in COLUMNS],
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _set_text(cell: Cell, value: object) -> None:
    """Write a value; strings a spreadsheet would evaluate stay inert text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula


def position_rows(positions: Iterable[Position]) -> Iterable[list[object]]:
    for number, position in enumerate(positions, start=1):
        bounty = position.channel == Channel.BOUNTY_LIST
        yield [
            number,
            position.employer.name,
            position.name if bounty else "",
            "" if bounty else position.name,
            position.headcount,
            position.get_education_display(),
            position.majors,
            position.competencies,
            "是" if position.recruits_graduates else "否",
            position.salary_text,
            position.district.name,
        ]


def export_positions_workbook(positions: Iterable[Position]) -> bytes:
    """The posts (with ``employer`` and ``district`` selected) as xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = TITLE
    last = get_column_letter(len(COLUMNS))

    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(name="宋体", size=16, bold=True)
    sheet["A1"].alignment = _CENTRE
    sheet.row_dimensions[1].height = 30

    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        for header_row_number, header_values in enumerate(HEADER_ROWS, start=2):
            cell = sheet.cell(row=header_row_number, column=index, value=header_values[index - 1])
            cell.border = _BORDER
            cell.alignment = _CENTRE
            cell.font = Font(bold=True)
        if HEADER_ROWS[1][index - 1] is None:
            sheet.merge_cells(start_row=2, start_column=index, end_row=3, end_column=index)
    sheet.merge_cells(start_row=2, start_column=3, end_row=2, end_column=4)
    sheet.freeze_panes = "A4"

    for row_number, values in enumerate(position_rows(positions), start=4):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            _set_text(cell, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if column in (2, 3, 4, 7, 8) else _CENTRE

    sheet.print_options.horizontalCentered = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "2:3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
