"""Import a district's Annex 1 sheet (卓越工程师岗位表) into its 旬 batch: all rows or none.

The sheet as the notice prints it: an optional title row, then two header rows — 岗位名称 is merged over the
sub-columns 揭榜招贤 and 引才专项, and a post's name is written under the sub-column of its channel. Header rows
are found by their content; headers may carry line breaks and spaces ("用人\\n\\n单位").

Fast path: the file is checked as a zip (size, entry count, uncompressed size, compression ratio) before
python-calamine reads its first sheet; the writes are a constant number of set-based queries (bulk inserts are
batched by the database backend's parameter limit). Field rules are ``PositionData.clean()``'s, not repeated here.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import permissions as p
from portal.bulk import bulk_insert
from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.errors import PermissionDenied, PortalError
from portal.models import District, Employer, User
from positions.constants import BatchStatus, PositionSource, PositionStatus
from positions.models import Position, PositionBatch
from positions.services import PositionData, batch_get_open

# Limits are constants, not settings: they guard the process that parses, whatever the deployment says.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_DATA_ROWS = 100_000
#: How far down the sheet the header may start (title rows, notes above the table).
HEADER_SEARCH_ROWS = 20
#: Names per ``IN (...)`` lookup, well under every backend's bound-parameter limit.
_LOOKUP_CHUNK = 2_000

COL_NUMBER = "序号"
COL_EMPLOYER = "用人单位"
COL_NAME = "岗位名称"
COL_BOUNTY = "揭榜招贤"
COL_SPECIAL = "引才专项"
COL_HEADCOUNT = "需求人数"
COL_EDUCATION = "学历要求"
COL_MAJORS = "专业要求"
COL_COMPETENCIES = "职业能力要求"
COL_GRADUATES = "是否招聘应届生"
COL_SALARY = "薪资范围"
COL_SOURCE = "填报来源"

#: The 11 cells of a data row, in the annex's order.
COLUMNS = (
    COL_NUMBER,
    COL_EMPLOYER,
    COL_BOUNTY,
    COL_SPECIAL,
    COL_HEADCOUNT,
    COL_EDUCATION,
    COL_MAJORS,
    COL_COMPETENCIES,
    COL_GRADUATES,
    COL_SALARY,
    COL_SOURCE,
)
_REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column != COL_NUMBER)
_CHANNEL_COLUMNS = {COL_BOUNTY: Channel.BOUNTY_LIST, COL_SPECIAL: Channel.SPECIAL_RECRUITMENT}

_EDUCATION = {
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "大专及以上": Education.COLLEGE,
    "专科及以上": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "本科及以上": Education.BACHELOR,
    "硕士": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "硕士及以上": Education.MASTER,
    "博士": Education.DOCTOR,
    "博士研究生": Education.DOCTOR,
    "不限": Education.ANY,
}
_YES = frozenset({"是", "√", "✓", "✔", "y", "yes", "1", "true"})
_NO = frozenset({"否", "×", "✗", "✘", "x", "n", "no", "0", "false", ""})
_WHOLE_NUMBER = re.compile(r"^(\d+)(?:\.0*)?(?:人|名)?$")
_ETHNIC_COUNTY = re.compile(r"^(.+?)(?:土家族|苗族).*自治县$")

# What PositionData.clean() names a failing field → the sheet's column (the name is resolved per row).
_FIELD_COLUMNS = {
    "channel": COL_NAME,
    "headcount": COL_HEADCOUNT,
    "education": COL_EDUCATION,
    "majors": COL_MAJORS,
    "competencies": COL_COMPETENCIES,
    "salary_text": COL_SALARY,
}


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
    """The sheet has row errors; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"导入失败：表格中有{len(errors)}处错误，未导入任何岗位。", "import_rows_invalid")
        self.errors = errors


@dataclass(frozen=True)
class RawRow:
    row: int
    cells: dict[str, Any]  # column header → cell value as calamine read it


