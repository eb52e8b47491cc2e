"""The bad-input corpus (docs/forms.md, "Field limits"): each hostile or broken input with the exact Chinese refusal it gets, and
the database exactly as it was afterwards.

The committed files are in ``tests/data/bad_inputs/`` (``README.md`` there lists every case and its answer; they
are rebuilt by ``python -m tests.security.corpus``); the large ones are made here. The importers are driven at the
service level (``positions.importing``, ``referrals.importing``), the same code the upload pages, the background
jobs and the management commands call.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from portal.calendar import TenDayPeriod
from portal.constants import ThirdPartyKind
from portal.errors import PortalError
from portal.identity import mask_id_number
from portal.imports.sheets import ERROR_CELL, FORMULA_CELL, PortalImportError
from portal.models import District, Employer, ThirdParty, User
from portal.registration.services import RegistrationData, RegistrationRefused, third_party_register
from positions.importing import import_positions
from positions.models import Position
from referrals.importing import import_hires
from referrals.models import Hire
from referrals.services import HireData, hire_record
from subsidies.models import Claim
from subsidies.services import ClaimData, ClaimLine, claim_create, parse_amount
from tests.factories import EmployerFactory, PositionFactory, ThirdPartyFactory, UserFactory, claimable_hire
from tests.security import corpus

pytestmark = pytest.mark.django_db

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
PERIOD = TenDayPeriod(2026, 11, 3)
#: The tables whose rows an import, a registration, a hire or a claim could write (the audit trail included).
WATCHED_APPS = frozenset({"portal", "positions", "referrals", "subsidies", "bases", "auditlog"})

NOT_XLSX = "文件不是有效的Excel（.xlsx）文件，请用Excel另存为.xlsx后重新上传。"
NO_HEADER_1 = "未找到表头：表格前几行中应有“用人单位”“岗位名称”等列名（附件1格式）。"
NO_HEADER_3 = "未找到表头：表格前几行中应有“姓名”“身份证号码”“岗位名称”等列名（附件3格式）。"
NO_ROWS = "表格中没有数据：表头下面没有填写任何一行，未导入任何内容。"
TOO_LARGE = "文件过大：不能超过20MB。"
BOMB = "文件压缩比异常，疑似恶意构造的压缩文件，已拒绝。"


# ---------------------------------------------------------------------------------------------------------------
# The world the inputs meet, and the proof that nothing was written


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture(scope="module")
def _reference_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The reference data (41 districts, caps…) loaded once for the module, in a transaction rolled back at its
    end; each test runs in a savepoint of it (pytest-django's ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def reference(_reference_module: None, db: None) -> None:
    """The reference data, for one test."""


@pytest.fixture
def tongliang(reference: None) -> District:
    return District.objects.get(code="500151")


@pytest.fixture
def clerk(tongliang: District) -> User:
    return UserFactory(clerk=True, district=tongliang)


@pytest.fixture
def post(tongliang: District) -> Position:
    """The published post every Annex 3 sheet of the corpus names."""
    return PositionFactory(batch__district=tongliang, published=True, name=corpus.ANNEX3_POST, recruits_graduates=True)


def db_state() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in WATCHED_APPS
    }


@contextmanager
def db_unchanged() -> Iterator[None]:
    """The block writes no row anywhere (counted per table before and after)."""
    before = db_state()
    yield
    after = db_state()
    assert {label: (before[label], count) for label, count in after.items() if before[label] != count} == {}


def corpus_file(name: str) -> bytes:
    return (CORPUS_DIR / name).read_bytes()


def positions_import(district: District, clerk: User) -> Callable[[bytes], Any]:
    return lambda data: import_positions(file=data, district=district, period=PERIOD, by=clerk)


def hires_import(district: District, clerk: User) -> Callable[[bytes], Any]:
    return lambda data: import_hires(file=data, district=district, by=clerk)


@dataclass(frozen=True)
class Importer:
    """One annex's import: how to run it, its refusal of a sheet without its header, a valid sheet's rows."""

    run: Callable[[bytes], Any]
    no_header: str
    valid_rows: list[list[Any]]


@pytest.fixture(params=["annex1", "annex3"])
def importer(request: pytest.FixtureRequest, tongliang: District, clerk: User, post: Position) -> Importer:
    if request.param == "annex1":
        head: list[list[Any]] = [[corpus.ANNEX1_TITLE], corpus.ANNEX1_HEADER, corpus.ANNEX1_SUBHEADER]
        return Importer(positions_import(tongliang, clerk), NO_HEADER_1, [*head, corpus.annex1_row(1)])
    head = [[corpus.ANNEX3_TITLE], corpus.ANNEX3_GROUPS, corpus.ANNEX3_NAMES]
    return Importer(hires_import(tongliang, clerk), NO_HEADER_3, [*head, corpus.annex3_row(1)])


def refusal(run: Callable[[bytes], Any], data: bytes) -> PortalError:
    with db_unchanged(), pytest.raises(PortalError) as caught:
        run(data)
    assert not isinstance(caught.value, PortalImportError), [str(error) for error in caught.value.errors]
    return caught.value


def row_errors(run: Callable[[bytes], Any], data: bytes) -> list[str]:
    with db_unchanged(), pytest.raises(PortalImportError) as caught:
        run(data)
    return [str(error) for error in caught.value.errors]


def test_the_committed_corpus_is_the_one_the_builders_make() -> None:
    committed = {path.name for path in CORPUS_DIR.iterdir() if path.suffix == ".xlsx"}
    assert committed == set(corpus.CORPUS)
    readme = (CORPUS_DIR / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in corpus.CORPUS)
    assert max((CORPUS_DIR / name).stat().st_size for name in committed) < 10_000


# ---------------------------------------------------------------------------------------------------------------
# Files that are not a workbook, or a hostile one: both annexes


@pytest.mark.parametrize("name", ["csv_renamed.xlsx", "xls_renamed.xlsx", "truncated.xlsx", "empty_file.xlsx"])
def test_what_is_not_a_workbook_is_refused(importer: Importer, name: str) -> None:
    run = importer.run
    error = refusal(run, corpus_file(name))
    assert (error.message, error.code) == (NOT_XLSX, "not_xlsx")


def test_an_empty_sheet_has_no_header(importer: Importer) -> None:
    assert refusal(importer.run, corpus_file("empty_sheet.xlsx")).message == importer.no_header


def test_a_file_over_the_size_cap_is_refused_unread(importer: Importer) -> None:
    run = importer.run
    error = refusal(run, b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024))
    assert (error.message, error.code) == (TOO_LARGE, "file_too_large")


def test_a_zip_bomb_is_refused_before_any_entry_is_inflated(
    importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """About 400 KB holding 158 MB of sheet XML: refused from the archive's directory alone (no timing needed)."""
    run = importer.run
    bomb = corpus.zip_bomb(uncompressed_mb=150)
    assert len(bomb) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo(corpus.SHEET_PART).file_size >= 150 * 1024 * 1024

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an entry of the bomb was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", never)
    error = refusal(run, bomb)
    assert (error.message, error.code) == (BOMB, "zip_ratio")


