"""Builders of the bad-input corpus (``tests/data/bad_inputs/``): the annexes' sheets, broken in every way a real
or hostile upload breaks them.

Small files are built once by ``tests/data/bad_inputs/generate.py`` and committed; the large ones (over the size
cap, the zip bomb, too many entries or rows) are built here at test time, in memory, in well under a second each.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook

# --- Annex 1 (卓越工程师岗位表) ---------------------------------------------------------------------------------

ANNEX1_TITLE = "卓越工程师岗位表"
ANNEX1_HEADER = [
    "序号",
    "用人单位",
    "岗位名称",
    None,
    "需求人数",
    "学历要求",
    "专业要求",
    "职业能力要求",
    "是否招聘应届生",
    "薪资范围",
    "填报来源",
]
ANNEX1_SUBHEADER = [None, None, "揭榜招贤", "引才专项", None, None, None, None, None, None, None]
ANNEX1_KEYS = (
    "序号",
    "用人单位",
    "揭榜招贤",
    "引才专项",
    "需求人数",
    "学历要求",
    "专业要求",
    "职业能力要求",
    "是否招聘应届生",
    "薪资范围",
    "填报来源",
)
#: The district every Annex 1 sheet of the corpus is filled for (its 填报来源).
ANNEX1_DISTRICT = "铜梁区"


def annex1_row(n: int, **cells: Any) -> list[Any]:
    """A valid Annex 1 data row (a 揭榜招贤 post of 铜梁区); ``cells`` by column name."""
    values: dict[str, Any] = {
        "序号": n,
        "用人单位": f"重庆语料测试有限公司{n}",
        "揭榜招贤": f"智能制造工程师{n}",
        "引才专项": None,
        "需求人数": 2,
        "学历要求": "本科",
        "专业要求": "机械工程",
        "职业能力要求": "熟悉PLC",
        "是否招聘应届生": "否",
        "薪资范围": "10-20万元/年",
        "填报来源": ANNEX1_DISTRICT,
    }
    values.update(cells)
    return [values[key] for key in ANNEX1_KEYS]


def annex1_workbook(
    rows: Sequence[Sequence[Any]],
    *,
    title: bool = True,
    blank_rows_above: int = 0,
    blank_columns_left: int = 0,
    merges: Iterable[str] = (),
    header: Sequence[Any] = ANNEX1_HEADER,
) -> bytes:
    """The notice's layout: a title row, two header rows (岗位名称 merged over its two channels), the data rows.
    ``merges`` are extra merged ranges in Excel notation (data rows start at row 4 with the title); the blank
    rows and columns shift the whole table down and right."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    pad: list[Any] = [None] * blank_columns_left
    for _ in range(blank_rows_above):
        sheet.append([])
    top = blank_rows_above + 1
    letters = [column_letter(index + blank_columns_left) for index in range(len(ANNEX1_HEADER))]
    if title:
        sheet.append([*pad, ANNEX1_TITLE])
        sheet.merge_cells(f"{letters[0]}{top}:{letters[-1]}{top}")
        top += 1
    sheet.append([*pad, *header])
    sheet.append([*pad, *ANNEX1_SUBHEADER])
    sheet.merge_cells(f"{letters[2]}{top}:{letters[3]}{top}")
    for index in (0, 1, *range(4, len(letters))):
        sheet.merge_cells(f"{letters[index]}{top}:{letters[index]}{top + 1}")
    for values in rows:
        sheet.append([*pad, *values])
    for cells in merges:
        sheet.merge_cells(cells)
    return _saved(workbook)


# --- Annex 3 (用人单位引进人才确认表) --------------------------------------------------------------------------

ANNEX3_TITLE = "用人单位引进人才确认表"
ANNEX3_GROUPS = ["必填项", None, None, None, None, None, "选填项", None, None, None, None, None, None, None]
ANNEX3_NAMES = [
    "序号",
    "姓名",
    "身份证号码",
    "岗位名称",
    "引进方式",
    "劳动合同期限",
    "毕业院校",
    "专业",
    "学历",
    "职称职级",
    "技能等级",
    "入职时间",
    "工作经历（海聚）",
    "其他符合的相关条件",
]
#: The published post every Annex 3 sheet of the corpus names (the tests create it in 铜梁区).
ANNEX3_POST = "智能制造工程师"
#: Valid 身份证号码 (GB 11643 check digits), the last one with the check character X.
ID_NUMBERS = ("500103199901010016", "500103199901010024", "50010319990101018X")


