"""The plain walk of a sheet's rows (``portal.imports.sheets._plain_walk``) gives exactly the figures of the walk
element by element (``_walk_sheet``), or declines and leaves the sheet to it: over the bad-input corpus, the
benchmark's sheets and sheets written to look plain while they are not."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from portal.errors import PortalError
from portal.imports import sheets
from tests.security import corpus

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
HEAD = corpus.annex1_head_xml()
ROWS = b"".join(corpus.xml_rows([corpus.annex1_row(n) for n in range(1, 30)], first=4))


def figures(walk: sheets._SheetWalk) -> tuple[object, ...]:
    return (walk.filled, walk.last_row, walk.last_column, walk.last_row_column, walk.marked, walk.merged)


def walks(data: bytes) -> tuple[object, object]:
    """(the plain walk's figures or None, or its refusal; the element walk's figures, or its refusal)."""
    answers: list[object] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = sheets._first_sheet_part(archive)
        assert part is not None
        for walk in (sheets._plain_walk, sheets._walk_sheet):
            try:
                result = walk(archive, part)
                answers.append(None if result is None else figures(result))
            except PortalError as error:
                answers.append(error.code)
    return answers[0], answers[1]


def with_sheet(data: bytes, change: tuple[bytes, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[corpus.SHEET_PART] = parts[corpus.SHEET_PART].replace(*change, 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def agree(data: bytes, *, plain: bool) -> None:
    fast, slow = walks(data)
    if plain:
        assert fast is not None and fast == slow
    else:
        assert fast is None or fast == slow, (fast, slow)


@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS_DIR.glob("annex*.xlsx")))
def test_the_corpus_sheets_read_alike(name: str) -> None:
    agree((CORPUS_DIR / name).read_bytes(), plain=True)


def test_a_sheet_saved_by_openpyxl_is_plain() -> None:
    from bench.positions_import import make_sheet

    agree(make_sheet(300, "铜梁区"), plain=True)


@pytest.mark.parametrize(
    "body",
    [
        HEAD + ROWS,
        HEAD + ROWS + b'<row r="90000"><c r="K90000" t="inlineStr"><is><t>note</t></is></c></row>',
        HEAD + b'<row r="4" spans="1:11" ht="20" customHeight="1"><c r="A4" s="1"/><c r="B4" t="e"><v>#N/A</v></c>'
        b'<c r="C4"><f>ROW()</f><v>4</v></c><c r="D4" s="2" t="str"><f t="shared" ref="D4:D5" si="0"/><v>x</v></c>'
        b'<c r="BL4" s="1"/></row>\n  <row r="5"><c r="E5"><v/></c><c r="F5" t="inlineStr"><is><t/></is></c></row>',
        HEAD + b'<row r="4"><c r="AB4"><v>1</v></c></row><row r="7"/><row r="9"><c r="C9"><v>&amp;&lt;</v></c></row>',
    ],
)
def test_plain_rows_read_alike(body: bytes) -> None:
    agree(corpus.sheet_xlsx(body), plain=True)


@pytest.mark.parametrize(
    "body",
    [
        # Cells or rows without r="…", rows going back, a namespace prefix, cells in another row than theirs.
        HEAD + b'<row r="4"><c><v>1</v></c></row>',
        HEAD + b"<row><c r='A4'><v>1</v></c></row>",
        HEAD + b'<row r="5"><c r="A5"><v>1</v></c></row><row r="4"><c r="A4"><v>1</v></c></row>',
        HEAD + b'<x:row xmlns:x="urn:x" r="4"><x:c r="A4"><x:v>1</x:v></x:c></x:row>',
        HEAD + b'<row r="4"><c r="A5"><v>1</v></c></row>',
        # Past the limits, empty or not.
        HEAD + b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>',
        HEAD + b'<row r="1000000"><c r="A1000000" s="1"/></row>',
        HEAD + b'<row r="4"><c r="BM4"><v>1</v></c></row>',
        HEAD + b'<row r="4"><c r="XFD4" s="1"/></row>',
        # Not XML, or not plain XML.
        HEAD + b'<row r="4"><c r="A4"><v>1</v></c><!-- <c r="A900000"><v>1</v></c> --></row>',
        HEAD + b'<row r="4"><c r="A4"><v><![CDATA[1]]></v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>]]></v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>&#1;</v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>&bogus;</v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>\x01</v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>\xff</v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>\xef\xbf\xbe</v></c></row>',
        HEAD + b'<row r="4"><c r="A4" s="1" s="2"><v>1</v></c></row>',
        HEAD + b'<row r="4"><c r="A4"><f t="shared" t="x">A1</f></c></row>',
        HEAD + b'<row r="4"><c r="A4"><v>1</v></c>',
        HEAD + b'<row r="4"><c r="A4"><v>1</v></c></row></row>',
        HEAD + b'<row r="4"><c r="A4"><row r="1000000"><c><v>1</v></c></row></c></row>',
        HEAD + b'<row r="4"><c r="A4"><is><r><t>rich</t></r></is></c></row>',
    ],
)
def test_other_rows_are_left_to_the_element_walk(body: bytes) -> None:
    agree(corpus.sheet_xlsx(body), plain=False)


@pytest.mark.parametrize(
    "change",
    [
        # sheetData in a comment, or under a prefix; a declaration; an encoding other than UTF-8.
        (b"<sheetData>", b"<!-- <sheetData> --><sheetData>"),
        (b"<worksheet ", b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet '),
        (b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),
        (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b""),
        (b"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="A5:K9"/></mergeCells>'),
        (b"</worksheet>", b"</worksheet><junk/>"),
    ],
)
def test_what_surrounds_the_rows_is_read_alike(change: tuple[bytes, bytes]) -> None:
    agree(with_sheet(corpus.sheet_xlsx(HEAD + ROWS), change), plain=False)


@pytest.mark.parametrize(
    "declaration", [b"", b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>\r\n", b'<?xml version="1.0"?>']
)
def test_a_sheet_in_utf8_is_plain(declaration: bytes) -> None:
    data = with_sheet(
        corpus.sheet_xlsx(HEAD + ROWS), (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', declaration)
    )
    agree(data, plain=True)
