"""Excel out: the blank Annex 3 sheet (用人单位引进人才确认表) a district fills in and imports.

Row 1 is the title; row 2 groups the columns — 「必填项」 merged over 序号 … 劳动合同期限, 「选填项」 over 毕业院校 …
其他符合的相关条件, and 「补充项」 over the portal's optional columns (用人单位, 荐才第三方, 专项, 毕业时间); row 3 names the
columns. The 身份证号码 column is formatted as text (a number cell would lose the last digits) and the choice
columns offer their choices. The sheet imports through ``referrals.importing``.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from portal.workbooks import BOLD, BORDER, CENTRE, header_cell, landscape_a4, title_row, workbook_bytes
from referrals import importing as sheet

TITLE = "用人单位引进人才确认表"
GROUP_EXTRA = "补充项（选填）"
#: (column, width), in the sheet's order.
COLUMNS: tuple[tuple[str, float], ...] = (
    (sheet.COL_NUMBER, 6),
    (sheet.COL_NAME, 10),
    (sheet.COL_ID_NUMBER, 21),
    (sheet.COL_POST, 24),
    (sheet.COL_MODE, 9),
    (sheet.COL_CONTRACT_TERM, 12),
    (sheet.COL_SCHOOL, 18),
    (sheet.COL_MAJOR, 16),
    (sheet.COL_EDUCATION, 8),
    (sheet.COL_TITLE_RANK, 12),
    (sheet.COL_SKILL_LEVEL, 10),
    (sheet.COL_ARRIVED_ON, 12),
    (sheet.COL_WORK_EXPERIENCE, 30),
    (sheet.COL_OTHER_CONDITIONS, 30),
    (sheet.COL_EMPLOYER, 24),
    (sheet.COL_THIRD_PARTY, 24),
    (sheet.COL_PROGRAMME, 8),
    (sheet.COL_GRADUATED_ON, 12),
)
#: Data rows prepared with the text format and the choice lists.
PREPARED_ROWS = 500
_CHOICES = {
    sheet.COL_MODE: "全职,柔性",
    sheet.COL_EDUCATION: "大专,本科,硕士,博士",
    sheet.COL_PROGRAMME: "启航,海聚",
}


def _groups() -> list[tuple[str, int, int]]:
    """(label, first column, last column), 1-based, of the group row."""
    required = len(sheet.REQUIRED_COLUMNS)
    optional = len(sheet.OPTIONAL_COLUMNS)
    return [
        (sheet.GROUP_REQUIRED, 1, required),
        (sheet.GROUP_OPTIONAL, required + 1, required + optional),
        (GROUP_EXTRA, required + optional + 1, len(COLUMNS)),
    ]


def hire_template_workbook() -> bytes:
    """The blank sheet as xlsx bytes."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = TITLE
    title_row(worksheet, TITLE, columns=len(COLUMNS))

    for label, first, end in _groups():
        for column in range(first, end + 1):
            worksheet.cell(row=2, column=column).border = BORDER
        cell = worksheet.cell(row=2, column=first, value=label)
        cell.font = BOLD
        cell.alignment = CENTRE
        worksheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=end)

    for index, (header, width) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = width
        header_cell(worksheet.cell(row=3, column=index, value=header))
        if header == sheet.COL_ID_NUMBER:
            for row in range(4, 4 + PREPARED_ROWS):
                worksheet.cell(row=row, column=index).number_format = "@"
        elif header == sheet.COL_ARRIVED_ON:
            for row in range(4, 4 + PREPARED_ROWS):
                worksheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        if header in _CHOICES:
            validation = DataValidation(type="list", formula1=f'"{_CHOICES[header]}"', allow_blank=True)
            validation.add(f"{letter}4:{letter}{3 + PREPARED_ROWS}")
            worksheet.add_data_validation(validation)

    worksheet.freeze_panes = "A4"
    landscape_a4(worksheet, title_rows="2:3", centred=True)
    return workbook_bytes(workbook)