def test_too_many_zip_entries_are_refused(importer: Importer) -> None:
    run = importer.run
    error = refusal(run, corpus.raw_xlsx([corpus.annex1_row(1)], extra_entries=1_000))
    assert (error.message, error.code) == ("文件内部结构异常（包含1005个部件），已拒绝。", "zip_entries")


def test_an_archive_that_understates_its_sizes_is_refused(importer: Importer) -> None:
    """Declared 100 bytes, inflating to more: the read stops at the declared size and the CRC check fails."""
    run = importer.run
    liar = corpus.understated_zip(corpus.raw_xlsx([corpus.annex1_row(n) for n in range(1, 200)]))
    assert refusal(run, liar).message == NOT_XLSX


def test_entity_declarations_in_the_workbook_xml_are_refused(importer: Importer) -> None:
    run = importer.run
    error = refusal(run, corpus.raw_xlsx(importer.valid_rows, workbook=corpus.ENTITY_WORKBOOK))
    assert (error.message, error.code) == ("文件内部结构异常（含有不允许的XML实体声明），已拒绝。", "xml_entities")


def test_a_sheet_past_the_row_cap_is_refused_before_its_rows_are_read(importer: Importer) -> None:
    run = importer.run
    far = corpus.raw_xlsx([[corpus.ANNEX1_TITLE], *([[]] * 199_998), ["序号", "用人单位"]])
    error = refusal(run, far)
    assert error.message == "数据行过多：表格写到了第200000行，一次最多导入100000行，请拆分后分批导入。"
    assert error.code == "too_many_rows"


FAR_ROW = "数据行过多：表格写到了第1000000行，一次最多导入100000行，请拆分后分批导入。"


