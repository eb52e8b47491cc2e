"""Reading the annexes' Excel sheets safely, for every domain import (Annex 1 posts, Annex 3 hires).

What is shared: the limits and zip-bomb checks run before any XML is parsed, the first sheet is walked as a stream
(refused at its first cell past the row or column limit), python-calamine then reads it, header rows are found by their content (titles above them, line breaks and full-width brackets in them),
cells are understood as a person reads them, and failures are ``RowError``s ("第N行 〔列〕 原因") gathered into
one ``PortalImportError``. What each sheet's columns mean stays with its importer.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import io
import itertools
import operator
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from defusedxml import DefusedXmlException, ElementTree

from portal import permissions as p
from portal.errors import PermissionDenied, PortalError
from portal.models import District, User

# Limits are constants, not settings: they guard the process that parses, whatever the deployment says.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_DATA_ROWS = 100_000
#: How far down the sheet the header may start (title rows, notes above the table).
HEADER_SEARCH_ROWS = 20
#: Values per ``IN (...)`` lookup, well under every backend's bound-parameter limit.
LOOKUP_CHUNK = 2_000
#: The column that only numbers the rows: its value is never read, so a formula there (=ROW()-3) is harmless.
NUMBER_COLUMN = "序号"
FORMULA_CELL = "是公式，不是填写的内容：请在Excel中复制后“选择性粘贴”为数值，再重新上传。"
ERROR_CELL = "是Excel错误值（如#N/A、#REF!），不是填写的内容：请改为实际的内容后重新上传。"

SheetFile = str | Path | bytes | IO[bytes]


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number, 1-based, as the clerk sees it
    column: str  # the Chinese column header
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 〔{self.column}〕 {self.message}"


class PortalImportError(PortalError):
    """The sheet has row errors; nothing was written. ``what`` names the rows' things (岗位, 人员)."""

    def __init__(self, errors: list[RowError], *, what: str = "岗位") -> None:
        super().__init__(f"导入失败：表格中有{len(errors)}处错误，未导入任何{what}。", "import_rows_invalid")
        self.errors = errors


class RowsPreview:
    """What every importer's preview counts the same way: its rows' errors. A subclass is a dataclass with ``rows``,
    each row carrying its ``errors``."""

    rows: Sequence[Any]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def error_count(self) -> int:
        """Rows with at least one error."""
        return sum(1 for row in self.rows if row.errors)


@dataclass(frozen=True)
class RawRow:
    row: int
    cells: dict[str, Any]  # column header → cell value as calamine read it
    #: Columns whose cell holds no typed value (a formula, an Excel error) → why; ``cell_errors`` reports them.
    refused: dict[str, str] = field(default_factory=dict)


def cell_errors(raw: RawRow, errors: list[RowError]) -> list[RowError]:
    """``errors`` of a row with its refused cells reported first, in place of any other error of the same column:
    a formula never calculated reads as empty, and "请填写…" would be the wrong thing to tell the clerk."""
    if not raw.refused:
        return list(errors)
    refused = [RowError(raw.row, column, message) for column, message in raw.refused.items()]
    return refused + [error for error in errors if error.column not in raw.refused]


@dataclass(frozen=True)
class SheetLayout:
    """How to find one annex's header: the columns it reads, by the names a clerk writes over them."""

    #: A column whose name marks the header row (the row of column names, below any title or group row).
    anchor: str
    #: Every column the importer reads, by its name in the annex.
    columns: tuple[str, ...]
    #: Columns that must be present (``序号`` usually is not).
    required: tuple[str, ...]
    #: Told after "表头缺少列：…。": which annex's layout to use.
    missing_hint: str
    #: The whole message when no header row is found.
    not_found_message: str
    #: Other names of a column → its name in the annex (e.g. 推荐机构 → 荐才第三方).
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: Names of sub-columns on an optional second header row below the anchor row (Annex 1: 揭榜招贤/引才专项).
    sub_headers: frozenset[str] = frozenset()
    #: Labels of an optional group row above the anchor row (Annex 3: 必填项/选填项); a column merged down
    #: through it is read from it.
    group_headers: frozenset[str] = frozenset()

    @cached_property
    def labels(self) -> dict[str, str]:
        """A header cell as ``header_text`` folds it → the column it names."""
        labels = {header_text(alias): column for alias, column in self.aliases.items()}
        labels.update((header_text(column), column) for column in self.columns)
        return labels


