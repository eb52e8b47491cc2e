"""Import a district's Annex 1 sheet (卓越工程师岗位表) into its 旬 batch: all rows or none.

The sheet as the notice prints it: an optional title row, then two header rows — 岗位名称 is merged over the
sub-columns 揭榜招贤 and 引才专项, and a post's name is written under the sub-column of its channel. Header rows
are found by their content; headers may carry line breaks and spaces ("用人\\n\\n单位").

Fast path: the file is checked as a zip (size, entry count, uncompressed size, compression ratio) before
python-calamine reads its first sheet (``portal.imports.sheets``, shared with the Annex 3 import); the writes are
set-based: on PostgreSQL one COPY per chunk of rows, written while the next chunk is checked (``_copy_checked``),
elsewhere bulk inserts batched by the database backend's parameter limit.
Field rules are ``PositionData.clean()``'s, not repeated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import limits
from portal.audit.recording import set_actor
from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.errors import PortalError
from portal.imports import sheets
from portal.imports.bulk import CopyStream, bulk_insert, can_copy, copy_escaped, copy_text
from portal.imports.progress import Progress, tracked
from portal.imports.sheets import (
    LOOKUP_CHUNK,
    PortalImportError,
    RawRow,
    RowError,
    RowsPreview,
    SheetFile,
    SheetLayout,
    cell_errors,
    cell_text,
    folded,
    paused_gc,
    require_district_importer,
)
from portal.models import District, Employer, User
from positions.constants import BatchStatus, PositionSource, PositionStatus
from positions.models import Position, PositionBatch
from positions.salary import SalaryRange, parse_salary
from positions.services import PositionData, batch_get_open

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
CHANNEL_COLUMNS = {COL_BOUNTY: Channel.BOUNTY_LIST, COL_SPECIAL: Channel.SPECIAL_RECRUITMENT}
#: The columns an error about the post's name or channel is reported in.
_NAME_COLUMNS = frozenset({COL_NAME, *CHANNEL_COLUMNS})
#: The cells a row with errors shows as read, after its post's name and channel.
READ_COLUMNS = (COL_HEADCOUNT, COL_EDUCATION, COL_GRADUATES, COL_SALARY)

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


@dataclass
class ImportRow:
    """One data row as understood: ``data`` is the cleaned post, or None when the row has errors."""

    row: int
    employer_name: str
    data: PositionData | None
    errors: list[RowError] = field(default_factory=list)
    #: The post's name as written under 揭榜招贤 or 引才专项 (both, if both were filled), and that channel: shown
    #: on a row with errors too, so the clerk finds the row in the sheet.
    name: str = ""
    channel_label: str = ""
    new_employer: bool = False
    exists: bool = False
    #: On a row with errors: 需求人数, 学历要求, 是否招聘应届生 and 薪资范围 as read, each marked when it is in error
    #: (a valid row shows its post's values instead).
    read_cells: tuple[ReadCell, ...] = ()
    #: On a new post: the district's other 旬 in which the same post (employer, channel, name) is still live.
    live_in: str = ""

    @property
    def error_columns(self) -> frozenset[str]:
        return frozenset(error.column for error in self.errors)

    @property
    def employer_in_error(self) -> bool:
        return COL_EMPLOYER in self.error_columns

    @property
    def name_in_error(self) -> bool:
        return bool(self.error_columns & _NAME_COLUMNS)


@dataclass(frozen=True)
class ReadCell:
    """One cell of a row with errors, shown as the valid rows show theirs; ``error``: the cell is one in error."""

    column: str
    text: str
    error: bool = False


@dataclass
class ImportPreview(RowsPreview):
    rows: list[ImportRow]
    new_employers: list[str]
    #: Warnings the clerk reads before confirming, e.g. posts the district already has live in another 旬.
    warnings: list[str] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.data is not None and not row.exists)

    @property
    def existing_count(self) -> int:
        return sum(1 for row in self.rows if row.data is not None and row.exists)

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


LAYOUT = SheetLayout(
    anchor=COL_EMPLOYER,
    columns=COLUMNS,
    required=_REQUIRED_COLUMNS,
    sub_headers=frozenset(CHANNEL_COLUMNS),
    missing_hint="请使用附件1“卓越工程师岗位表”的格式（岗位名称下分“揭榜招贤”“引才专项”两列）。",
    not_found_message="未找到表头：表格前几行中应有“用人单位”“岗位名称”等列名（附件1格式）。",
)


def read_sheet(file: SheetFile) -> list[RawRow]:
    """The data rows of the first sheet; completely empty rows are left out. Refuses unsafe or non-xlsx files."""
    return sheets.read_sheet(file, LAYOUT)


# ---------------------------------------------------------------------------------------------------------------
# Understanding the cells


def district_aliases(district: District) -> frozenset[str]:
    """How a clerk may write the district in 填报来源: 铜梁区 or 铜梁; 石柱土家族自治县, 石柱县 or 石柱."""
    name = folded(district.name)
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
    match = _WHOLE_NUMBER.match(folded(value))
    if not match:
        raise ValueError
    return int(match.group(1))


def _employer_name(raw: RawRow) -> str:
    """The row's 用人单位 as written, its runs of spaces and line breaks made one space (full-width brackets are
    the legal form of a company name: kept)."""
    return " ".join(cell_text(raw.cells.get(COL_EMPLOYER)).split())


@dataclass
class _Cells:
    """A row's cells understood one by one, before the post's own rules run."""

    row: int
    employer_name: str = ""
    channel: str = ""
    channel_column: str = COL_NAME
    name: str = ""
    written_names: tuple[str, ...] = ()
    written_channels: tuple[str, ...] = ()
    headcount: int = 1
    education: str = Education.ANY
    majors: str = ""
    competencies: str = ""
    recruits_graduates: bool = False
    salary_text: str = ""
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))


def _parse_cells(
    raw: RawRow,
    *,
    district: District,
    aliases: frozenset[str],
    source_required: bool = True,
    whose: str = "导入的区县",
    employer_name: str | None = None,
) -> _Cells:
    """``source_required``: a blank 填报来源 is an error (a district's own sheet); an employer's proposal may leave it
    blank, it goes to its own district anyway. ``whose`` names the district in the mismatch message.
    ``employer_name``: the row's ``_employer_name``, when the caller has it already."""
    cells = raw.cells
    parsed = _Cells(row=raw.row)

    parsed.employer_name = _employer_name(raw) if employer_name is None else employer_name
    if not parsed.employer_name:
        parsed.error(COL_EMPLOYER, "请填写用人单位。")

    names = {column: " ".join(cell_text(cells.get(column)).split()) for column in CHANNEL_COLUMNS}
    filled = [column for column, name in names.items() if name]
    parsed.written_names = tuple(names[column] for column in filled)
    parsed.written_channels = tuple(filled)
    if not filled:
        parsed.error(COL_NAME, "岗位名称为空：请在“揭榜招贤”或“引才专项”下填写岗位名称。")
    elif len(filled) > 1:
        parsed.error(COL_NAME, "“揭榜招贤”和“引才专项”下都填了岗位名称：一行只能填一个渠道，请分两行填写。")
    else:
        parsed.channel_column = filled[0]
        parsed.channel = CHANNEL_COLUMNS[filled[0]]
        parsed.name = names[filled[0]]

    raw_headcount = cells.get(COL_HEADCOUNT)
    try:
        parsed.headcount = _headcount(raw_headcount)
    except ValueError:
        shown = _as_written(raw_headcount)
        parsed.error(
            COL_HEADCOUNT, f"需求人数应为整数（如 4），“{shown}”无法识别。" if shown else "请填写需求人数（整数）。"
        )
        parsed.headcount = 1

    education = folded(cells.get(COL_EDUCATION))
    if education in _EDUCATION:
        parsed.education = _EDUCATION[education]
    else:
        shown = cell_text(cells.get(COL_EDUCATION))
        parsed.error(
            COL_EDUCATION,
            f"学历要求“{shown}”无法识别，只能填写：大专、本科、硕士、博士、不限。"
            if shown
            else "请填写学历要求（大专、本科、硕士、博士、不限）。",
        )

    parsed.majors = cell_text(cells.get(COL_MAJORS))
    parsed.competencies = cell_text(cells.get(COL_COMPETENCIES))
    parsed.salary_text = cell_text(cells.get(COL_SALARY))

    graduates = folded(cells.get(COL_GRADUATES))
    if graduates in _YES:
        parsed.recruits_graduates = True
    elif graduates in _NO:
        parsed.recruits_graduates = False
    else:
        parsed.error(COL_GRADUATES, f"“{cell_text(cells.get(COL_GRADUATES))}”无法识别，请填写“是”或“否”。")

    source = folded(cells.get(COL_SOURCE))
    if not source:
        if source_required:
            parsed.error(COL_SOURCE, f"请填写填报来源（{district.name}）。")
    elif source not in aliases:
        parsed.error(COL_SOURCE, f"填报来源“{cell_text(cells.get(COL_SOURCE))}”与{whose}“{district.name}”不一致。")

    for column, value, limit in (
        (COL_EMPLOYER, parsed.employer_name, limits.EMPLOYER_NAME),
        (parsed.channel_column, parsed.name, limits.POSITION_NAME),
        (COL_MAJORS, parsed.majors, limits.MAJORS),
        (COL_SALARY, parsed.salary_text, limits.SALARY_TEXT),
    ):
        refusal = limit.too_long(value)
        if refusal:
            parsed.error(column, refusal)
    return parsed


def _with_refused_cells(raw: RawRow, errors: list[RowError]) -> list[RowError]:
    """The row's formula and error cells reported in place of what their empty reading caused; a formula under
    揭榜招贤 or 引才专项 also stands for the "岗位名称为空" it would cause."""
    if not raw.refused:  # most rows
        return errors
    errors = cell_errors(raw, errors)
    if raw.refused.keys() & CHANNEL_COLUMNS.keys():
        errors = [error for error in errors if error.column != COL_NAME]
    return errors


def _read_cells(raw: RawRow, cells: _Cells, errors: list[RowError]) -> tuple[ReadCell, ...]:
    """A row with errors' 需求人数, 学历要求, 是否招聘应届生 and 薪资范围: a cell read fine as the valid rows show it,
    a cell in error as written."""
    wrong = {error.column for error in errors}
    understood = {
        COL_HEADCOUNT: str(cells.headcount),
        COL_EDUCATION: str(Education(cells.education).label),
        COL_GRADUATES: "是" if cells.recruits_graduates else "否",
        COL_SALARY: cells.salary_text,
    }
    return tuple(
        ReadCell(column, _as_written(raw.cells.get(column)), error=True)
        if column in wrong
        else ReadCell(column, understood[column])
        for column in READ_COLUMNS
    )


def _data_cells(data: PositionData) -> tuple[ReadCell, ...]:
    """A valid row's cells as ``_read_cells`` gives them, for a row refused afterwards for another reason."""
    return (
        ReadCell(COL_HEADCOUNT, str(data.headcount)),
        ReadCell(COL_EDUCATION, data.education_label),
        ReadCell(COL_GRADUATES, "是" if data.recruits_graduates else "否"),
        ReadCell(COL_SALARY, data.salary_text),
    )


def _as_written(value: Any) -> str:
    # A TRUE/FALSE cell as Excel shows it, not as the 是/否 cell_text makes of it for yes/no columns.
    return str(value).upper() if isinstance(value, bool) else cell_text(value)


def _find_employers(names: Iterable[str]) -> dict[str, Employer]:
    """Existing employers by exact name (``Employer.name`` is unique): one query per 2,000 distinct names."""
    unique = sorted(set(names))
    found: dict[str, Employer] = {}
    for start in range(0, len(unique), LOOKUP_CHUNK):
        found.update(
            (employer.name, employer)
            for employer in Employer.objects.filter(name__in=unique[start : start + LOOKUP_CHUNK]).select_related(
                "district"
            )
        )
    return found


def _existing_keys(batch: PositionBatch | None) -> set[tuple[int, str, str]]:
    if batch is None or batch.pk is None:
        return set()
    return set(Position.objects.filter(batch=batch).values_list("employer_id", "channel", "name"))


def _live_elsewhere(district: District, period: TenDayPeriod) -> dict[tuple[int, str, str], tuple[str, ...]]:
    """The district's posts that are still live (not closed) in its batches of other 旬, as ``_existing_keys``
    keys → the 旬 (``YYYY-MM-N``) they are in: one query for the whole sheet. A post is unique within its batch, so
    a key names each 旬 once."""
    found: dict[tuple[int, str, str], tuple[str, ...]] = {}
    live = (
        Position.objects.filter(district=district)
        .exclude(status=PositionStatus.CLOSED)
        .exclude(batch__period=str(period))
        .values_list("employer_id", "channel", "name", "batch__period")
    )
    for employer_id, channel, name, code in live:
        key = (employer_id, channel, name)
        seen = found.get(key)
        found[key] = (code,) if seen is None else (*seen, code)
    return found


#: How many 旬 the warning about posts live in another 旬 names before "等".
MAX_PERIODS_NAMED = 5


def _warn_live_elsewhere(preview: ImportPreview, *, district: District, period: TenDayPeriod) -> None:
    """Marks the sheet's new posts that the district already has, live, in another 旬 (the uniqueness of a post
    holds within its batch only, so confirming would create them again), and warns about them: most likely the
    clerk picked the wrong 旬. A warning, not a refusal: a district may advertise a post again in a later 旬."""
    candidates = [
        row for row in preview.rows if row.data is not None and not row.exists and row.data.employer.pk is not None
    ]
    if not candidates:  # nothing new, or only new employers: no post of theirs exists anywhere
        return
    elsewhere = _live_elsewhere(district, period)
    if not elsewhere:
        return
    per_period: dict[str, int] = {}
    labels: dict[tuple[str, ...], str] = {}
    matched = 0
    for row in candidates:
        data = row.data
        assert data is not None
        codes = elsewhere.get((data.employer.pk, data.channel, data.name))
        if codes is None:
            continue
        matched += 1
        label = labels.get(codes)
        if label is None:
            newest_first = sorted((TenDayPeriod.parse(code) for code in codes), reverse=True)
            label = labels[codes] = "、".join(str(other.label) for other in newest_first)
        row.live_in = label
        for code in codes:
            per_period[code] = per_period.get(code, 0) + 1
    if not matched:
        return
    counted = sorted(((TenDayPeriod.parse(code), count) for code, count in per_period.items()), reverse=True)
    if len(counted) == 1:
        where = str(counted[0][0].label)
    else:
        where = "、".join(f"{other.label}（{count}个）" for other, count in counted[:MAX_PERIODS_NAMED])
        if len(counted) > MAX_PERIODS_NAMED:
            where += f"等{len(counted)}个旬"
    preview.warnings.append(
        f"其中{matched}个岗位与本区县{where}已有的岗位相同（同一用人单位、渠道和岗位名称），"
        f"请确认所选的旬（{period.label}）是否正确；确认导入将在所选的旬中再建一份。"
    )


def _analyse(
    raw_rows: list[RawRow],
    *,
    district: District,
    batch: PositionBatch | None,
    progress: Progress | None = None,
    source_required: bool = True,
    whose: str = "导入的区县",
) -> ImportPreview:
    with paused_gc():
        return _analyse_rows(
            raw_rows, district=district, batch=batch, progress=progress, source_required=source_required, whose=whose
        )


def _analyse_rows(
    raw_rows: list[RawRow],
    *,
    district: District,
    batch: PositionBatch | None,
    progress: Progress | None,
    source_required: bool = True,
    whose: str = "导入的区县",
) -> ImportPreview:
    aliases = district_aliases(district)
    # Reading the cells is most of the work: the progress of a background job is counted here.
    parsed = [
        _parse_cells(raw, district=district, aliases=aliases, source_required=source_required, whose=whose)
        for raw in tracked(raw_rows, progress)
    ]
    checks = _RowChecks(
        district=district,
        employers=_find_employers(row.employer_name for row in parsed if row.employer_name),
        existing=_existing_keys(batch),
    )
    rows = checks.rows(raw_rows, parsed)
    return ImportPreview(rows=rows, new_employers=list(checks.new_employers))


class _RowChecks:
    """The rules of a row beyond its own cells — whose employer it names, the post's rules (``PositionData.clean``),
    a post written twice in the sheet — over the sheet's rows in order, all at once or a chunk at a time.

    ``employers`` are the existing employers by name, ``existing`` the batch's posts (employer, channel, name).
    ``created``: employers the import has just inserted (by name, in the district), named on rows as new employers
    as they were before their insert; any other unknown employer is an unsaved ``Employer`` shared by its rows."""

    def __init__(
        self,
        *,
        district: District,
        employers: dict[str, Employer],
        existing: set[tuple[int, str, str]],
        created: dict[str, Employer] | None = None,
    ) -> None:
        self.district = district
        self.employers = employers
        self.existing = existing
        self.created = created or {}
        #: The employers the sheet names that do not exist yet, in the order the sheet first names them.
        self.new_employers: dict[str, Employer] = {}
        self.first_row_of: dict[tuple[str, str, str], int] = {}

    def rows(self, raw_rows: list[RawRow], parsed: list[_Cells]) -> list[ImportRow]:
        district, employers, new_employers = self.district, self.employers, self.new_employers
        first_row_of, existing = self.first_row_of, self.existing
        rows: list[ImportRow] = []
        for raw, cells in zip(raw_rows, parsed, strict=True):
            employer = employers.get(cells.employer_name)
            is_new_employer = employer is None and bool(cells.employer_name)
            if employer is None:
                # Unsaved until the write; the same instance serves every row of that employer, so one insert gives
                # all of them the primary key.
                employer = (
                    new_employers.get(cells.employer_name)
                    or self.created.get(cells.employer_name)
                    or Employer(name=cells.employer_name, district=district, credit_code=None)
                )
                if cells.employer_name:
                    new_employers[cells.employer_name] = employer
            errors = list(cells.errors)
            if not is_new_employer and employer.pk is not None and employer.district_id != district.pk:
                # Names are unique city-wide: the sheet names another district's employer (the form and API refuse
                # it too).
                whose = f"{employer.district.name}的用人单位" if employer.district else "尚未登记所属区县的用人单位"
                errors.append(
                    RowError(
                        cells.row,
                        COL_EMPLOYER,
                        f"“{employer.name}”是{whose}，本区县不能填报其岗位；如单位所在区县有误，请联系管理员核对。",
                    )
                )
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
                column = (
                    cells.channel_column if error.field == "name" else _FIELD_COLUMNS.get(error.field or "", COL_NAME)
                )
                if not any(existing_error.column == column for existing_error in errors):
                    errors.append(RowError(cells.row, column, error.message))
            errors = _with_refused_cells(raw, errors)
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
                name="；".join(cells.written_names),
                channel_label="、".join(cells.written_channels),
                read_cells=_read_cells(raw, cells, errors) if errors else (),
            )
            if row.data is not None and not is_new_employer:
                row.exists = (employer.pk, row.data.channel, row.data.name) in existing
            rows.append(row)
        return rows