@dataclass
class ImportRow:
    """One data row as understood: ``data`` is the cleaned post, or None when the row has errors."""

    row: int
    employer_name: str
    data: PositionData | None
    errors: list[RowError] = field(default_factory=list)
    new_employer: bool = False
    exists: bool = False


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    new_employers: list[str]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.data is not None and not row.exists)

    @property
    def existing_count(self) -> int:
        return sum(1 for row in self.rows if row.data is not None and row.exists)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def messages(self) -> list[str]:
        """Notes for the clerk besides the errors, e.g. 将新建用人单位."""
        return [f"将新建用人单位：{name}" for name in self.new_employers]


@dataclass(frozen=True)
class ImportResult:
    created: int
    existing: int
    employers_created: int
    dry_run: bool
    batch: PositionBatch | None


# ---------------------------------------------------------------------------------------------------------------
# Reading the file


def _read_bytes(file: str | Path | bytes | IO[bytes]) -> bytes:
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


def _check_xlsx(data: bytes) -> None:
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


def _header_text(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def _find_header(grid: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """(index of the last header row, column header → cell index). Header rows are found by content."""
    for top in range(min(len(grid), HEADER_SEARCH_ROWS)):
        if COL_EMPLOYER not in {_header_text(cell) for cell in grid[top]}:
            continue
        header_rows = [top]
        if top + 1 < len(grid) and {_header_text(cell) for cell in grid[top + 1]} & set(_CHANNEL_COLUMNS):
            header_rows.append(top + 1)
        columns: dict[str, int] = {}
        for index in header_rows:
            for position, cell in enumerate(grid[index]):
                label = _header_text(cell)
                if label in COLUMNS and label not in columns:
                    columns[label] = position
        missing = [column for column in _REQUIRED_COLUMNS if column not in columns]
        if missing:
            raise PortalError(
                f"表头缺少列：{'、'.join(missing)}。请使用附件1“卓越工程师岗位表”的格式（岗位名称下分“揭榜招贤”“引才专项”两列）。",
                "header_missing",
            )
        return header_rows[-1], columns
    raise PortalError("未找到表头：表格前几行中应有“用人单位”“岗位名称”等列名（附件1格式）。", "header_not_found")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(file: str | Path | bytes | IO[bytes]) -> list[RawRow]:
    """The data rows of the first sheet; completely empty rows are left out. Refuses unsafe or non-xlsx files."""
    # Imported here: the Rust extension is only needed by the import, not by every process that loads the app.
    from python_calamine import CalamineError, CalamineWorkbook

    data = _read_bytes(file)
    _check_xlsx(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError):
        raise PortalError("文件不是有效的Excel（.xlsx）文件，无法读取第一个工作表。", "not_xlsx") from None
    last_header, columns = _find_header(grid)
    rows: list[RawRow] = []
    # skip_empty_area=False keeps row 1 at index 0, so index + 1 is the row number the clerk sees in Excel.
    for index in range(last_header + 1, len(grid)):
        cells = grid[index]
        values = {label: cells[position] if position < len(cells) else None for label, position in columns.items()}
        if all(_is_empty(value) for value in values.values()):
            continue
        rows.append(RawRow(row=index + 1, cells=values))
        if len(rows) > MAX_DATA_ROWS:
            raise PortalError(f"数据行过多：一次最多导入{MAX_DATA_ROWS}行，请拆分后分批导入。", "too_many_rows")
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Understanding the cells


def _text(value: Any) -> str:
    """Cell as written: numbers without a spurious '.0', each line's spaces trimmed, blank lines dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = (line.strip() for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)


def _folded(value: Any) -> str:
    """For cells read as values: full-width digits and punctuation folded (NFKC), no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value))).lower()