# ---------------------------------------------------------------------------------------------------------------
# Reading the file


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a sheet's rows are built and checked: they are hundreds of
    thousands of small objects without cycles, and each collection would walk all those already made (at 50,000
    rows, half the validation's time). Reference counting still frees everything as usual; cycles made meanwhile
    wait for the next collection. Process-wide, so it is restored only by whoever paused it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_bytes(file: SheetFile) -> bytes:
    """The file's bytes, refusing more than ``MAX_FILE_BYTES`` without reading further."""
    if isinstance(file, bytes):
        data = file
    elif isinstance(file, str | Path):
        with open(file, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PortalError(f"文件过大：不能超过{MAX_FILE_BYTES // (1024 * 1024)}MB。", "file_too_large")
    return data


def check_xlsx(data: bytes) -> None:
    """Refuse what is not an xlsx, and zip bombs, before any XML is parsed."""
    not_xlsx = PortalError("文件不是有效的Excel（.xlsx）文件，请用Excel另存为.xlsx后重新上传。", "not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_xlsx from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise PortalError(f"文件内部结构异常（包含{len(entries)}个部件），已拒绝。", "zip_entries")
        names = {entry.filename for entry in entries}
        if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
            raise not_xlsx
        total = 0
        for entry in entries:
            total += entry.file_size
            if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
                raise PortalError("文件压缩比异常，疑似恶意构造的压缩文件，已拒绝。", "zip_ratio")
        if total > MAX_UNCOMPRESSED_BYTES:
            raise PortalError(
                f"文件解压后过大（超过{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}MB），请拆分后分批导入。", "zip_size"
            )
        # The sizes above are what the archive declares. Reading through zipfile stops at the declared size and
        # checks the CRC, so a lying header fails here instead of inflating without bound in the parser.
        try:
            for entry in entries:
                with archive.open(entry) as stream:
                    while stream.read(1024 * 1024):
                        pass
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
            raise not_xlsx from None


# The first sheet is walked once as an XML stream before calamine sees it, for two things calamine cannot do:
#
# * Bounds. calamine builds the sheet as one dense grid, from the first to the last cell holding a value, and only
#   then says where the sheet ends: a 5 KB file with a header in row 1 and one number in row 1,000,000 becomes
#   11 million grid cells (about 340 MB) before any check could run. The walk finds every cell's position as
#   calamine will (an ``r`` attribute, or the row's and cell's order) and stops at the first one past the row or
#   column limit, whatever the sheet's ``<dimension>`` declares, so the grid calamine builds afterwards is at most
#   ``MAX_SHEET_ROWS`` by ``MAX_COLUMNS``.
# * Formulas and error values: calamine returns a formula's cached result (or nothing, when no Excel calculated
#   it) and an error as an empty cell, so they are noted here.
#
# expat is a conforming XML parser: what it accepts, calamine's lenient parser reads as the same elements, and what
# it refuses is refused. It counts every non-empty ``<c>`` element, a cell with no value included, so it may only
# over-count what calamine keeps.
#: Rows calamine may be asked to build: the data rows and the rows above the header.
MAX_SHEET_ROWS = MAX_DATA_ROWS + HEADER_SEARCH_ROWS
#: Columns of the grid: the widest annex has 17, with room for the notes clerks add to the right.
MAX_COLUMNS = 64
#: Within those limits the grid is still up to 6.4 million cells (some 200 MB in calamine) for one far cell. A grid
#: larger than this many cells must be at least 1/``SPARSE_FACTOR`` full: a genuine sheet is (100,000 rows of
#: Annex 1 are 1.1 million cells, most of them filled), a stray cell far away from the table is not.
GRID_FLOOR_CELLS = 1_000_000
SPARSE_FACTOR = 8
#: Merged ranges in the sheet; each is a few bytes of XML but costs the reader its whole area.
MAX_MERGED_RANGES = 50_000
_SCAN_CHUNK = 1024 * 1024
_PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Za-z]*)([0-9]+)$")
_NOT_XLSX = "文件不是有效的Excel（.xlsx）文件，请用Excel另存为.xlsx后重新上传。"


def _local(name: str) -> str:
    """An element's or attribute's name without its ``{namespace}``."""
    return name.rpartition("}")[2]


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The archive entry of the workbook's first sheet (calamine's sheet 0), found as calamine finds it: the first
    ``<sheet>`` of workbook.xml, its relationship's target (``/xl/…`` and ``xl/…`` as written, anything else
    under ``xl/``), matched to the archive's names without regard to case or slash direction."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except DefusedXmlException:  # before ValueError, which it is
        # Entity declarations (billion laughs, external entities) have no business in a workbook.
        raise PortalError("文件内部结构异常（含有不允许的XML实体声明），已拒绝。", "xml_entities") from None
    except (KeyError, ElementTree.ParseError, ValueError):
        return None
    sheet = next((element for element in workbook.iter() if _local(element.tag) == "sheet"), None)
    if sheet is None:
        return None
    relation = next((value for key, value in sheet.attrib.items() if key.startswith("{") and _local(key) == "id"), None)
    target = next(
        (rel.get("Target") or "" for rel in rels.iter(f"{_PACKAGE_REL_NS}Relationship") if rel.get("Id") == relation),
        None,
    )
    if not target:
        return None
    if target.startswith("/xl/"):
        path = target[1:]
    elif target.startswith("xl/"):
        path = target
    else:
        path = f"xl/{target}"
    wanted = {path.lower(), posixpath.normpath(path).lower()}
    return next((name for name in archive.namelist() if name.replace("\\", "/").lower() in wanted), None)