def test_a_cell_a_million_rows_down_is_refused_before_calamine_builds_the_sheet(
    importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 KB declaring A1:K1000000 with one number in row 1,000,000: refused while its XML is read, whatever the
    dimension says; calamine, which would build the 11-million-cell grid first, is never asked."""
    data = corpus.far_cell_sheet()
    assert len(data) < 5_000

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("calamine was asked to build the sheet")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", never)
    error = refusal(importer.run, data)
    assert (error.message, error.code) == (FAR_ROW, "too_many_rows")


def test_reading_the_far_sheet_takes_a_bounded_amount_of_memory() -> None:
    """Before the stream walk, reading this sheet grew the process by about 335 MB; the bound is 50 MB. calamine's
    grid is allocated by Rust, which tracemalloc does not see, so the figure that counts is the peak resident set
    of a fresh process (``bench/sheet_memory.py``, whose measurement this is); Python's own allocations are bounded
    in this process too, with tracemalloc."""
    import tracemalloc

    from bench.sheet_memory import measure
    from positions.importing import read_sheet

    (figures,) = measure(rows=1_000_000, processes=1)
    assert figures["answers"] == [FAR_ROW, FAR_ROW]
    assert int(str(figures["growth_kb"])) < 50 * 1024, figures

    data = corpus.far_cell_sheet()
    tracemalloc.start()
    try:
        with pytest.raises(PortalError):
            read_sheet(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_a_far_cell_within_the_limits_is_refused_when_the_sheet_is_nearly_empty(
    importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One number in BL100020, the last row and column the limits allow: 6.4 million grid cells (about 200 MB in
    calamine) for three rows of content. Refused by the walk too, saying where the stray cell is."""

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("calamine was asked to build the sheet")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", never)
    error = refusal(importer.run, corpus.far_cell_sheet(last_row=100_020, last_column="BL"))
    assert error.message == (
        "表格中有大片空白：内容一直写到第100020行（如BL100020单元格）、BL列，其间却只有14个单元格有内容。"
        "请删除表格下方或右侧远处多余的内容（包括空格）后重新上传。"
    )
    assert error.code == "sparse_sheet"


def test_a_full_sheet_of_the_same_size_is_not_sparse(tongliang: District, clerk: User) -> None:
    """The floor: a grid up to a million cells is read whatever it holds (a few rows and a note at row 90,000 of
    Annex 1 is 990,000 cells), and a larger one if an eighth of it is filled."""
    from portal.imports.sheets import scan_first_sheet

    note = b'<row r="90000"><c r="K90000" t="inlineStr"><is><t>note</t></is></c></row>'
    assert scan_first_sheet(corpus.sheet_xlsx(corpus.annex1_head_xml() + note)) == {}
    rows = [corpus.annex1_row(n) for n in range(1, 12_001)]  # 12,003 rows × 11 columns, most of them filled
    wide = b'<row r="12004"><c r="BL12004"><v>1</v></c></row>'  # 64 columns: 768,256 cells, 12 % filled
    body = corpus.annex1_head_xml() + b"".join(corpus.xml_rows(rows, first=4)) + wide
    assert scan_first_sheet(corpus.sheet_xlsx(body)) == {}


def _with_merges(body: bytes, merges: bytes) -> bytes:
    data = corpus.sheet_xlsx(body)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[corpus.SHEET_PART] = parts[corpus.SHEET_PART].replace(
        b"</sheetData>", b"</sheetData><mergeCells>" + merges + b"</mergeCells>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_merged_ranges_that_overlap_are_refused_before_they_are_filled(
    importer: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2 KB: the same range A5:K90000 merged 2,000 times. The reader fills a merged range cell by cell (2 billion
    assignments here); Excel never lets merged ranges overlap, so such a sheet is refused before any is filled."""

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("calamine was asked to build the sheet")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", never)
    body = corpus.annex1_head_xml() + b"".join(corpus.xml_rows([corpus.annex1_row(1)], first=4))
    body += b'<row r="90000"><c r="K90000"><v>1</v></c></row>'
    data = _with_merges(body, b'<mergeCell ref="A5:K90000"/>' * 2_000)
    assert len(data) < 5_000
    error = refusal(importer.run, data)
    assert error.message == "合并单元格相互重叠，文件内部结构异常，请在Excel中取消合并后重新上传。"
    assert error.code == "merges_overlap"


def test_too_many_merged_ranges_are_refused(importer: Importer) -> None:
    merges = b"".join(f'<mergeCell ref="L{n}:M{n}"/>'.encode() for n in range(4, 50_005))
    error = refusal(importer.run, _with_merges(corpus.annex1_head_xml(), merges))
    assert (error.message, error.code) == ("合并单元格过多：超过50000处，请取消合并后重新上传。", "too_many_merges")


def test_a_cell_past_the_last_column_is_refused(importer: Importer) -> None:
    """The grid's width is bounded too: one value in column XFD of row 1 would make every row 16,384 cells."""
    error = refusal(
        importer.run, corpus.sheet_xlsx(corpus.annex1_head_xml() + b'<row r="4"><c r="XFD4"><v>1</v></c></row>')
    )
    assert (
        error.message
        == "列数过多：表格写到了第16384列（XFD列），最多可有64列（到BL列），请删除表格右侧多余的内容后重新上传。"
    )
    assert error.code == "too_many_columns"


@pytest.mark.parametrize(
    "far",
    [
        # No r="…" on the cell: it lies in the row its <row> names.
        b'<row r="1000000"><c><v>1</v></c></row>',
        # No r="…" at all: the row after an empty row 999,999.
        b'<row r="999999"></row><row><c><v>1</v></c></row>',
        # A row that goes back (and is empty) does not bring the next one back with it.
        b'<row r="999999"></row><row r="5"/><row><c><v>1</v></c></row>',
        # Cells without r="…" follow the one before them, past the last column.
        b'<row r="4"><c r="BK4"><v>1</v></c><c r="A4"/><c><v>2</v></c><c><v>3</v></c></row>',
        # A namespace prefix changes nothing.
        b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1000000">'
        b'<x:c r="A1000000"><x:v>1</x:v></x:c></x:row>',
    ],
)
def test_cells_placed_without_a_reference_are_still_bounded(
    importer: Importer, monkeypatch: pytest.MonkeyPatch, far: bytes
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("calamine was asked to build the sheet")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", never)
    error = refusal(importer.run, corpus.sheet_xlsx(corpus.annex1_head_xml() + far))
    assert error.code in {"too_many_rows", "too_many_columns"}


def test_empty_cells_far_away_are_not_held_against_the_sheet(tongliang: District, clerk: User) -> None:
    """calamine keeps only cells holding something, so a formatted but empty cell (as Excel writes it) far down
    or to the right does not make the sheet too large."""
    rows = b"".join(corpus.xml_rows([corpus.annex1_row(1)], first=4))
    styled = b'<row r="1000000"><c r="A1000000" s="1"/><c r="XFD1000000" s="1"></c></row>'
    assert positions_import(tongliang, clerk)(corpus.sheet_xlsx(corpus.annex1_head_xml() + rows + styled)).created == 1


def test_a_sheet_nesting_rows_in_cells_is_refused(importer: Importer) -> None:
    nested = b'<row r="4"><c r="A4"><row r="1000000"><c><v>1</v></c></row></c></row>'
    error = refusal(importer.run, corpus.sheet_xlsx(corpus.annex1_head_xml() + nested))
    assert (error.message, error.code) == (NOT_XLSX, "not_xlsx")


def test_a_document_type_declaration_in_the_sheet_is_refused(importer: Importer) -> None:
    data = corpus.sheet_xlsx(corpus.annex1_head_xml())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[corpus.SHEET_PART] = parts[corpus.SHEET_PART].replace(
        b"<worksheet ", b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet ', 1
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    error = refusal(importer.run, buffer.getvalue())
    assert (error.message, error.code) == ("文件内部结构异常（含有不允许的XML实体声明），已拒绝。", "xml_entities")


def test_the_row_cap_counts_data_rows_not_blank_or_numbered_ones(
    tongliang: District, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap, lowered to 5 so the sheet stays small: blank rows and rows with only a 序号 do not count; the sixth
    data row is one too many. (The real cap, 100,000, is the test above.)"""
    monkeypatch.setattr("portal.imports.sheets.MAX_DATA_ROWS", 5)
    head: list[list[Any]] = [[corpus.ANNEX1_TITLE], corpus.ANNEX1_HEADER, corpus.ANNEX1_SUBHEADER]
    five = [corpus.annex1_row(n) for n in range(1, 6)]
    padding = [[], [99]]  # a blank row, and a row numbered in advance of being filled
    assert positions_import(tongliang, clerk)(corpus.raw_xlsx([*head, *padding, *five, *padding])).created == 5
    six = [*five, corpus.annex1_row(6)]
    error = refusal(positions_import(tongliang, clerk), corpus.raw_xlsx([*head, *six]))
    assert (error.message, error.code) == ("数据行过多：一次最多导入5行，请拆分后分批导入。", "too_many_rows")


# ---------------------------------------------------------------------------------------------------------------
# Annex 1: the table and its cells


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("annex1_header_only.xlsx", NO_ROWS),
        ("annex1_no_header.xlsx", NO_HEADER_1),
        ("annex1_header_below_row_20.xlsx", NO_HEADER_1),
        (
            "annex1_header_missing_column.xlsx",
            "表头缺少列：需求人数。请使用附件1“卓越工程师岗位表”的格式（岗位名称下分“揭榜招贤”“引才专项”两列）。",
        ),
    ],
)
def test_annex1_tables_that_cannot_be_read(tongliang: District, clerk: User, name: str, message: str) -> None:
    assert refusal(positions_import(tongliang, clerk), corpus_file(name)).message == message


def test_annex1_wrong_typed_cells(tongliang: District, clerk: User) -> None:
    assert row_errors(positions_import(tongliang, clerk), corpus_file("annex1_wrong_types.xlsx")) == [
        "第4行 〔需求人数〕 需求人数应为整数（如 4），“若干”无法识别。",
        "第5行 〔需求人数〕 需求人数应为整数（如 4），“2.5”无法识别。",
        "第6行 〔需求人数〕 需求人数应为整数（如 4），“TRUE”无法识别。",
        "第7行 〔需求人数〕 需求人数不能超过9999人。",
        "第8行 〔是否招聘应届生〕 “2”无法识别，请填写“是”或“否”。",
        "第9行 〔学历要求〕 学历要求“3”无法识别，只能填写：大专、本科、硕士、博士、不限。",
        "第10行 〔填报来源〕 填报来源“500151”与导入的区县“铜梁区”不一致。",
    ]


def test_annex1_formula_and_error_cells_are_refused_where_they_are(tongliang: District, clerk: User) -> None:
    """A formula never calculated reads as empty and one calculated reads as its result: either way the clerk is
    told the cell holds a formula, not "请填写…". A formula in 序号 (=ROW()-3) is harmless; text that merely starts
    with "=" is text (exports write it as text)."""
    assert row_errors(positions_import(tongliang, clerk), corpus_file("annex1_formulas.xlsx")) == [
        f"第4行 〔用人单位〕 {FORMULA_CELL}",
        f"第4行 〔需求人数〕 {FORMULA_CELL}",
        f"第5行 〔用人单位〕 {FORMULA_CELL}",
        f"第5行 〔需求人数〕 {FORMULA_CELL}",
        f"第6行 〔需求人数〕 {ERROR_CELL}",
    ]
    assert FORMULA_CELL == "是公式，不是填写的内容：请在Excel中复制后“选择性粘贴”为数值，再重新上传。"
    assert ERROR_CELL == "是Excel错误值（如#N/A、#REF!），不是填写的内容：请改为实际的内容后重新上传。"


def test_annex1_a_numbered_row_and_text_starting_with_equals_import_as_typed(tongliang: District, clerk: User) -> None:
    text = '=HYPERLINK("http://evil.example/","点击")'
    sheet = corpus.raw_xlsx(
        [
            [corpus.ANNEX1_TITLE],
            corpus.ANNEX1_HEADER,
            corpus.ANNEX1_SUBHEADER,
            corpus.annex1_row(1, 序号=("=", "ROW()-3", 1)),
            corpus.annex1_row(2, 用人单位=text),
        ]
    )
    assert positions_import(tongliang, clerk)(sheet).created == 2
    assert Employer.objects.filter(name=text).exists()


def test_annex1_fullwidth_values_are_folded_and_names_kept_as_written(tongliang: District, clerk: User) -> None:
    """Decision: values read as values (需求人数, 是否, 填报来源, dates, ID numbers, amounts) are NFKC-folded;
    names (用人单位, 岗位名称) are kept as written — full-width characters are part of a company's legal name."""
    result = positions_import(tongliang, clerk)(corpus_file("annex1_fullwidth.xlsx"))
    assert result.created == 1
    post = Position.objects.select_related("employer").get()
    assert (post.employer.name, post.name, post.headcount, post.recruits_graduates) == (
        "ＡＢＣ科技有限公司",
        "ＡＢＣ１２３工程师",
        12,
        True,
    )


def test_annex1_a_cell_merged_down_data_rows_counts_on_each_row(tongliang: District, clerk: User) -> None:
    """Decision: normalised. An employer (or 填报来源) merged over three posts is that employer on each row, as the
    printed sheet reads."""
    assert positions_import(tongliang, clerk)(corpus_file("annex1_merged_rows.xlsx")).created == 3
    assert set(Position.objects.values_list("employer__name", flat=True)) == {"重庆合并单元格有限公司"}


def test_annex1_a_post_name_merged_across_both_channels_is_refused(tongliang: District, clerk: User) -> None:
    assert row_errors(positions_import(tongliang, clerk), corpus_file("annex1_merged_channels.xlsx")) == [
        "第4行 〔岗位名称〕 “揭榜招贤”和“引才专项”下都填了岗位名称：一行只能填一个渠道，请分两行填写。"
    ]


def test_annex1_a_table_shifted_right_and_down_is_found_by_its_header(tongliang: District, clerk: User) -> None:
    assert positions_import(tongliang, clerk)(corpus_file("annex1_shifted.xlsx")).created == 1


# ---------------------------------------------------------------------------------------------------------------
# Annex 3: the table and its cells


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("annex3_header_only.xlsx", NO_ROWS),
        (
            "annex3_header_missing_column.xlsx",
            "表头缺少列：引进方式。请使用附件3“用人单位引进人才确认表”的格式（必填项：序号、姓名、身份证号码、岗位名称、"
            "引进方式、劳动合同期限）。",
        ),
    ],
)
def test_annex3_tables_that_cannot_be_read(
    tongliang: District, clerk: User, post: Position, name: str, message: str
) -> None:
    assert refusal(hires_import(tongliang, clerk), corpus_file(name)).message == message


def test_annex3_an_id_number_stored_as_a_number_is_refused(tongliang: District, clerk: User, post: Position) -> None:
    assert row_errors(hires_import(tongliang, clerk), corpus_file("annex3_numeric_id.xlsx")) == [
        "第4行 〔身份证号码〕 身份证号码被Excel存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写。"
    ]


def test_annex3_wrong_id_numbers(tongliang: District, clerk: User, post: Position) -> None:
    assert row_errors(hires_import(tongliang, clerk), corpus_file("annex3_wrong_ids.xlsx")) == [
        "第4行 〔身份证号码〕 身份证号码校验位不正确，请核对最后一位。",
        "第5行 〔身份证号码〕 身份证号码中的出生日期或地区码无效。",
        "第6行 〔身份证号码〕 身份证号码中的出生日期晚于今天，请核对。",
        "第7行 〔身份证号码〕 身份证号码应为18位。",
        "第8行 〔身份证号码〕 身份证号码应为18位。",
        "第9行 〔身份证号码〕 身份证号码应为18位。",
        "第10行 〔身份证号码〕 身份证号码中的出生日期或地区码无效。",
        "第11行 〔身份证号码〕 身份证号码校验位不正确，请核对最后一位。",
    ]


def test_annex3_id_numbers_as_people_write_them_are_normalised(
    tongliang: District, clerk: User, post: Position
) -> None:
    """Decision: a lower-case x, full-width digits and spaces are the same number (stored upper-case, ASCII)."""
    assert hires_import(tongliang, clerk)(corpus_file("annex3_id_forms.xlsx")).created == 3
    stored = {hire.name: hire.id_number for hire in Hire.objects.all()}
    assert stored == {
        "语料人才1": corpus.ID_NUMBERS[2],
        "语料人才2": corpus.ID_NUMBERS[1],
        "语料人才3": corpus.ID_NUMBERS[0],
    }


def test_annex3_wrong_typed_cells(tongliang: District, clerk: User, post: Position) -> None:
    assert row_errors(hires_import(tongliang, clerk), corpus_file("annex3_wrong_types.xlsx")) == [
        "第4行 〔入职时间〕 入职时间“明年”无法识别，请填写日期，如 2026-02-02 或 2026年2月2日。",
        "第5行 〔入职时间〕 入职时间“99999999”无法识别，请填写日期，如 2026-02-02 或 2026年2月2日。",
        "第6行 〔引进方式〕 引进方式只能是“全职”或“柔性”。",
        "第6行 〔学历〕 学历“3”无法识别，只能填写：大专、本科、硕士、博士（可留空）。",
        "第7行 〔劳动合同期限〕 请填写劳动合同期限。",
    ]


def test_annex3_formula_and_error_cells_are_refused_where_they_are(
    tongliang: District, clerk: User, post: Position
) -> None:
    assert row_errors(hires_import(tongliang, clerk), corpus_file("annex3_formulas.xlsx")) == [
        f"第4行 〔姓名〕 {FORMULA_CELL}",
        f"第5行 〔身份证号码〕 {FORMULA_CELL}",
        f"第6行 〔入职时间〕 {ERROR_CELL}",
    ]


def test_annex3_a_post_merged_down_two_people_counts_for_both(tongliang: District, clerk: User, post: Position) -> None:
    assert hires_import(tongliang, clerk)(corpus_file("annex3_merged_rows.xlsx")).created == 2
    assert set(Hire.objects.values_list("position", flat=True)) == {post.pk}


# ---------------------------------------------------------------------------------------------------------------
# ID numbers and credit codes: registration and hire recording

USCC = "91500000MA05000005"  # a valid 统一社会信用代码 (GB 32100 check character 5)
ID_NUMBER = corpus.ID_NUMBERS[0]
WRONG_KIND_ORGANISATION = (
    "统一社会信用代码：所填的是身份证号码。机构请填写18位统一社会信用代码；个人请将注册类别选为“个人”。"
)
WRONG_KIND_INDIVIDUAL = (
    "身份证号码：所填的是统一社会信用代码。个人请填写本人18位居民身份证号码；"
    "机构请将注册类别选为“人力资源服务机构”或“社会组织”。"
)


def _registration(kind: str, identity_number: str) -> RegistrationData:
    return RegistrationData(
        kind=kind,
        name="重庆语料人力资源有限公司" if kind != ThirdPartyKind.INDIVIDUAL else "语料个人",
        identity_number=identity_number,
        phone="13800000000",
        bank_name="中国银行重庆分行",
        bank_account="6217000000000000000",
        username="corpus_registrant",
        contact_name="李顾问",
    )


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        (ThirdPartyKind.AGENCY, "91500000MA05000000", "统一社会信用代码校验位不正确，请核对最后一位。"),
        (ThirdPartyKind.AGENCY, "91500000MA0500000", "统一社会信用代码应为18位。"),
        (ThirdPartyKind.AGENCY, "91500000MA050000051", "统一社会信用代码应为18位。"),
        (
            ThirdPartyKind.AGENCY,
            "I1500000MA05000005",
            "统一社会信用代码格式不正确：应由18位数字或大写字母组成（不含I、O、S、V、Z）。",
        ),
        (ThirdPartyKind.SOCIAL_ORGANISATION, ID_NUMBER, WRONG_KIND_ORGANISATION),
        (ThirdPartyKind.AGENCY, "", "请填写统一社会信用代码。"),
        (ThirdPartyKind.INDIVIDUAL, "500103199901010017", "身份证号码校验位不正确，请核对最后一位。"),
        (ThirdPartyKind.INDIVIDUAL, "500103199913010013", "身份证号码中的出生日期或地区码无效。"),
        (ThirdPartyKind.INDIVIDUAL, "500103209901010012", "身份证号码中的出生日期晚于今天，请核对。"),
        (ThirdPartyKind.INDIVIDUAL, "500103990101001", "身份证号码应为18位。"),
        (ThirdPartyKind.INDIVIDUAL, USCC, WRONG_KIND_INDIVIDUAL),
    ],
)
def test_registration_refuses_wrong_identity_numbers(reference: None, kind: str, typed: str, message: str) -> None:
    with db_unchanged(), pytest.raises(RegistrationRefused) as caught:
        third_party_register(data=_registration(kind, typed), password="Corpus-pass-2026")
    assert [(error.message, error.field) for error in caught.value.errors] == [(message, "identity_number")]


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        (ThirdPartyKind.AGENCY, USCC.lower(), USCC),
        (ThirdPartyKind.AGENCY, "".join(chr(ord(c) + 0xFEE0) for c in USCC), USCC),
        (ThirdPartyKind.INDIVIDUAL, corpus.ID_NUMBERS[2].lower(), corpus.ID_NUMBERS[2]),
        (ThirdPartyKind.INDIVIDUAL, f" {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]} ", ID_NUMBER),
    ],
)
def test_registration_normalises_numbers_as_people_type_them(
    reference: None, kind: str, typed: str, stored: str
) -> None:
    user = third_party_register(data=_registration(kind, typed), password="Corpus-pass-2026")
    assert user.third_party_id is not None
    party = ThirdParty.objects.get(pk=user.third_party_id)
    assert (party.credit_code if kind != ThirdPartyKind.INDIVIDUAL else party.id_number) == stored


