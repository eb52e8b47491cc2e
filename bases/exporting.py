"""Excel out: the blank talent base list an admin fills in and imports (``bases.importing``), and the list as it
stands (the same columns, so a downloaded list can be corrected and imported again)."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bases import importing as sheet
from bases.models import TalentBase
from bases.services import chinese_ordinal
from portal.workbooks import header_cell, landscape_a4, set_text, title_row, workbook_bytes

TITLE = "卓越工程师人才基地名单"
#: (column, width), in the sheet's order.
COLUMNS: tuple[tuple[str, float], ...] = (
    (sheet.COL_YEAR, 8),
    (sheet.COL_BATCH, 10),
    (sheet.COL_NUMBER, 6),
    (sheet.COL_NAME, 40),
    (sheet.COL_CREDIT_CODE, 22),
    (sheet.COL_DISTRICT, 14),
    (sheet.COL_NOTICE, 28),
)
#: Data rows prepared with the text format (a credit code typed into a number cell would lose its letters).
PREPARED_ROWS = 200


def base_list_workbook(bases: Iterable[TalentBase] = ()) -> bytes:
    """The base list's sheet as xlsx bytes: blank (the template) or holding ``bases`` (each with its batch and
    employer's district selected)."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = TITLE
    title_row(worksheet, TITLE, columns=len(COLUMNS))
    for index, (header, width) in enumerate(COLUMNS, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
        header_cell(worksheet.cell(row=2, column=index, value=header))
        if header == sheet.COL_CREDIT_CODE:
            for row in range(3, 3 + PREPARED_ROWS):
                worksheet.cell(row=row, column=index).number_format = "@"
    for row, base in enumerate(bases, start=3):
        employer = base.employer
        values = (
            base.batch.year,
            f"第{chinese_ordinal(base.batch.number)}批",
            base.number,
            employer.name,
            employer.credit_code or "",
            employer.district.name if employer.district else "",
            base.batch.notice_reference,
        )
        for column, value in enumerate(values, start=1):
            set_text(worksheet.cell(row=row, column=column), value)
    landscape_a4(worksheet, title_rows="2:2", fit_to_width=True)
    return workbook_bytes(workbook)