def annex3_row(n: int, **cells: Any) -> list[Any]:
    """A valid Annex 3 data row for ``ANNEX3_POST``; ``cells`` by column name."""
    values: dict[str, Any] = {
        "序号": n,
        "姓名": f"语料人才{n}",
        "身份证号码": ID_NUMBERS[(n - 1) % len(ID_NUMBERS)],
        "岗位名称": ANNEX3_POST,
        "引进方式": "全职",
        "劳动合同期限": "3年",
        "毕业院校": "重庆大学",
        "专业": "机械工程",
        "学历": "硕士",
        "职称职级": None,
        "技能等级": None,
        "入职时间": "2026-02-02",
        "工作经历（海聚）": "2016年起从事机械设计",  # the fact that makes the row 海聚
        "其他符合的相关条件": None,
    }
    values.update(cells)
    return [values[name] for name in ANNEX3_NAMES]


def annex3_workbook(
    rows: Sequence[Sequence[Any]], *, names: Sequence[str] = ANNEX3_NAMES, merges: Iterable[str] = ()
) -> bytes:
    """The notice's layout: a title row, 必填项/选填项 merged over the column names, the data rows (from row 4)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([ANNEX3_TITLE])
    sheet.merge_cells("A1:N1")
    sheet.append(ANNEX3_GROUPS)
    sheet.merge_cells("A2:F2")
    sheet.merge_cells("G2:N2")
    sheet.append(list(names))
    for values in rows:
        sheet.append(list(values))
    for cells in merges:
        sheet.merge_cells(cells)
    return _saved(workbook)


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Workbooks written part by part ----------------------------------------------------------------------------
# openpyxl cannot write what Excel writes for a formula (the formula with its cached result) and is far too slow
# for 100,000 rows: these are written as the package's XML directly.

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = b"</sheetData></worksheet>"
_PACKAGE = (
    ("[Content_Types].xml", _CONTENT_TYPES),
    ("_rels/.rels", _ROOT_RELS),
    ("xl/workbook.xml", _WORKBOOK),
    ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
)
SHEET_PART = "xl/worksheets/sheet1.xml"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xml_cell(ref: str, value: Any) -> str:
    """One cell as Excel writes it. A value ``("=", formula, cached)`` is a formula with its cached result
    (``cached`` None: a formula never calculated, as tools other than Excel write it); ``("#", "#N/A")`` an
    error value."""
    if value is None:
        return ""
    if isinstance(value, tuple) and value[0] == "=":
        _, formula, cached = value
        if cached is None:
            return f'<c r="{ref}"><f>{escape(formula)}</f></c>'
        if isinstance(cached, int | float):
            return f'<c r="{ref}"><f>{escape(formula)}</f><v>{cached}</v></c>'
        return f'<c r="{ref}" t="str"><f>{escape(formula)}</f><v>{escape(str(cached))}</v></c>'
    if isinstance(value, tuple) and value[0] == "#":
        return f'<c r="{ref}" t="e"><v>{escape(value[1])}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def xml_rows(rows: Iterable[Sequence[Any]], *, first: int = 1) -> Iterator[bytes]:
    for number, values in enumerate(rows, start=first):
        cells = "".join(xml_cell(f"{column_letter(index)}{number}", value) for index, value in enumerate(values))
        if cells:  # an empty row is left out, as Excel leaves it out: the next row keeps its number
            yield f'<row r="{number}">{cells}</row>'.encode()


def raw_xlsx(
    rows: Iterable[Sequence[Any]],
    *,
    extra_entries: int = 0,
    compression: int = zipfile.ZIP_DEFLATED,
    workbook: bytes = _WORKBOOK,
) -> bytes:
    """A minimal but complete workbook (what calamine and Excel open) whose first sheet holds ``rows``, streamed
    into the archive so that a large sheet never sits in memory whole; ``extra_entries`` empty parts besides."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open(SHEET_PART, "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START)
            chunk: list[bytes] = []
            for row in xml_rows(rows):
                chunk.append(row)
                if len(chunk) == 10_000:
                    sheet.write(b"".join(chunk))
                    chunk.clear()
            sheet.write(b"".join(chunk))
            sheet.write(_SHEET_END)
        for index in range(extra_entries):
            archive.writestr(f"xl/media/part{index}.bin", b"")
    return buffer.getvalue()