def analyse_proposal_rows(raw_rows: list[RawRow], *, employer: Employer) -> ImportPreview:
    """An employer's own Annex 1 sheet, row by row, with the district's rules of every column and two of its own:
    用人单位 must be the employer itself (an employer proposes only its own posts; full-width and half-width
    brackets count as the same), and 填报来源 is its district or blank. No employer is ever created from it."""
    assert employer.district is not None  # the caller refuses an employer without a district first
    preview = _analyse(raw_rows, district=employer.district, batch=None, source_required=False, whose="本单位所在区县")
    own = folded(employer.name)
    for row in preview.rows:
        if row.employer_name and folded(row.employer_name) != own:
            # The district's message about another district's employer says nothing to an employer: replaced.
            row.errors = [error for error in row.errors if error.column != COL_EMPLOYER]
            row.errors.insert(
                0,
                RowError(
                    row.row,
                    COL_EMPLOYER,
                    f"“{row.employer_name}”不是本单位：只能提出本单位（{employer.name}）的岗位需求。",
                ),
            )
            if row.data is not None:
                row.read_cells = _data_cells(row.data)
            row.data = None
        elif row.data is not None:
            row.data = replace(row.data, employer=employer)
        row.new_employer = False
    preview.new_employers = []
    return preview


# ---------------------------------------------------------------------------------------------------------------
# Services