def _reference(ref: str, *, row_only: bool) -> tuple[int, int]:
    """(row, column), 0-based, of a cell reference such as ``K12`` (a row's ``r`` is its number alone). What
    calamine cannot read either is refused."""
    # Once per cell of the sheet: the common form (ASCII letters, then ASCII digits) without the regular expression,
    # the column's letters looked up once per distinct column. Anything else takes the regular expression below.
    digits = ref.lstrip(_LETTERS)
    if digits.isdigit() and digits.isascii():
        row = int(digits)
        letters = ref[: len(ref) - len(digits)]
        if row >= 1 and (row_only or letters):
            column = _COLUMNS.get(letters)
            if column is None:
                column = _column_index(letters)
                if len(letters) <= 2:  # bounded: at most 52 + 52² keys (either case), the limit's columns among them
                    _COLUMNS[letters] = column
            return row - 1, column
    match = _CELL_REF.match(ref)
    if match is None or int(match.group(2)) < 1 or not (row_only or match.group(1)):
        raise PortalError(_NOT_XLSX, "not_xlsx")
    return int(match.group(2)) - 1, _column_index(match.group(1))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Column letters (as written, either case) → 0-based index; ``""`` (a row's ``r``) → -1.
_COLUMNS: dict[str, int] = {}


def _column_index(letters: str) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column - 1


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _SheetWalk:
    """expat's handlers over the first sheet: where each cell holding something lies (0-based), refusing the first
    past the limits, and the formula and error cells.

    Positions are reckoned as calamine reckons them, or further down and to the right, never less: a cell's
    ``r="K12"`` places it; a cell without one takes the row's current index (set by the row's ``r``, one more after
    each ``</row>``) and the column after the previous cell's. calamine reads ``<c/>`` and ``<row/>`` as
    ``<c></c>`` and ``<row></row>``, as expat reports them. A row's or cell's ``r`` never moves the walk's index
    back, where calamine's goes back: an overestimate, and only for sheets no spreadsheet program writes. Rows and
    cells must sit where a worksheet has them (``sheetData`` > ``row`` > ``c``); a sheet nesting them otherwise is
    refused. Merged ranges (``<mergeCell ref="A5:A7"/>``) are noted: the reader fills each cell they cover."""

    def __init__(self) -> None:
        self.marked: dict[tuple[int, int], str] = {}
        self.filled = 0  # cells holding something (calamine keeps them)
        self.last_row = self.last_column = -1  # the furthest such cell's row and column
        self.last_row_column = 0  # the column of a cell on that last row, to point the clerk at it
        self.merged: list[tuple[int, int, int, int]] = []  # (top, left, bottom, right) of each merged range
        self.depth, self.done = 0, False  # where the walk stood when ``finish`` was last called

    def handlers(self) -> tuple[Callable[[str, list[str]], None], Callable[[str], None], Callable[[], None]]:
        """expat's start and end handlers, and what to call once the parse is over (it stores the figures above).

        They run once per element of the sheet (three or four per filled cell): the walk's state lives in the
        closures' variables rather than on ``self``, and each element costs the few comparisons it needs."""
        depth = 0  # 1 inside <sheetData>, 2 inside one of its rows, 3 inside a cell; 0 outside
        done = False  # past </sheetData>: calamine reads no further, and neither does the walk
        row = 0  # the current row's index for cells without r="…"
        column = 0  # the next column for a cell without r="…"
        cell_open = False
        # The open <c>'s position, from its r="…" (read, and refused if calamine cannot read it, as the cell opens)
        # or from the walk's indexes, and its t="…".
        cell_row = cell_column = 0
        cell_type: str | None = None
        cell_placed = False  # the open <c> is known to hold something, and fits
        filled = 0
        last_row = last_column = -1
        last_row_column = 0
        marked = self.marked

        def start(name: str, attributes: list[str]) -> None:
            nonlocal depth, done, row, cell_open, cell_row, cell_column, cell_type, cell_placed
            nonlocal filled, last_row, last_column, last_row_column
            local = name.partition(":")[2] or name  # as calamine compares names: after the first colon
            if local == "mergeCell":
                self._merge(attributes)
            if done:
                return
            if depth == 0:
                depth = int(local == "sheetData")
                return
            depth += 1
            if local == "c":
                if depth != 3:
                    raise PortalError(_NOT_XLSX, "not_xlsx")
                ref = kind = None
                for index in range(0, len(attributes), 2):
                    key = attributes[index]
                    if key == "r":
                        ref = attributes[index + 1]
                    elif key == "t":
                        kind = attributes[index + 1]
                if ref is None:
                    cell_row, cell_column = row, column
                else:
                    cell_row, cell_column = _reference(ref, row_only=False)
                cell_open, cell_type, cell_placed = True, kind, False
            elif local == "row":
                if depth != 2:
                    raise PortalError(_NOT_XLSX, "not_xlsx")
                for index in range(0, len(attributes), 2):
                    if attributes[index] == "r":
                        row = max(row, _reference(attributes[index + 1], row_only=True)[0])
            elif depth == 4 and cell_open:
                # The open cell's first child (<v>, <is>, <f>): calamine keeps the cell, so it must fit.
                if not cell_placed:
                    _check_bounds(cell_row, cell_column)
                    if cell_type == "e":
                        marked[(cell_row, cell_column)] = ERROR_CELL
                    filled += 1
                    if cell_row > last_row:
                        last_row, last_row_column = cell_row, cell_column
                    if cell_column > last_column:
                        last_column = cell_column
                    cell_placed = True
                if local == "f":
                    marked[(cell_row, cell_column)] = FORMULA_CELL

        def end(name: str) -> None:
            nonlocal depth, done, row, column, cell_open
            if depth == 0 or done:
                return
            depth -= 1
            if depth == 2:
                if cell_open:  # </c>: the next cell without r="…" is the one after it
                    if cell_column >= column:
                        column = cell_column + 1
                    cell_open = False
            elif depth == 1:  # </row>, or the end of another child of <sheetData>
                row += 1
                column = 0
            elif depth == 0:
                done = True

        def finish() -> None:
            self.filled, self.last_row, self.last_column, self.last_row_column = (
                filled,
                last_row,
                last_column,
                last_row_column,
            )
            self.depth, self.done = depth, done

        return start, end, finish

    def _merge(self, attributes: list[str]) -> None:
        ref = next((value for key, value in zip(attributes[::2], attributes[1::2], strict=True) if key == "ref"), "")
        corners = [_reference(corner, row_only=False) for corner in ref.split(":")]
        if not 1 <= len(corners) <= 2:
            raise PortalError(_NOT_XLSX, "not_xlsx")
        (top, left), (bottom, right) = corners[0], corners[-1]
        self.merged.append((top, left, bottom, right))
        if len(self.merged) > MAX_MERGED_RANGES:
            raise PortalError(f"合并单元格过多：超过{MAX_MERGED_RANGES}处，请取消合并后重新上传。", "too_many_merges")


def _check_bounds(row: int, column: int) -> None:
    """Refuse a cell holding something past ``MAX_SHEET_ROWS`` or ``MAX_COLUMNS``."""
    if row >= MAX_SHEET_ROWS:
        raise PortalError(
            f"数据行过多：表格写到了第{row + 1}行，一次最多导入{MAX_DATA_ROWS}行，请拆分后分批导入。",
            "too_many_rows",
        )
    if column >= MAX_COLUMNS:
        raise PortalError(
            f"列数过多：表格写到了第{column + 1}列（{column_name(column)}列），最多可有{MAX_COLUMNS}列"
            f"（到{column_name(MAX_COLUMNS - 1)}列），请删除表格右侧多余的内容后重新上传。",
            "too_many_columns",
        )


def _refuse_declarations(*args: Any) -> None:
    raise PortalError("文件内部结构异常（含有不允许的XML实体声明），已拒绝。", "xml_entities")


def _parser(walk: _SheetWalk) -> tuple[Any, Callable[[], None]]:
    """An expat parser driving ``walk``'s handlers, refusing any document type declaration; and ``finish``."""
    start, end, finish = walk.handlers()
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    # A sheet has no business declaring a DTD; with none, no entity can be expanded (billion laughs).
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    return parser, finish


def _walk_sheet(archive: zipfile.ZipFile, part: str) -> _SheetWalk:
    """The sheet walked element by element (any XML expat accepts)."""
    walk = _SheetWalk()
    parser, finish = _parser(walk)
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_SCAN_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise PortalError("文件不是有效的Excel（.xlsx）文件，无法读取第一个工作表。", "not_xlsx") from None
    finish()
    return walk


def scan_first_sheet(data: bytes) -> dict[tuple[int, int], str]:
    """Walk the first sheet's XML as a stream (``data`` has passed ``check_xlsx``): refuse a sheet with a cell
    past ``MAX_SHEET_ROWS`` or ``MAX_COLUMNS`` as soon as that cell is read, and one whose grid would be large and
    mostly empty, or whose merged ranges overlap, once it is read; return (row, column), 0-based, of each formula
    or error cell → ``FORMULA_CELL`` or ``ERROR_CELL``.

    A sheet whose rows are written as spreadsheet programs write them is read by ``_plain_walk`` (the same
    answers, from a few passes in C over its XML); any other, and any the plain walk is unsure of, by
    ``_walk_sheet``, element by element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _first_sheet_part(archive)
        if part is None:
            raise PortalError("文件不是有效的Excel（.xlsx）文件，无法读取第一个工作表。", "not_xlsx")
        walk = _plain_walk(archive, part) or _walk_sheet(archive, part)
    grid = (walk.last_row + 1) * (walk.last_column + 1)  # from A1, as the reader lays it out
    if grid > max(GRID_FLOOR_CELLS, SPARSE_FACTOR * walk.filled):
        far = f"{column_name(walk.last_row_column)}{walk.last_row + 1}"
        raise PortalError(
            f"表格中有大片空白：内容一直写到第{walk.last_row + 1}行（如{far}单元格）、{column_name(walk.last_column)}列，"
            f"其间却只有{walk.filled}个单元格有内容。请删除表格下方或右侧远处多余的内容（包括空格）后重新上传。",
            "sparse_sheet",
        )
    # Excel never lets merged ranges overlap, so together they cover at most the grid; overlapping ones (each a
    # few bytes, filled cell by cell by the reader) would cost time without bound.
    covered = sum(
        max(0, min(bottom, walk.last_row) - top + 1) * max(0, min(right, walk.last_column) - left + 1)
        for top, left, bottom, right in walk.merged
    )
    if covered > grid:
        raise PortalError("合并单元格相互重叠，文件内部结构异常，请在Excel中取消合并后重新上传。", "merges_overlap")
    return walk.marked


# The plain walk. Excel, WPS, LibreOffice and openpyxl write a sheet's rows in one form: each <row r="N"> in
# increasing order, its cells <c r="LetterN"> with their attributes in the schema's order, a cell holding a value in
# <v>, a formula in <f> or an inline string in <is><t>. ``_plain_walk`` parses the sheet around <sheetData> with
# expat as ``_walk_sheet`` does (declarations, merged ranges, the rest of the document), and checks the rows
# themselves, a chunk of whole rows at a time, against ``_PLAIN_ROWS``: a regular expression that matches only
# well-formed XML (no comment, CDATA, processing instruction, character or undefined entity reference, no
# character XML forbids, no attribute twice), with every cell's row that of its <row> and its column within
# ``MAX_COLUMNS``. Such rows place every cell by its own reference, so the walk's figures come out of a few counts
# and searches over the chunk; expat would have read them as the same elements. Whatever fails to match, however
# harmless, goes to ``_walk_sheet``, which then answers for the whole sheet.
_PLAIN_SPACE = rb"[ \t\r\n]*+"
_PLAIN_TEXT = rb"(?:[^<&\x00-\x08\x0b\x0c\x0e-\x1f]++|&(?:amp|lt|gt|quot|apos);)*+"
_PLAIN_VALUE = rb'="[^"<>&/\x00-\x1f]*"'
_PLAIN_CELL_ATTRIBUTES = b"".join(rb"(?: " + name + _PLAIN_VALUE + rb")?" for name in (b"s", b"t", b"cm", b"vm", b"ph"))
_PLAIN_ROW_ATTRIBUTES = b"".join(
    rb"(?: " + name + _PLAIN_VALUE + rb")?"
    for name in (
        b"spans",
        b"s",
        b"customFormat",
        b"ht",
        b"hidden",
        b"customHeight",
        b"outlineLevel",
        b"collapsed",
        b"thickTop",
        b"thickBot",
        b"ph",
        b"x14ac:dyDescent",
    )
)
_PLAIN_FORMULA_ATTRIBUTES = b"".join(
    rb"(?: " + name + _PLAIN_VALUE + rb")?"
    for name in (b"t", b"aca", b"ref", b"dt2D", b"dtr", b"del1", b"del2", b"r1", b"r2", b"ca", b"si", b"bx")
)
_PLAIN_CONTENT = (
    rb"(?:<f"
    + _PLAIN_FORMULA_ATTRIBUTES
    + rb" ?(?:/>|>"
    + _PLAIN_TEXT
    + rb"</f>)(?:<v>"
    + _PLAIN_TEXT
    + rb"</v>|<v ?/>)?|<v>"
    + _PLAIN_TEXT
    + rb"</v>|<v ?/>|<is>(?:<t(?: xml:space=\"preserve\")?>"
    + _PLAIN_TEXT
    + rb"</t>|<t ?/>)</is>)"
)
#: Columns A to BL (``MAX_COLUMNS``).
_PLAIN_ALL_COLUMNS = rb"(?:[A-Z]|A[A-Z]|B[A-L])"


def _plain_rows(columns: bytes) -> re.Pattern[bytes]:
    """Whole rows whose cells holding something lie in ``columns`` (a pattern), empty cells in any column."""
    cell = (
        rb'<c r="(?:' + columns + rb'\1"' + _PLAIN_CELL_ATTRIBUTES + rb">" + _PLAIN_CONTENT + rb"</c>"
        rb"|" + _PLAIN_ALL_COLUMNS + rb'\1"' + _PLAIN_CELL_ATTRIBUTES + rb" ?/>)"
    )
    row = (
        rb'<row r="([1-9][0-9]{0,6})"'
        + _PLAIN_ROW_ATTRIBUTES
        + rb" ?(?:/>|>(?:"
        + _PLAIN_SPACE
        + cell
        + rb")*+"
        + _PLAIN_SPACE
        + rb"</row>)"
    )
    return re.compile(rb"(?:" + _PLAIN_SPACE + row + rb")*+" + _PLAIN_SPACE)


@functools.cache
def _plain_rows_within(last_column: int) -> re.Pattern[bytes]:
    """``_plain_rows`` with the cells holding something in columns A to ``last_column`` (0-based): a chunk of
    rows that matches has no such cell further right, so the widest column need not be looked for cell by cell."""
    if last_column < 26:
        return _plain_rows(b"[A-" + column_name(last_column).encode() + b"]")
    first, second = column_name(last_column).encode()
    # Two letters: A to Z, then AA to the last one (the limit stops at BL).
    two = b"|".join(bytes([letter]) + b"[A-Z]" for letter in range(ord("A"), first)) or b"(?!)"
    return _plain_rows(b"(?:[A-Z]|" + two + b"|" + bytes([first]) + b"[A-" + bytes([second]) + b"])")


_PLAIN_ROW_NUMBERS = re.compile(rb'<row r="([0-9]+)"')
_PLAIN_FILLED_CELL = re.compile(rb'<c r="([A-Z]{1,2})[0-9]+"[^>/]*>')
_PLAIN_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,2})([0-9]+)"[^>/]*><f[ />]')
_PLAIN_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,2})([0-9]+)"(?: s="[^"]*")? t="e"[^>/]*>')
#: The XML declaration, if any, of a document in UTF-8 (the only encoding the plain walk reads).
_PLAIN_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?+(?:(?!<\?xml)|<\?xml version=([\"'])1\.0\1(?: encoding=([\"'])(?i:utf-8)\2)?"
    rb"(?: standalone=([\"'])(?:yes|no)\3)? ?\?>)"
)
#: Bytes of rows held at once waiting for a row's end: a longer row goes to ``_walk_sheet``.
_PLAIN_MAX_PENDING = 4 * _SCAN_CHUNK


class _PlainRows:
    """The walk's figures over chunks of whole plain rows, in order."""

    def __init__(self, walk: _SheetWalk) -> None:
        self.walk = walk
        self.last_number = 0  # the last <row>'s r
        self.last_column = 0  # the widest column holding something so far (0-based), or 0

    def read(self, chunk: bytes) -> bool:
        """Take the chunk's rows into the walk's figures; False (nothing taken) unless they are plain."""
        if b"]]>" in chunk or b"\xef\xbf\xbe" in chunk or b"\xef\xbf\xbf" in chunk:
            return False  # "]]>" in text, U+FFFE and U+FFFF: not XML, though the expression lets them through
        try:
            chunk.decode()  # UTF-8, as expat reads it
        except UnicodeDecodeError:
            return False
        last_column = self.last_column
        if _plain_rows_within(last_column).fullmatch(chunk) is None:
            # Wider, or not plain: the widest column holding something, and one more try.
            letters = set(_PLAIN_FILLED_CELL.findall(chunk))
            if not letters:
                return False
            last_column = max(last_column, *(_column_index(letter.decode()) for letter in letters))
            if last_column >= MAX_COLUMNS or _plain_rows_within(last_column).fullmatch(chunk) is None:
                return False
        numbers = [int(number) for number in _PLAIN_ROW_NUMBERS.findall(chunk)]
        if numbers:
            if numbers[0] <= self.last_number or numbers[-1] > MAX_SHEET_ROWS:
                return False
            if any(before >= after for before, after in itertools.pairwise(numbers)):
                return False
        walk = self.walk
        filled = chunk.count(b"</c>")
        if filled:
            # The last row holding something, and the first cell holding something in it.
            row_at = chunk.rfind(b'<row r="', 0, chunk.rfind(b"</c>"))
            row_match = _PLAIN_ROW_NUMBERS.match(chunk, row_at)
            cell_match = _PLAIN_FILLED_CELL.search(chunk, row_at)
            assert row_match is not None and cell_match is not None  # the chunk matched _plain_rows
            walk.last_row = int(row_match.group(1)) - 1
            walk.last_row_column = _column_index(cell_match.group(1).decode())
            walk.last_column = max(walk.last_column, last_column)
            walk.filled += filled
            if b't="e"' in chunk:
                for match in _PLAIN_ERROR_CELL.finditer(chunk):
                    walk.marked[(int(match.group(2)) - 1, _column_index(match.group(1).decode()))] = ERROR_CELL
            if b"<f" in chunk:
                for match in _PLAIN_FORMULA_CELL.finditer(chunk):
                    walk.marked[(int(match.group(2)) - 1, _column_index(match.group(1).decode()))] = FORMULA_CELL
        self.last_column = last_column
        if numbers:
            self.last_number = numbers[-1]
        return True


def _plain_walk(archive: zipfile.ZipFile, part: str) -> _SheetWalk | None:
    """The walk's figures for a sheet whose rows are plain (see above), or None: ``_walk_sheet`` then reads it.
    Refuses what ``_walk_sheet`` would refuse before or after the rows (a declaration, too many merged ranges)."""
    walk = _SheetWalk()
    parser, finish = _parser(walk)
    rows = _PlainRows(walk)
    start_tag, end_tag = b"<sheetData>", b"</sheetData>"
    try:
        with archive.open(part) as stream:
            pending = b""
            while (at := pending.find(start_tag)) < 0:
                chunk = stream.read(_SCAN_CHUNK)
                if not chunk or len(pending) > _PLAIN_MAX_PENDING:
                    return None
                pending += chunk
            prefix = pending[:at]
            if b"sheetData" in prefix or _PLAIN_PROLOG.match(prefix) is None:
                return None
            parser.Parse(prefix + start_tag, False)
            finish()
            if (walk.depth, walk.done) != (1, False):
                return None  # not the element it looks like (in a comment, say)
            pending = pending[at + len(start_tag) :]
            while (at := pending.find(end_tag)) < 0:
                cut = pending.rfind(b"</row>")
                if cut >= 0:
                    if not rows.read(pending[: cut + 6]):
                        return None
                    pending = pending[cut + 6 :]
                elif len(pending) > _PLAIN_MAX_PENDING:
                    return None
                chunk = stream.read(_SCAN_CHUNK)
                if not chunk:
                    return None
                pending += chunk
            if not rows.read(pending[:at]):
                return None
            figures = (walk.filled, walk.last_row, walk.last_column, walk.last_row_column)
            parser.Parse(pending[at:], False)
            while chunk := stream.read(_SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        return None
    finish()
    if not walk.done or walk.filled:
        return None
    walk.filled, walk.last_row, walk.last_column, walk.last_row_column = figures
    return walk


def header_text(value: Any) -> str:
    """A header cell folded for comparison: NFKC (full-width brackets and digits) and no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def _labels_in(row: list[Any], layout: SheetLayout) -> set[str]:
    return {label for cell in row if (label := layout.labels.get(header_text(cell))) is not None}


def find_header(grid: list[list[Any]], layout: SheetLayout) -> tuple[int, dict[str, int]]:
    """(index of the last header row, column → cell index). Header rows are found by content."""
    for top in range(min(len(grid), HEADER_SEARCH_ROWS)):
        if layout.anchor not in _labels_in(grid[top], layout):
            continue
        header_rows = [top]
        if layout.sub_headers and top + 1 < len(grid) and _labels_in(grid[top + 1], layout) & layout.sub_headers:
            header_rows.append(top + 1)
        if layout.group_headers and top > 0 and {header_text(cell) for cell in grid[top - 1]} & layout.group_headers:
            header_rows.append(top - 1)  # after the anchor row: a name there wins over one merged down from above
        columns: dict[str, int] = {}
        for index in header_rows:
            for position, cell in enumerate(grid[index]):
                label = layout.labels.get(header_text(cell))
                if label is not None and label not in columns:
                    columns[label] = position
        missing = [column for column in layout.required if column not in columns]
        if missing:
            raise PortalError(f"表头缺少列：{'、'.join(missing)}。{layout.missing_hint}", "header_missing")
        return max(header_rows), columns
    raise PortalError(layout.not_found_message, "header_not_found")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill_merged(grid: list[list[Any]], marked: dict[tuple[int, int], str], merged: list[Any], *, below: int) -> None:
    """Give every cell of a range merged over data rows (below row index ``below``) the value of its first cell,
    as the printed sheet shows it: an employer merged over its three posts is that employer on each row."""
    for (top, left), (bottom, right) in merged:
        if top <= below or top >= len(grid):
            continue  # the title and header rows are the layout's own; a range below the last value holds nothing
        value = grid[top][left] if left < len(grid[top]) else None
        mark = marked.get((top, left))
        for row in range(top, min(bottom, len(grid) - 1) + 1):
            for column in range(left, min(right, len(grid[row]) - 1) + 1):
                grid[row][column] = value
                if mark is not None:
                    marked[(row, column)] = mark


def read_sheet(file: SheetFile, layout: SheetLayout) -> list[RawRow]:
    """The data rows of the first sheet; completely empty rows are left out, cells merged over data rows are
    read on every row they cover, formula and error cells are ``RawRow.refused``. Refuses unsafe or non-xlsx
    files, a sheet reaching past the row or column limit (while its XML is read, before calamine builds it) and one
    without data rows."""
    data = read_bytes(file)
    check_xlsx(data)
    marked = scan_first_sheet(data)  # refuses, while reading, a sheet calamine would build too large
    with paused_gc():
        return _data_rows(data, marked, layout)


def _data_rows(data: bytes, marked: dict[tuple[int, int], str], layout: SheetLayout) -> list[RawRow]:
    # Imported here: the Rust extension is only needed by the imports, not by every process that loads the app.
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
    except (CalamineError, ValueError, OSError):
        raise PortalError("文件不是有效的Excel（.xlsx）文件，无法读取第一个工作表。", "not_xlsx") from None
    last_header, columns = find_header(grid, layout)
    _fill_merged(grid, marked, merged, below=last_header)
    rows: list[RawRow] = []
    labels, positions = tuple(columns), tuple(columns.values())
    # The row's cells of the columns read, in one call (calamine's rows are as wide as the sheet's widest).
    pick = operator.itemgetter(*positions) if len(positions) > 1 else lambda cells: (cells[positions[0]],)
    width = max(positions) + 1
    # skip_empty_area=False keeps row 1 at index 0, so index + 1 is the row number the clerk sees in Excel.
    for index in range(last_header + 1, len(grid)):
        cells = grid[index]
        if len(cells) >= width:
            values = dict(zip(labels, pick(cells), strict=True))
        else:
            values = {label: cells[position] if position < len(cells) else None for label, position in columns.items()}
        refused = (
            {
                label: marked[(index, position)]
                for label, position in columns.items()
                if (index, position) in marked and label != NUMBER_COLUMN
            }
            if marked  # most sheets have no formula or error cell: no lookup per cell then
            else {}
        )
        # A row numbered in advance (序号 filled down an empty template) is as empty as a blank one.
        if not refused and all(is_empty(value) for label, value in values.items() if label != NUMBER_COLUMN):
            continue
        rows.append(RawRow(row=index + 1, cells=values, refused=refused))
        if len(rows) > MAX_DATA_ROWS:
            raise PortalError(f"数据行过多：一次最多导入{MAX_DATA_ROWS}行，请拆分后分批导入。", "too_many_rows")
    if not rows:
        raise PortalError("表格中没有数据：表头下面没有填写任何一行，未导入任何内容。", "no_rows")
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Understanding the cells


def cell_text(value: Any) -> str:
    """Cell as written: numbers without a spurious '.0', each line's spaces trimmed, blank lines dropped."""
    if value is None:
        return ""
    if value.__class__ is str and value.isprintable():
        # No line break (every one splitlines() knows is unprintable): the common cell, a single line.
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = [line.strip() for line in str(value).splitlines()]
    return "\n".join([line for line in lines if line])


def folded(value: Any) -> str:
    """For cells read as values: full-width digits and punctuation folded (NFKC), no whitespace, lower case."""
    if value.__class__ in _FOLD_CACHED:
        # The columns read as values repeat the same few cells (学历, 是/否, the district) down the sheet.
        return _folded(value)
    return _fold(value)


_WHITESPACE = re.compile(r"\s+")
#: Cell types whose folded text is remembered (hashable, and typed: 1, 1.0 and True fold differently).
_FOLD_CACHED = frozenset({str, int, float, bool})


def _fold(value: Any) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", cell_text(value))).lower()


_folded = functools.lru_cache(maxsize=4096, typed=True)(_fold)


#: Excel's day 0 (its serial numbers count from 1899-12-30, the 1900 leap-year bug included).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def cell_date(value: Any) -> datetime.date | None:
    """A date as a person writes it: an Excel date, 2026-02-02, 2026/2/2, 2026年2月2日, 2026.2.2, 20260202, or
    a date cell that lost its format (a serial number). None for an empty cell; ``ValueError`` otherwise."""
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        # Serials 1 Jan 1960 – 31 Dec 2099; a bare number outside that range is not a date anyone meant.
        if float(value).is_integer() and 21916 <= value <= 73050:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        if not 19600101 <= value <= 20991231:
            raise ValueError(value)
    text = folded(value)
    match = _DATE_TEXT.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups())
    return datetime.date(year, month, day)  # raises ValueError for 2026-02-30


# ---------------------------------------------------------------------------------------------------------------
# Who may import


def require_district_importer(user: User, district: District, *, what: str) -> None:
    """Imports are for the district's own clerk, or an admin importing on a district's behalf."""
    if p.is_admin.test(user):
        return
    if not (p.is_district_clerk.test(user) and user.district_id == district.pk):
        raise PermissionDenied(f"只有本区县的经办人（或系统管理员）可以导入本区县的{what}。")


def require_admin_importer(user: User, *, what: str) -> None:
    """City-wide sheets (the talent base list) are imported by an admin only."""
    if not p.is_admin.test(user):
        raise PermissionDenied(f"只有系统管理员可以导入{what}。")