# --- The hostile archives ----------------------------------------------------------------------------------------


def zip_bomb(*, uncompressed_mb: int = 150) -> bytes:
    """A workbook of well under 1 MB whose sheet XML inflates to ``uncompressed_mb`` MB of rows.

    Deflating 150 MB takes seconds; this deflates one 1 MB block of rows once, ending it with a full flush (which
    empties the compressor's window, so the same block always deflates to the same bytes) and repeats those bytes:
    one valid deflate stream, built in milliseconds. The archive is then written by hand around it."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    block = row * 1000
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(_SHEET_START) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(_SHEET_END) + compressor.flush(zlib.Z_FINISH)
    repeats = uncompressed_mb * 1024 * 1024 // len(block) + 1
    crc = zlib.crc32(_SHEET_START)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(_SHEET_END, crc)
    size = len(_SHEET_START) + repeats * len(block) + len(_SHEET_END)
    parts = [(name, content, zipfile.ZIP_STORED, zlib.crc32(content), len(content)) for name, content in _PACKAGE]
    parts.append((SHEET_PART, head + body * repeats + tail, zipfile.ZIP_DEFLATED, crc, size))
    return _archive(parts)


def _archive(parts: Sequence[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive of ``(name, data as stored, method, CRC-32, uncompressed size)``, written field by field."""
    out = bytearray()
    central = bytearray()
    for name, data, method, crc, size in parts:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    directory = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), directory, 0)
    return bytes(out)


