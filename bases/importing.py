"""Import the talent base list (Annex 4, 卓越工程师人才基地名单) from a sheet: all rows or none (docs/bases.md).

The sheet is Annex 4's two columns, 序号 · 单位名称, with the batch and what the notice does not give beside them:
年度 · 批次 · 序号 · 单位名称 · 统一社会信用代码 · 所在区县 (and optionally 发布文件). Headers are found by content
(``portal.imports.sheets``), so a title row above them and columns in another order are fine.

Each row makes its employer a base of its batch: the employer is found by its exact name or created; the batch
(年度 + 批次) is found or created. The list only grows: a later batch adds its rows and never touches another batch's,
and importing the same batch again updates the credit code and district of its employers (a blank cell keeps what is
recorded) and creates nothing twice. Nothing is ever deleted. A credit code held by another employer, an unknown
district, a number used twice in a batch, an employer listed twice in a batch are row errors ("第N行 〔列〕 原因").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bases.models import BaseBatch, TalentBase
from bases.services import batch_title
from portal import limits
from portal.audit.recording import set_actor
from portal.errors import PortalError
from portal.identity import normalise_uscc
from portal.imports import sheets
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
    require_admin_importer,
)
from portal.models import District, Employer, User
from positions.importing import district_aliases

COL_YEAR = "年度"
COL_BATCH = "批次"
COL_NUMBER = "序号"
COL_NAME = "单位名称"
COL_CREDIT_CODE = "统一社会信用代码"
COL_DISTRICT = "所在区县"
COL_NOTICE = "发布文件"

#: The columns in the order of the blank sheet (``bases.exporting``).
COLUMNS = (COL_YEAR, COL_BATCH, COL_NUMBER, COL_NAME, COL_CREDIT_CODE, COL_DISTRICT, COL_NOTICE)

LAYOUT = SheetLayout(
    anchor=COL_NAME,
    columns=COLUMNS,
    required=(COL_YEAR, COL_BATCH, COL_NUMBER, COL_NAME),
    aliases={
        "用人单位": COL_NAME,
        "单位": COL_NAME,
        "基地名称": COL_NAME,
        "基地单位": COL_NAME,
        "信用代码": COL_CREDIT_CODE,
        "统一社会信用代码（选填）": COL_CREDIT_CODE,
        "区县": COL_DISTRICT,
        "所属区县": COL_DISTRICT,
        "所在区县（选填）": COL_DISTRICT,
        "年份": COL_YEAR,
        "批次号": COL_BATCH,
        "文号": COL_NOTICE,
    },
    missing_hint="请使用“人才基地名单”的格式：年度、批次、序号、单位名称、统一社会信用代码、所在区县（可下载空白表格）。",
    not_found_message="未找到表头：表格前几行中应有“年度”“批次”“序号”“单位名称”等列名（人才基地名单格式）。",
)

#: Years a batch may carry: the programme began in 2023 (docs/bases.md).
FIRST_YEAR, LAST_YEAR = 2023, 2100
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_BATCH = re.compile(r"^(?:\d{4}年)?第?([0-9]+|[一二三四五六七八九十]+)批?(?:次)?$")
_YEAR = re.compile(r"^(\d{4})年?(?:度)?$")
_WHOLE = re.compile(r"^([0-9]+)(?:\.0+)?$")
_NOTICE_MAX = 128


def chinese_number(text: str) -> int | None:
    """一 … 九十九 as a number (a batch is 第一批, 第十二批); None when it is not one."""
    if not text or any(ch not in _CHINESE_DIGITS for ch in text):
        return None
    if text == "十":
        return 10
    if len(text) == 1:
        return _CHINESE_DIGITS[text]
    if len(text) == 2 and text[0] == "十":
        return 10 + _CHINESE_DIGITS[text[1]]
    if len(text) == 2 and text[1] == "十":
        return _CHINESE_DIGITS[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return _CHINESE_DIGITS[text[0]] * 10 + _CHINESE_DIGITS[text[2]]
    return None


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass
class BaseRow:
    """One data row as understood; ``outcome`` says what the import will do with it (when it has no error)."""

    row: int
    year: int | None = None
    batch_number: int | None = None
    number: int | None = None
    name: str = ""
    credit_code: str = ""
    district: District | None = None
    notice: str = ""
    employer: Employer | None = None
    #: 新增基地 / 更新单位信息 / 无变化
    outcome: str = ""
    #: What changes on the employer, for the preview: 统一社会信用代码 …, 所在区县 ….
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))

    @property
    def batch_label(self) -> str:
        if self.year is None or self.batch_number is None:
            return ""
        return batch_title(self.year, self.batch_number)

    @property
    def batch_key(self) -> tuple[int, int] | None:
        if self.year is None or self.batch_number is None:
            return None
        return (self.year, self.batch_number)


NEW_BASE = "新增基地"
UPDATED = "更新单位信息"
UNCHANGED = "已在名单中，无变化"


@dataclass
class BasePreview(RowsPreview):
    rows: list[BaseRow]
    #: Batches the import will create, by title.
    new_batches: list[str] = field(default_factory=list)
    #: Employers the import will create, by name.
    new_employers: list[str] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        """Rows that change something: a new base, or new details of its employer."""
        return sum(1 for row in self.rows if not row.errors and row.outcome in (NEW_BASE, UPDATED))

    @property
    def created_count(self) -> int:
        return sum(1 for row in self.rows if not row.errors and row.outcome == NEW_BASE)

    @property
    def updated_count(self) -> int:
        return sum(1 for row in self.rows if not row.errors and row.outcome == UPDATED)

    @property
    def unchanged_count(self) -> int:
        return sum(1 for row in self.rows if not row.errors and row.outcome == UNCHANGED)

    @property
    def messages(self) -> list[str]:
        notes = []
        if self.new_batches:
            notes.append(f"将新建批次：{'、'.join(self.new_batches)}。")
        if self.new_employers:
            shown = "、".join(self.new_employers[:20]) + ("等" if len(self.new_employers) > 20 else "")
            notes.append(f"将新建用人单位{len(self.new_employers)}家：{shown}。")
        if self.unchanged_count:
            notes.append(
                f"有{self.unchanged_count}家单位已在名单中且信息无变化（可能重复上传了同一表格），不会重复导入。"
            )
        return notes


@dataclass(frozen=True)
class BaseImportResult:
    created: int
    updated: int
    unchanged: int
    batches_created: int
    employers_created: int
    dry_run: bool


# ---------------------------------------------------------------------------------------------------------------
# Understanding the cells


def read_base_sheet(file: SheetFile) -> list[RawRow]:
    return sheets.read_sheet(file, LAYOUT)


def _one_line(value: Any) -> str:
    return " ".join(cell_text(value).split())


def _year(value: Any) -> int | None:
    match = _YEAR.match(folded(value))
    if match is None:
        whole = _WHOLE.match(folded(value))
        return int(whole.group(1)) if whole else None
    return int(match.group(1))


def _batch(value: Any) -> int | None:
    text = folded(value)
    whole = _WHOLE.match(text)
    if whole:
        return int(whole.group(1))
    match = _BATCH.match(text)
    if match is None:
        return None
    digits = match.group(1)
    return int(digits) if digits.isdigit() else chinese_number(digits)


def district_names() -> dict[str, District]:
    """Every way a district may be written (铜梁区 or 铜梁; 石柱土家族自治县, 石柱县 or 石柱), folded → district.
    One query; a short name two districts share would be dropped (none does among the 41)."""
    names: dict[str, District] = {}
    shared: set[str] = set()
    for district in District.objects.all():
        for alias in district_aliases(district):
            if alias in names and names[alias].pk != district.pk:
                shared.add(alias)
            names[alias] = district
    for alias in shared:
        del names[alias]
    return names


def _parse(raw: RawRow, districts: dict[str, District]) -> BaseRow:
    cells = raw.cells
    row = BaseRow(row=raw.row)
    year_text = folded(cells.get(COL_YEAR))
    if not year_text:
        row.error(COL_YEAR, "请填写年度，如2023。")
    else:
        row.year = _year(cells.get(COL_YEAR))
        if row.year is None or not FIRST_YEAR <= row.year <= LAST_YEAR:
            row.error(
                COL_YEAR, f"年度“{_one_line(cells.get(COL_YEAR))}”无效：应为{FIRST_YEAR}年以后的四位年份，如2023。"
            )
            row.year = None
    batch_text = folded(cells.get(COL_BATCH))
    if not batch_text:
        row.error(COL_BATCH, "请填写批次，如“第一批”或1。")
    else:
        row.batch_number = _batch(cells.get(COL_BATCH))
        if not row.batch_number:
            row.error(COL_BATCH, f"批次“{_one_line(cells.get(COL_BATCH))}”无法识别：请填写“第一批”或数字1、2……")
            row.batch_number = None
    number_text = folded(cells.get(COL_NUMBER))
    whole = _WHOLE.match(number_text)
    if not number_text:
        row.error(COL_NUMBER, "请填写序号（基地在本批名单中的序号）。")
    elif whole is None or not 1 <= int(whole.group(1)) <= 32767:
        row.error(COL_NUMBER, f"序号“{_one_line(cells.get(COL_NUMBER))}”应为正整数。")
    else:
        row.number = int(whole.group(1))
    row.name = _one_line(cells.get(COL_NAME))
    if not row.name:
        row.error(COL_NAME, "请填写单位名称。")
    elif too_long := limits.EMPLOYER_NAME.too_long(row.name):
        row.error(COL_NAME, f"单位名称{too_long}")
    code_text = cell_text(cells.get(COL_CREDIT_CODE))
    if code_text:
        try:
            row.credit_code = normalise_uscc(code_text)
        except ValidationError as error:
            row.error(COL_CREDIT_CODE, f"“{_one_line(code_text)[:30]}”：{error.messages[0]}")
    district_text = _one_line(cells.get(COL_DISTRICT))
    if district_text:
        row.district = districts.get(folded(district_text))
        if row.district is None:
            row.error(
                COL_DISTRICT,
                f"区县“{district_text}”不是重庆市的区县名称：请填写如“铜梁区”或“铜梁”（41个区县及管理区之一）。",
            )
    row.notice = _one_line(cells.get(COL_NOTICE))
    if len(row.notice) > _NOTICE_MAX:
        row.error(COL_NOTICE, f"发布文件不能超过{_NOTICE_MAX}个字（现有{len(row.notice)}个）。")
    row.errors = cell_errors(raw, row.errors)
    return row


# ---------------------------------------------------------------------------------------------------------------
# Against what is recorded


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    unique = sorted(set(values))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        yield unique[start : start + LOOKUP_CHUNK]


def _analyse(raw_rows: list[RawRow], *, progress: Progress | None = None) -> BasePreview:
    districts = district_names()
    rows = [_parse(raw, districts) for raw in tracked(raw_rows, progress)]

    by_name: dict[str, Employer] = {}
    for chunk in _chunks(row.name for row in rows if row.name):
        by_name.update((e.name, e) for e in Employer.objects.filter(name__in=chunk).select_related("district"))
    by_code: dict[str, Employer] = {}
    for chunk in _chunks(row.credit_code for row in rows if row.credit_code):
        by_code.update((e.credit_code or "", e) for e in Employer.objects.filter(credit_code__in=chunk))
    keys = {row.batch_key for row in rows if row.batch_key is not None}
    batches = {(b.year, b.number): b for b in BaseBatch.objects.all() if (b.year, b.number) in keys}
    recorded: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}  # batch → {"employer:ID"/"number:N": …}
    for base in TalentBase.objects.filter(batch__in=list(batches.values())).select_related("batch", "employer"):
        entry = recorded.setdefault((base.batch.year, base.batch.number), {})
        entry[f"employer:{base.employer_id}"] = (base.number, base.employer_id)
        entry[f"number:{base.number}"] = (base.number, base.employer_id)
    names_of = {e.pk: e.name for e in by_name.values()}
    if recorded:
        ids = {employer_id for entry in recorded.values() for _, employer_id in entry.values()}
        names_of.update(Employer.objects.filter(pk__in=ids).values_list("pk", "name"))

    first_row: dict[tuple[object, ...], int] = {}
    code_row: dict[str, tuple[int, str]] = {}
    new_employers: dict[str, None] = {}
    new_batches: dict[str, None] = {}
    for row in rows:
        key = row.batch_key
        if key is not None and row.number is not None:
            seen = first_row.setdefault((key, "number", row.number), row.row)
            if seen != row.row:
                row.error(COL_NUMBER, f"与第{seen}行重复：{row.batch_label}中序号{row.number}填了两次。")
        if key is not None and row.name:
            seen = first_row.setdefault((key, "name", row.name), row.row)
            if seen != row.row:
                row.error(COL_NAME, f"与第{seen}行重复：“{row.name}”在{row.batch_label}中列了两次。")
        if row.credit_code:
            seen_code = code_row.setdefault(row.credit_code, (row.row, row.name))
            if seen_code[1] != row.name:
                row.error(
                    COL_CREDIT_CODE,
                    f"与第{seen_code[0]}行（{seen_code[1]}）的统一社会信用代码相同：一个代码只能属于一家单位。",
                )
        employer = by_name.get(row.name)
        row.employer = employer
        if row.credit_code:
            holder = by_code.get(row.credit_code)
            if holder is not None and (employer is None or holder.pk != employer.pk):
                row.error(
                    COL_CREDIT_CODE,
                    f"统一社会信用代码{row.credit_code}已属于用人单位“{holder.name}”：请核对代码或单位名称。",
                )
        if key is not None and row.number is not None and not row.errors:
            entry = recorded.get(key, {})
            if employer is not None and f"employer:{employer.pk}" in entry:
                number, _ = entry[f"employer:{employer.pk}"]
                if number != row.number:
                    row.error(
                        COL_NUMBER,
                        f"“{row.name}”在{row.batch_label}中已是第{number}号，不能改为第{row.number}号（名单只增不改）。",
                    )
            elif f"number:{row.number}" in entry:
                _, holder_id = entry[f"number:{row.number}"]
                row.error(
                    COL_NUMBER,
                    f"{row.batch_label}的第{row.number}号已是“{names_of.get(holder_id, '')}”：请核对序号或单位名称。",
                )
        if row.errors:
            continue
        is_base = employer is not None and key is not None and f"employer:{employer.pk}" in recorded.get(key, {})
        if employer is None:
            new_employers[row.name] = None
        else:
            if row.credit_code and row.credit_code != employer.credit_code:
                row.changes.append(f"统一社会信用代码：{employer.credit_code or '（无）'} → {row.credit_code}")
            if row.district is not None and row.district.pk != employer.district_id:
                was = employer.district.name if employer.district else "（无）"
                row.changes.append(f"所在区县：{was} → {row.district.name}")
        if key is not None and key not in batches:
            new_batches[row.batch_label] = None
        row.outcome = UPDATED if is_base and row.changes else (UNCHANGED if is_base else NEW_BASE)
    return BasePreview(rows=rows, new_batches=list(new_batches), new_employers=list(new_employers))


# ---------------------------------------------------------------------------------------------------------------
# Services


def preview_bases(*, file: SheetFile, by: User, progress: Progress | None = None) -> BasePreview:
    """What an import would do, row by row with its errors, without writing anything."""
    require_admin_importer(by, what="人才基地名单")
    return _analyse(read_base_sheet(file), progress=progress)


def import_bases(*, file: SheetFile, by: User, dry_run: bool = False) -> BaseImportResult:
    """Add the sheet's bases to their batches and record their employers' credit codes and districts: every row,
    or none (``PortalImportError`` listing each row's errors). Idempotent: the same sheet again changes nothing."""
    require_admin_importer(by, what="人才基地名单")
    raw_rows = read_base_sheet(file)
    if dry_run:
        preview = _analyse(raw_rows)
        if preview.errors:
            raise PortalImportError(preview.errors, what="基地")
        return _result(preview, dry_run=True)
    try:
        with transaction.atomic():
            return _write(raw_rows, by=by)
    except IntegrityError:
        # Another import or an admin's edit took one of these names, codes or numbers between our check and write.
        raise PortalError(
            "导入时有人同时修改了人才基地名单或用人单位，未导入任何内容：请重新上传预览后再确认。", "import_conflict"
        ) from None


def _result(preview: BasePreview, *, dry_run: bool) -> BaseImportResult:
    return BaseImportResult(
        created=preview.created_count,
        updated=preview.updated_count,
        unchanged=preview.unchanged_count,
        batches_created=len(preview.new_batches),
        employers_created=len(preview.new_employers),
        dry_run=dry_run,
    )


def _write(raw_rows: list[RawRow], *, by: User) -> BaseImportResult:
    # The list is small (tens of rows a batch): each record is saved one by one, so the audit trail records each
    # creation and change with its actor, as an edit in the admin would.
    preview = _analyse(raw_rows)
    if preview.errors:
        raise PortalImportError(preview.errors, what="基地")
    batches: dict[tuple[int, int], BaseBatch] = {}
    employers: dict[str, Employer] = {}
    with set_actor(by):
        for row in preview.rows:
            key = row.batch_key
            assert key is not None and row.number is not None
            if row.outcome == UNCHANGED:
                continue
            batch = batches.get(key)
            if batch is None:
                batch, _ = BaseBatch.objects.get_or_create(
                    year=key[0],
                    number=key[1],
                    defaults={"title": row.batch_label, "notice_reference": row.notice},
                )
                batches[key] = batch
            employer = employers.get(row.name) or row.employer
            if employer is None:
                # Checked by _analyse (name unused, code valid and free); a race ends in the IntegrityError above.
                employer = Employer(name=row.name, credit_code=row.credit_code or None, district=row.district)
                employer.save()
            elif row.changes:
                if row.credit_code:
                    employer.credit_code = row.credit_code
                if row.district is not None:
                    employer.district = row.district
                employer.save(update_fields=["credit_code", "district", "updated_at"])
            employers[row.name] = employer
            if row.outcome == NEW_BASE:
                TalentBase.objects.create(batch=batch, employer=employer, number=row.number)
    return _result(preview, dry_run=False)
