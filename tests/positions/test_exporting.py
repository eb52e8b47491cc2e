"""Excel out in the Annex 1 layout; formulas never survive as formulas."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from positions.exporting import export_positions_workbook
from positions.models import Position
from tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def test_the_workbook_has_the_annex_layout() -> None:
    PositionFactory(channel="special_recruitment", name="前沿通信技术与政策研究工程师", headcount=4)
    PositionFactory(channel="bounty_list", name="电池系统工程师")
    data = export_positions_workbook(Position.objects.select_related("employer", "district").order_by("pk"))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "卓越工程师岗位表"
    assert sheet["C2"].value == "岗位名称"
    assert (sheet["C3"].value, sheet["D3"].value) == ("揭榜招贤", "引才专项")
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:K1", "C2:D2", "A2:A3", "B2:B3", "K2:K3"} <= merged
    first, second = ([c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=5))
    assert first[2] is None and first[3] == "前沿通信技术与政策研究工程师" and first[4] == 4
    assert second[2] == "电池系统工程师" and second[3] is None
    assert first[8] == "是"
    assert sheet.cell(row=4, column=8).alignment.wrap_text


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_written_as_text(evil: str) -> None:
    PositionFactory(majors=evil)
    data = export_positions_workbook(Position.objects.select_related("employer", "district"))
    cell = load_workbook(io.BytesIO(data)).active.cell(row=4, column=7)
    assert cell.data_type == "s"
    assert cell.value.strip() == evil.strip()  # XML folds a leading CR into LF; the text stays inert
    # The raw sheet XML stores it as a string (inline or shared), never inside an <f> formula element.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
