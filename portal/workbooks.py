"""Writing the portal's Excel workbooks (openpyxl), for every export and blank template.

One place for what every workbook shares: the thin borders, centred headers and title font; the title row merged
across the table; landscape A4 with the header rows repeated on each printed page; the formula guard; the bytes and
the download response. What each workbook's columns hold stays with its exporter.

The formula guard: a cell whose text a spreadsheet would evaluate (it starts with =, +, -, @, a tab or a carriage
return) is written as an explicit string, never a formula, so an exported name like ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP = Alignment(wrap_text=True, vertical="center")
BOLD = Font(bold=True)
#: The annexes' own title: 宋体, 16 points, bold.
TITLE_FONT = Font(name="宋体", size=16, bold=True)


def set_text(cell: Cell, value: object) -> None:
    """Write a value; strings a spreadsheet would evaluate stay inert text (the formula guard)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula


def title_row(sheet: Worksheet, title: str, *, columns: int, font: Font = TITLE_FONT, height: float = 30) -> None:
    """Row 1: ``title`` merged across the table's ``columns``, centred."""
    sheet.merge_cells(f"A1:{get_column_letter(columns)}1")
    cell = sheet.cell(row=1, column=1, value=title)
    cell.font = font
    cell.alignment = CENTRE
    sheet.row_dimensions[1].height = height


def header_cell(cell: Cell) -> None:
    """A header cell: bordered, bold, centred."""
    cell.border, cell.alignment, cell.font = BORDER, CENTRE, BOLD


def landscape_a4(sheet: Worksheet, *, title_rows: str, centred: bool = False, fit_to_width: bool = False) -> None:
    """Printed on landscape A4 with ``title_rows`` (e.g. "2:3", the header rows) repeated on every page."""
    if centred:
        sheet.print_options.horizontalCentered = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if fit_to_width:
        sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = title_rows


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """The workbook as a download named ``filename`` (Chinese names travel as RFC 5987 ``filename*``)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