def district_aliases(district: District) -> frozenset[str]:
    """How a clerk may write the district in 填报来源: 铜梁区 or 铜梁; 石柱土家族自治县, 石柱县 or 石柱."""
    name = _folded(district.name)
    aliases = {name}
    ethnic = _ETHNIC_COUNTY.match(name)
    if ethnic:
        aliases |= {ethnic.group(1), ethnic.group(1) + "县"}
    for suffix in ("新区", "经开区", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            aliases.add(name[: -len(suffix)])
    return frozenset(aliases)


def _headcount(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    match = _WHOLE_NUMBER.match(_folded(value))
    if not match:
        raise ValueError
    return int(match.group(1))


@dataclass
class _Cells:
    """A row's cells understood one by one, before the post's own rules run."""

    row: int
    employer_name: str = ""
    channel: str = ""
    channel_column: str = COL_NAME
    name: str = ""
    headcount: int = 1
    education: str = Education.ANY
    majors: str = ""
    competencies: str = ""
    recruits_graduates: bool = False
    salary_text: str = ""
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))


def _parse_cells(raw: RawRow, *, district: District, aliases: frozenset[str]) -> _Cells:
    cells = raw.cells
    parsed = _Cells(row=raw.row)

    # Employer names are kept as written (full-width brackets are the legal form of a company name).
    parsed.employer_name = " ".join(_text(cells.get(COL_EMPLOYER)).split())
    if not parsed.employer_name:
        parsed.error(COL_EMPLOYER, "请填写用人单位。")

    names = {column: " ".join(_text(cells.get(column)).split()) for column in _CHANNEL_COLUMNS}
    filled = [column for column, name in names.items() if name]
    if not filled:
        parsed.error(COL_NAME, "岗位名称为空：请在“揭榜招贤”或“引才专项”下填写岗位名称。")
    elif len(filled) > 1:
        parsed.error(COL_NAME, "“揭榜招贤”和“引才专项”下都填了岗位名称：一行只能填一个渠道，请分两行填写。")
    else:
        parsed.channel_column = filled[0]
        parsed.channel = _CHANNEL_COLUMNS[filled[0]]
        parsed.name = names[filled[0]]

    raw_headcount = cells.get(COL_HEADCOUNT)
    try:
        parsed.headcount = _headcount(raw_headcount)
    except ValueError:
        shown = _text(raw_headcount)
        parsed.error(
            COL_HEADCOUNT, f"需求人数应为整数（如 4），“{shown}”无法识别。" if shown else "请填写需求人数（整数）。"
        )
        parsed.headcount = 1

    education = _folded(cells.get(COL_EDUCATION))
    if education in _EDUCATION:
        parsed.education = _EDUCATION[education]
    else:
        shown = _text(cells.get(COL_EDUCATION))
        parsed.error(
            COL_EDUCATION,
            f"学历要求“{shown}”无法识别，只能填写：大专、本科、硕士、博士、不限。"
            if shown
            else "请填写学历要求（大专、本科、硕士、博士、不限）。",
        )

    parsed.majors = _text(cells.get(COL_MAJORS))
    parsed.competencies = _text(cells.get(COL_COMPETENCIES))
    parsed.salary_text = _text(cells.get(COL_SALARY))

    graduates = _folded(cells.get(COL_GRADUATES))
    if graduates in _YES:
        parsed.recruits_graduates = True
    elif graduates in _NO:
        parsed.recruits_graduates = False
    else:
        parsed.error(COL_GRADUATES, f"“{_text(cells.get(COL_GRADUATES))}”无法识别，请填写“是”或“否”。")

    source = _folded(cells.get(COL_SOURCE))
    if not source:
        parsed.error(COL_SOURCE, f"请填写填报来源（{district.name}）。")
    elif source not in aliases:
        parsed.error(COL_SOURCE, f"填报来源“{_text(cells.get(COL_SOURCE))}”与导入的区县“{district.name}”不一致。")

    for column, value, model_field in (
        (COL_EMPLOYER, parsed.employer_name, "name"),
        (parsed.channel_column, parsed.name, "name"),
        (COL_MAJORS, parsed.majors, "majors"),
        (COL_SALARY, parsed.salary_text, "salary_text"),
    ):
        model = Employer if column == COL_EMPLOYER else Position
        limit = getattr(model._meta.get_field(model_field), "max_length", None)
        if limit is not None and len(value) > limit:
            parsed.error(column, f"不能超过{limit}个字（现有{len(value)}个）。")
    return parsed