def preview_positions(
    *, file: SheetFile, district: District, period: TenDayPeriod, by: User, progress: Progress | None = None
) -> ImportPreview:
    """What an import would do, without writing anything (the batch is not created either). ``progress`` hears
    of the rows checked (a background job's progress bar)."""
    require_district_importer(by, district, what="岗位")
    raw_rows = read_sheet(file)
    batch = PositionBatch.objects.filter(district=district, period=str(period)).first()
    if batch is not None and batch.status != BatchStatus.OPEN:
        batch_get_open(district=district, period=period)  # raises the standard "already sent" refusal
    preview = _analyse(raw_rows, district=district, batch=batch, progress=progress)
    with paused_gc():  # tens of thousands of keys: no collection walking the preview's rows meanwhile
        _warn_live_elsewhere(preview, district=district, period=period)
    return preview


def import_positions(
    *,
    file: SheetFile,
    district: District,
    period: TenDayPeriod,
    by: User,
    dry_run: bool = False,
) -> ImportResult:
    """Import the sheet into the district's open batch of ``period``: every row, or none (``PortalImportError``).

    Rows already in the batch (same employer, channel and post name) are skipped, so uploading the same sheet
    into the same 旬 again adds nothing; into another 旬 it creates the posts there too (only the preview warns of
    that, ``_warn_live_elsewhere``). Unknown employers are created in the district without a credit code.
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
    require_district_importer(by, district, what="岗位")
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
    now = timezone.now()
    common = {
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
    with set_actor(by):
        # bulk_create and COPY bypass auditlog's signals: the import is recorded once, on the batch, below.
        if can_copy(Position):
            created, existing, employers = _copy_checked(raw_rows, district=district, batch=batch, common=common)
        else:
            created, existing, employers = _insert_checked(raw_rows, district=district, batch=batch, common=common)
        LogEntry.objects.log_create(
            instance=batch,
            action=LogEntry.Action.UPDATE,
            changes={"imported_positions": ["0", str(created)]},
            additional_data={
                "source": PositionSource.IMPORT,
                "positions_created": created,
                "positions_existing": existing,
                "employers_created": employers,
            },
            actor=by,
            force_log=True,
        )
    return ImportResult(
        created=created, existing=existing, employers_created=len(employers), dry_run=False, batch=batch
    )


def _insert_checked(
    raw_rows: list[RawRow], *, district: District, batch: PositionBatch, common: dict[str, Any]
) -> tuple[int, int, list[str]]:
    """Every row checked, then the new employers and posts inserted (``bulk_insert``): (posts created, posts already
    in the batch, names of the employers created). Raises ``PortalImportError`` with every row's errors."""
    preview = _analyse(raw_rows, district=district, batch=batch)
    if preview.errors:
        raise PortalImportError(preview.errors)
    new_data = [row.data for row in preview.rows if row.data is not None and not row.exists]
    employers = {data.employer.name: data.employer for data in new_data if data.employer.pk is None}
    Employer.objects.bulk_create(list(employers.values()))
    rows = []
    for data in new_data:
        fields = data.as_fields()
        employer = fields.pop("employer")
        rows.append({**fields, "employer_id": employer.pk, **common})
    bulk_insert(Position, rows)
    return len(new_data), preview.existing_count, sorted(employers)


