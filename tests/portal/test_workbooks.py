"""The one module that writes workbooks: the formula guard every export goes through."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from portal.workbooks import set_text, workbook_bytes


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("http://example.com","点我")'])
def test_text_a_spreadsheet_would_evaluate_is_written_as_text(text: str) -> None:
    """openpyxl would store these as formulas; the guard keeps them the text that was exported."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    set_text(sheet["A1"], text)

    reread = load_workbook(io.BytesIO(workbook_bytes(workbook)))
    assert reread.active is not None
    cell = reread.active["A1"]

    assert cell.value == text and cell.data_type == "s"


@pytest.mark.parametrize(("value", "kind"), [(12, "n"), ("岗位", "s"), (None, "n")])
def test_other_values_keep_their_type(value: object, kind: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    set_text(sheet["A1"], value)
    assert sheet["A1"].value == value and sheet["A1"].data_type == kind