def _find_employers(names: Iterable[str]) -> dict[str, Employer]:
    """Existing employers by exact name (``Employer.name`` is unique): one query per 2,000 distinct names."""
    unique = sorted(set(names))
    found: dict[str, Employer] = {}
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        found.update(
            (employer.name, employer)
            for employer in Employer.objects.filter(name__in=unique[start : start + _LOOKUP_CHUNK])
        )
    return found


def _existing_keys(batch: PositionBatch | None) -> set[tuple[int, str, str]]:
    if batch is None or batch.pk is None:
        return set()
    return set(Position.objects.filter(batch=batch).values_list("employer_id", "channel", "name"))


def _require_importer(user: User, district: District) -> None:
    if p.is_admin.test(user):
        return
    if not (p.is_district_clerk.test(user) and user.district_id == district.pk):
        raise PermissionDenied("只有本区县的经办人（或系统管理员）可以导入本区县的岗位。")


def _analyse(raw_rows: list[RawRow], *, district: District, batch: PositionBatch | None) -> ImportPreview:
    aliases = district_aliases(district)
    parsed = [_parse_cells(raw, district=district, aliases=aliases) for raw in raw_rows]
    employers = _find_employers(row.employer_name for row in parsed if row.employer_name)
    new_employers: dict[str, Employer] = {}
    existing = _existing_keys(batch)
    first_row_of: dict[tuple[str, str, str], int] = {}
    rows: list[ImportRow] = []

    for cells in parsed:
        employer = employers.get(cells.employer_name)
        is_new_employer = employer is None and bool(cells.employer_name)
        if employer is None:
            # Unsaved until the write; the same instance serves every row of that employer, so one insert gives all
            # of them the primary key.
            employer = new_employers.get(cells.employer_name) or Employer(
                name=cells.employer_name, district=district, credit_code=None
            )
            if cells.employer_name:
                new_employers[cells.employer_name] = employer
        errors = list(cells.errors)
        data: PositionData | None = None
        try:
            data = PositionData(
                employer=employer,
                channel=cells.channel or Channel.BOUNTY_LIST,
                # A placeholder keeps the remaining rules running when the name's own error is already reported.
                name=cells.name or "—",
                headcount=cells.headcount,
                education=cells.education,
                majors=cells.majors,
                competencies=cells.competencies,
                recruits_graduates=cells.recruits_graduates,
                salary_text=cells.salary_text,
            ).clean()
        except PortalError as error:
            column = cells.channel_column if error.field == "name" else _FIELD_COLUMNS.get(error.field or "", COL_NAME)
            if not any(existing_error.column == column for existing_error in errors):
                errors.append(RowError(cells.row, column, error.message))
        if data is not None and not errors:
            key = (cells.employer_name, data.channel, data.name)
            if key in first_row_of:
                errors.append(
                    RowError(
                        cells.row,
                        cells.channel_column,
                        f"与第{first_row_of[key]}行重复：{cells.employer_name}的“{Channel(data.channel).label}”岗位“{data.name}”填了两次。",
                    )
                )
            else:
                first_row_of[key] = cells.row
        row = ImportRow(
            row=cells.row,
            employer_name=cells.employer_name,
            data=None if errors else data,
            errors=errors,
            new_employer=is_new_employer,
        )
        if row.data is not None and employer.pk is not None:
            row.exists = (employer.pk, row.data.channel, row.data.name) in existing
        rows.append(row)

    return ImportPreview(rows=rows, new_employers=list(new_employers))