HIRE_ID_REFUSALS = [
    ("500103199901010017", "身份证号码校验位不正确，请核对最后一位。", "id_checksum"),
    ("500103199913010013", "身份证号码中的出生日期或地区码无效。", "id_component"),
    ("500103209901010012", "身份证号码中的出生日期晚于今天，请核对。", "id_component"),
    ("50010319990101001", "身份证号码应为18位。", "id_length"),
    ("", "请填写身份证号码。", "required"),
]


def _hire_data(post: Position, id_number: str) -> HireData:
    return HireData(
        position=post,
        name="语料人才",
        id_number=id_number,
        mode="full_time",
        contract_term="3年",
        work_experience="2016年起从事机械设计",
    )


@pytest.mark.parametrize(("typed", "message", "code"), HIRE_ID_REFUSALS)
def test_recording_a_hire_refuses_wrong_id_numbers(
    clerk: User, post: Position, typed: str, message: str, code: str
) -> None:
    with db_unchanged(), pytest.raises(PortalError) as caught:
        hire_record(data=_hire_data(post, typed), by=clerk)
    assert (caught.value.message, caught.value.code, caught.value.field) == (message, code, "id_number")


@pytest.mark.parametrize(("typed", "message", "code"), [row for row in HIRE_ID_REFUSALS if row[0]])
def test_the_hires_api_refuses_wrong_id_numbers(
    clerk: User, post: Position, typed: str, message: str, code: str
) -> None:
    client = APIClient()
    client.force_authenticate(clerk)
    body = {
        "position": post.pk,
        "name": "语料人才",
        "id_number": typed,
        "mode": "full_time",
        "contract_term": "3年",
        "work_experience": "2016年起",
    }
    with db_unchanged():
        response = client.post("/api/v1/hires/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"detail": message, "code": code, "field": "id_number"})


def test_the_hires_api_takes_a_lower_case_x(clerk: User, post: Position) -> None:
    client = APIClient()
    client.force_authenticate(clerk)
    typed = corpus.ID_NUMBERS[2].lower()
    body = {
        "position": post.pk,
        "name": "语料人才",
        "id_number": typed,
        "mode": "full_time",
        "contract_term": "3年",
        "work_experience": "2016年起",
    }
    response = client.post("/api/v1/hires/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["id_number_masked"] == mask_id_number(corpus.ID_NUMBERS[2])
    assert Hire.objects.get().id_number == corpus.ID_NUMBERS[2]


# ---------------------------------------------------------------------------------------------------------------
# Amounts of a claim line: the service and the API

INVALID = "申请金额“{}”不是有效的金额：请只填写数字，如 30000.00。"
#: (what the client sends, the amount accepted, or the exact refusal of parse_amount).
AMOUNTS: list[tuple[Any, Decimal | str]] = [
    ("30000.01", Decimal("30000.01")),  # parsed; over the cap (below)
    ("30001", Decimal("30001.00")),  # parsed; over the cap (below)
    ("30000", Decimal("30000.00")),
    ("-1", "申请金额须大于0元。"),
    ("0", "申请金额须大于0元。"),
    ("NaN", INVALID.format("NaN")),
    ("Infinity", INVALID.format("Infinity")),
    ("3e4", INVALID.format("3e4")),  # exponents are not how anyone writes yuan
    ("1e-3", INVALID.format("1e-3")),
    ("0.001", "申请金额最多保留两位小数（到分）。"),
    ("30,000", Decimal("30000.00")),  # thousands separators
    ("３００００", Decimal("30000.00")),  # full-width digits are folded
    ("", "请填写申请金额。"),
    (" 100 ", Decimal("100.00")),
    ("1_000", INVALID.format("1_000")),  # Python's Decimal takes it; a person does not write it
    ("9" * 20, "申请金额不能超过9,999,999,999.99元。"),
    ("9" * 40, "申请金额最多填写20个字符（现有40个）。"),  # the form's own limit, at every door
    ("1." + "0" * 5000, "申请金额最多填写20个字符（现有5002个）。"),  # 1.00 once read, but no one writes it so
    (30000, Decimal("30000.00")),  # JSON numbers
    (3e4, Decimal("30000.00")),
    (-1, "申请金额须大于0元。"),
    (0.001, "申请金额最多保留两位小数（到分）。"),
    (1e308, "申请金额不能超过9,999,999,999.99元。"),
]
CAP = 30_000


def _over_cap(hire: Hire, amount: Decimal) -> str:
    return (
        f"{hire.name}（{mask_id_number(hire.id_number)}）的申请金额{amount:,.2f}元超过“揭榜招贤”补助上限"
        "30,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）。"
    )


@pytest.fixture
def claimant(reference: None) -> User:
    return UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))