#: Rows checked at a time by ``_copy_checked``: PostgreSQL writes one chunk while the next is checked.
PIPELINE_ROWS = 2_000


def _copy_checked(
    raw_rows: list[RawRow], *, district: District, batch: PositionBatch, common: dict[str, Any]
) -> tuple[int, int, list[str]]:
    """``_insert_checked`` on PostgreSQL, the checks and the writes side by side: the sheet's new employers are
    inserted first (so that each chunk's posts have their keys; rolled back with the rest if any row fails), then
    the rows are checked a chunk at a time, by the same rules as the preview (``_parse_cells``, ``_RowChecks``),
    and each chunk without errors is written by COPY (``CopyStream``) while the next is checked. From the first
    row with an error on nothing more is written, but every row is still checked, so ``PortalImportError`` names
    every error of the sheet; the caller's transaction then rolls back what was written."""
    with paused_gc():
        employer_names = [_employer_name(raw) for raw in raw_rows]
        names = dict.fromkeys(name for name in employer_names if name)
        employers = _find_employers(names)
        # A name too long for the column stays unsaved: its rows are refused by their own check.
        created = {
            employer.name: employer
            for employer in Employer.objects.bulk_create(
                [
                    Employer(name=name, district=district, credit_code=None)
                    for name in names
                    if name not in employers and not limits.EMPLOYER_NAME.too_long(name)
                ]
            )
        }
        checks = _RowChecks(district=district, employers=employers, existing=_existing_keys(batch), created=created)
        aliases = district_aliases(district)
        salaries: dict[str, SalaryRange] = {}
        shared = "\t".join(copy_text(value) for value in common.values()) + "\n"
        errors: list[RowError] = []
        created_count = existing_count = 0
        with CopyStream(Position, (*_ROW_ATTRIBUTES, *common)) as stream:
            for start in range(0, len(raw_rows), PIPELINE_ROWS):
                end = start + PIPELINE_ROWS
                rows = _check_chunk(raw_rows[start:end], employer_names[start:end], checks=checks, aliases=aliases)
                chunk_errors = [error for row in rows for error in row.errors]
                if chunk_errors or errors:
                    errors += chunk_errors
                    stream.abort()
                    continue
                new_data = [row.data for row in rows if row.data is not None and not row.exists]
                created_count += len(new_data)
                existing_count += len(rows) - len(new_data)
                stream.send(_copy_text(new_data, shared, salaries))
            if errors:
                raise PortalImportError(errors)
    return created_count, existing_count, sorted(created)