def understated_zip(data: bytes, part: str = SHEET_PART) -> bytes:
    """``data`` with the sizes ``part`` declares (local header and central directory) cut to 100 bytes: a lying
    archive whose entry inflates past what it declares. Only for entries written without a data descriptor."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(part)
    patched = bytearray(data)
    # Local file header: uncompressed size at offset 22 (4 bytes, little-endian).
    patched[info.header_offset + 22 : info.header_offset + 26] = (100).to_bytes(4, "little")
    start = 0
    while True:
        central = data.find(b"PK\x01\x02", start)
        if central < 0:
            break
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        name = data[central + 46 : central + 46 + name_length].decode()
        if name == part:
            patched[central + 24 : central + 28] = (100).to_bytes(4, "little")
        start = central + 4
    return bytes(patched)


#: xl/workbook.xml with the "billion laughs" entity expansion in its DTD.
ENTITY_WORKBOOK = _WORKBOOK.replace(
    b"<workbook ",
    b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><workbook ',
    1,
)


def sheet_xlsx(sheet_data: bytes, *, dimension: str = "") -> bytes:
    """A workbook whose first sheet's ``<sheetData>`` holds ``sheet_data``, the XML as given (rows without ``r``,
    rows that go back, cells past the last column: what no spreadsheet program writes)."""
    start = _SHEET_START
    if dimension:
        start = start.replace(b"<sheetData>", f'<dimension ref="{dimension}"/><sheetData>'.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in _PACKAGE:
            archive.writestr(name, content)
        archive.writestr(SHEET_PART, start + sheet_data + _SHEET_END)
    return buffer.getvalue()


def annex1_head_xml() -> bytes:
    """The Annex 1 title and its two header rows, rows 1 to 3."""
    return b"".join(xml_rows([[ANNEX1_TITLE], ANNEX1_HEADER, ANNEX1_SUBHEADER]))


def far_cell_sheet(*, last_row: int = 1_000_000, last_column: str = "A") -> bytes:
    """About 2 KB: the Annex 1 title and header in rows 1 to 3, a ``<dimension>`` declaring A1:K``last_row``, and
    one number in row ``last_row`` (column ``last_column``). A reader building the grid from A1 to that cell
    holds ``last_row`` × 11 cells: about 340 MB for a million rows."""
    far = f'<row r="{last_row}"><c r="{last_column}{last_row}"><v>1</v></c></row>'.encode()
    return sheet_xlsx(annex1_head_xml() + far, dimension=f"A1:K{last_row}")


def truncated(data: bytes) -> bytes:
    """The first half of a file: an upload cut off in transit."""
    return data[: len(data) // 2]


#: The start of an OLE2 compound file: what an old .xls (or an encrypted .xlsx) begins with.
OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def xls_renamed() -> bytes:
    """An Excel 97-2003 .xls (OLE2 compound file) renamed .xlsx: its signature and an empty first sector."""
    return OLE2_SIGNATURE + b"\0" * 504


# --- The committed corpus ----------------------------------------------------------------------------------------

_HYPERLINK = 'HYPERLINK("http://evil.example/","点击")'


def _annex1_raw(rows: Sequence[Sequence[Any]]) -> bytes:
    """Annex 1 written part by part: title, the two header rows, ``rows`` (from row 4)."""
    return raw_xlsx([[ANNEX1_TITLE], ANNEX1_HEADER, ANNEX1_SUBHEADER, *rows])


def _annex3_raw(rows: Sequence[Sequence[Any]]) -> bytes:
    """Annex 3 written part by part: title, 必填项/选填项, the column names, ``rows`` (from row 4)."""
    return raw_xlsx([[ANNEX3_TITLE], ANNEX3_GROUPS, ANNEX3_NAMES, *rows])


def _annex1_header_missing_column() -> bytes:
    header = [name if name != "需求人数" else "人数要求" for name in ANNEX1_HEADER]
    return annex1_workbook([annex1_row(1)], header=header)


#: Every committed file of ``tests/data/bad_inputs/`` and how it is made; ``README.md`` there says what each must get.
CORPUS: dict[str, Any] = {
    # Not a workbook at all (both annexes).
    "csv_renamed.xlsx": lambda: "序号,用人单位,岗位名称\n1,重庆某科技有限公司,智能制造工程师\n".encode(),
    "xls_renamed.xlsx": xls_renamed,
    "truncated.xlsx": lambda: truncated(annex1_workbook([annex1_row(1)])),
    "empty_file.xlsx": lambda: b"",
    "empty_sheet.xlsx": lambda: raw_xlsx([]),
    # Annex 1: the table.
    "annex1_header_only.xlsx": lambda: annex1_workbook([]),
    "annex1_no_header.xlsx": lambda: raw_xlsx([annex1_row(1), annex1_row(2)]),
    "annex1_header_below_row_20.xlsx": lambda: annex1_workbook([annex1_row(1)], blank_rows_above=20),
    "annex1_header_missing_column.xlsx": _annex1_header_missing_column,
    "annex1_shifted.xlsx": lambda: annex1_workbook([annex1_row(1)], blank_rows_above=2, blank_columns_left=1),
    # Annex 1: the cells.
    "annex1_wrong_types.xlsx": lambda: annex1_workbook(
        [
            annex1_row(1, 需求人数="若干"),
            annex1_row(2, 需求人数=2.5),
            annex1_row(3, 需求人数=True),
            annex1_row(4, 需求人数=1_000_000),
            annex1_row(5, 是否招聘应届生=2),
            annex1_row(6, 学历要求=3),
            annex1_row(7, 填报来源=500151),
        ]
    ),
    "annex1_fullwidth.xlsx": lambda: annex1_workbook(
        [
            annex1_row(
                1, 用人单位="ＡＢＣ科技有限公司", 揭榜招贤="ＡＢＣ１２３工程师", 需求人数="１２", 是否招聘应届生="是"
            )
        ]
    ),
    "annex1_merged_rows.xlsx": lambda: annex1_workbook(
        [
            annex1_row(1, 用人单位="重庆合并单元格有限公司"),
            annex1_row(2, 用人单位=None, 填报来源=None),
            annex1_row(3, 用人单位=None, 填报来源=None),
        ],
        merges=["B4:B6", "K4:K6", "C9:D12"],  # the last one below the table, over empty cells
    ),
    "annex1_merged_channels.xlsx": lambda: annex1_workbook([annex1_row(1)], merges=["C4:D4"]),
    "annex1_formulas.xlsx": lambda: _annex1_raw(
        [
            annex1_row(1, 用人单位=("=", _HYPERLINK, None), 需求人数=("=", "1+1", None)),
            annex1_row(2, 用人单位=("=", _HYPERLINK, "点击"), 需求人数=("=", "1+1", 2)),
            annex1_row(3, 需求人数=("#", "#N/A")),
            annex1_row(4, 序号=("=", "ROW()-3", 4)),
            annex1_row(5, 用人单位=f"={_HYPERLINK}"),
        ]
    ),
    # Annex 3: the table.
    "annex3_header_only.xlsx": lambda: annex3_workbook([]),
    "annex3_header_missing_column.xlsx": lambda: annex3_workbook(
        [annex3_row(1)], names=[name if name != "引进方式" else "用工形式" for name in ANNEX3_NAMES]
    ),
    # Annex 3: the cells.
    "annex3_numeric_id.xlsx": lambda: annex3_workbook([annex3_row(1, 身份证号码=int(ID_NUMBERS[0]))]),
    "annex3_wrong_ids.xlsx": lambda: annex3_workbook(
        [
            annex3_row(1, 身份证号码="500103199901010017"),  # check digit
            annex3_row(2, 身份证号码="500103199913010013"),  # month 13
            annex3_row(3, 身份证号码="500103209901010012"),  # born in 2099 (a valid check digit)
            annex3_row(4, 身份证号码="50010319990101001"),  # 17 characters
            annex3_row(5, 身份证号码="5001031999010100160"),  # 19 characters
            annex3_row(6, 身份证号码="500103990101001"),  # the old 15-digit number
            annex3_row(7, 身份证号码="999999199901010011"),  # no such region
            annex3_row(8, 身份证号码="50010319990101001Y"),  # a letter other than X
        ]
    ),
    "annex3_id_forms.xlsx": lambda: annex3_workbook(
        [
            annex3_row(1, 身份证号码=ID_NUMBERS[2].lower()),
            annex3_row(2, 身份证号码="".join(chr(ord(c) + 0xFEE0) for c in ID_NUMBERS[1])),
            annex3_row(3, 身份证号码=f" {ID_NUMBERS[0][:6]} {ID_NUMBERS[0][6:14]} {ID_NUMBERS[0][14:]} "),
        ]
    ),
    "annex3_wrong_types.xlsx": lambda: annex3_workbook(
        [
            annex3_row(1, 入职时间="明年"),
            annex3_row(2, 入职时间=99999999),
            annex3_row(3, 学历=3, 引进方式=1),
            annex3_row(4, 劳动合同期限=None, 入职时间="２０２６－０２－０２", 引进方式="（柔性）"),
        ]
    ),
    "annex3_merged_rows.xlsx": lambda: annex3_workbook([annex3_row(1), annex3_row(2, 岗位名称=None)], merges=["D4:D5"]),
    "annex3_formulas.xlsx": lambda: _annex3_raw(
        [
            annex3_row(1, 姓名=("=", 'HYPERLINK("http://evil.example/","张三")', None)),
            annex3_row(2, 身份证号码=("=", 'TEXT(A1,"0")', ID_NUMBERS[1])),
            annex3_row(3, 入职时间=("#", "#REF!")),
        ]
    ),
}


def write_corpus(folder: Path) -> None:
    """(Re)write the committed corpus: ``python -m tests.security.corpus`` from the repository's root."""
    for name, build in CORPUS.items():
        (folder / name).write_bytes(build())


if __name__ == "__main__":
    write_corpus(Path(__file__).resolve().parents[1] / "data" / "bad_inputs")