# ---------------------------------------------------------------------------------------------------------------
# Services


def preview_positions(
    *, file: str | Path | bytes | IO[bytes], district: District, period: TenDayPeriod, by: User
) -> ImportPreview:
    """What an import would do, without writing anything (the batch is not created either)."""
    _require_importer(by, district)
    raw_rows = read_sheet(file)
    batch = PositionBatch.objects.filter(district=district, period=str(period)).first()
    if batch is not None and batch.status != BatchStatus.OPEN:
        batch_get_open(district=district, period=period)  # raises the standard "already sent" refusal
    return _analyse(raw_rows, district=district, batch=batch)


def import_positions(
    *,
    file: str | Path | bytes | IO[bytes],
    district: District,
    period: TenDayPeriod,
    by: User,
    dry_run: bool = False,
) -> ImportResult:
    """Import the sheet into the district's open batch of ``period``: every row, or none (``PortalImportError``).

    Rows already in the batch (same employer, channel and post name) are skipped, so uploading the same sheet
    again adds nothing. Unknown employers are created in the district without a credit code.
    """
    if dry_run:
        preview = preview_positions(file=file, district=district, period=period, by=by)
        if preview.errors:
            raise PortalImportError(preview.errors)
        return ImportResult(
            created=preview.new_count,
            existing=preview.existing_count,
            employers_created=len(preview.new_employers),
            dry_run=True,
            batch=None,
        )
    _require_importer(by, district)
    # Parsed before the transaction opens: reading a large sheet must not hold the batch lock.
    raw_rows = read_sheet(file)
    try:
        with transaction.atomic():
            return _write(raw_rows, district=district, period=period, by=by)
    except IntegrityError:
        # Another import of the same employers or posts committed between our read and our insert.
        raise PortalError("有其他人正在同时导入相同的岗位或用人单位，请稍后重试。", "import_conflict") from None


def _write(raw_rows: list[RawRow], *, district: District, period: TenDayPeriod, by: User) -> ImportResult:
    batch = batch_get_open(district=district, period=period)
    # Locked so that batch_send (which locks the same row) cannot send the batch halfway through the import.
    batch = PositionBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.OPEN:
        batch_get_open(district=district, period=period)  # raises the standard "already sent" refusal
    preview = _analyse(raw_rows, district=district, batch=batch)
    if preview.errors:
        raise PortalImportError(preview.errors)

    new_rows = [row for row in preview.rows if row.data is not None and not row.exists]
    new_data = [row.data for row in new_rows if row.data is not None]
    employers = {data.employer.name: data.employer for data in new_data if data.employer.pk is None}
    with set_actor(by):
        # bulk_create bypasses auditlog's signals: the import is recorded once, on the batch, below.
        Employer.objects.bulk_create(list(employers.values()))
        now = timezone.now()
        rows = []
        for data in new_data:
            fields = data.as_fields()
            employer = fields.pop("employer")
            rows.append(
                {
                    **fields,
                    "employer_id": employer.pk,
                    "district_id": district.pk,
                    "batch_id": batch.pk,
                    "created_by_id": by.pk,
                    "source": PositionSource.IMPORT,
                    "status": PositionStatus.DRAFT,
                    "return_reason": "",
                    "close_reason": "",
                    "published_at": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        bulk_insert(Position, rows)
        LogEntry.objects.log_create(
            instance=batch,
            action=LogEntry.Action.UPDATE,
            changes={"imported_positions": ["0", str(len(new_rows))]},
            additional_data={
                "source": PositionSource.IMPORT,
                "positions_created": len(new_rows),
                "positions_existing": preview.existing_count,
                "employers_created": sorted(employers),
            },
            actor=by,
            force_log=True,
        )
    return ImportResult(
        created=len(new_rows),
        existing=preview.existing_count,
        employers_created=len(employers),
        dry_run=False,
        batch=batch,
    )