def _check_chunk(
    raw_rows: list[RawRow], employer_names: list[str], *, checks: _RowChecks, aliases: frozenset[str]
) -> list[ImportRow]:
    """A chunk of rows understood and checked, as ``_analyse`` does for the whole sheet (``employer_names``: the
    rows' ``_employer_name``, read once for the employers' insert)."""
    district = checks.district
    parsed = [
        _parse_cells(raw, district=district, aliases=aliases, employer_name=name)
        for raw, name in zip(raw_rows, employer_names, strict=True)
    ]
    return checks.rows(raw_rows, parsed)


#: The columns ``_copy_text`` writes before the ones every row of an import shares.
_ROW_ATTRIBUTES = (
    "employer_id",
    "channel",
    "name",
    "headcount",
    "education",
    "majors",
    "competencies",
    "recruits_graduates",
    "salary_text",
    "salary_min",
    "salary_max",
)
#: The choices as COPY writes them (``clean()`` let no other value through; a lookup fails loudly on one).
_CHANNEL_TEXT = {value: value for value in Channel.values}
_EDUCATION_TEXT = {value: value for value in Education.values}
_NULL = "\\N"


def _copy_text(new_data: list[PositionData], shared: str, salaries: dict[str, SalaryRange]) -> str:
    """The posts as COPY's text lines, each built at once from the post's values (the same values as
    ``PositionData.as_fields()`` gives ``bulk_insert``): the free texts escaped together, the salary range parsed
    once per distinct 薪资范围 (``salaries`` remembers them from chunk to chunk), ``shared`` the columns every row
    shares, formatted once."""
    texts = copy_escaped(
        [text for data in new_data for text in (data.name, data.majors, data.competencies, data.salary_text)]
    )
    lines = []
    for index, data in enumerate(new_data):
        salary = salaries.get(data.salary_text)
        if salary is None:
            salary = salaries[data.salary_text] = parse_salary(data.salary_text)
        low = _NULL if salary.minimum is None else salary.minimum
        high = _NULL if salary.maximum is None else salary.maximum
        name, majors, competencies, salary_text = texts[4 * index : 4 * index + 4]
        lines.append(
            f"{data.employer.pk}\t{_CHANNEL_TEXT[data.channel]}\t{name}\t{int(data.headcount)}\t"
            f"{_EDUCATION_TEXT[data.education]}\t{majors}\t{competencies}\t"
            f"{'t' if data.recruits_graduates else 'f'}\t{salary_text}\t{low}\t{high}\t{shared}"
        )
    return "".join(lines)