@pytest.fixture
def claim_hire(claimant: User) -> Hire:
    return claimable_hire(claimant.third_party, EmployerFactory())


@pytest.mark.parametrize(("raw", "outcome"), AMOUNTS, ids=[repr(raw)[:40] for raw, _ in AMOUNTS])
def test_claim_amounts_through_the_service(claimant: User, claim_hire: Hire, raw: Any, outcome: Decimal | str) -> None:
    if isinstance(outcome, str):
        with pytest.raises(PortalError) as caught:
            parse_amount(raw, label="申请金额")
        assert (caught.value.message, caught.value.code) == (outcome, "invalid_amount")
        return
    amount = parse_amount(raw, label="申请金额")
    assert amount == outcome and amount.as_tuple().exponent == -2
    data = ClaimData(
        employer=claim_hire.employer,
        employer_contact="张经理",
        employer_phone="023-45678901",
        lines=(ClaimLine(hire=claim_hire, requested_amount=amount),),
    )
    if amount > CAP:
        with db_unchanged(), pytest.raises(PortalError) as refused:
            claim_create(data=data, by=claimant)
        assert (refused.value.message, refused.value.code) == (_over_cap(claim_hire, amount), "over_cap")
    else:
        assert claim_create(data=data, by=claimant).requested_total == outcome


@pytest.mark.parametrize(("raw", "outcome"), AMOUNTS, ids=[repr(raw)[:40] for raw, _ in AMOUNTS])
def test_claim_amounts_through_the_api(claimant: User, claim_hire: Hire, raw: Any, outcome: Decimal | str) -> None:
    client = APIClient()
    client.force_authenticate(claimant)
    body = {
        "employer": claim_hire.employer_id,
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "lines": [{"hire": claim_hire.pk, "requested_amount": raw}],
    }
    if isinstance(outcome, Decimal) and outcome <= CAP:
        response = client.post("/api/v1/claims/", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["lines"][0]["requested_amount"] == f"{outcome:.2f}"
        assert Claim.objects.get().requested_total == outcome
        return
    with db_unchanged():
        response = client.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    if isinstance(outcome, Decimal):
        assert response.json() == {"detail": _over_cap(claim_hire, outcome), "code": "over_cap"}
    else:
        assert response.json() == {"lines": {"0": {"requested_amount": [outcome]}}}
