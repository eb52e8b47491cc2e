"""Import a district's Annex 3 sheet (用人单位引进人才确认表: the people who actually arrived): all rows or none.

The sheet as the notice prints it: an optional title row, then two header rows — 「必填项」 merged over 序号, 姓名,
身份证号码, 岗位名称, 引进方式, 劳动合同期限 and 「选填项」 over 毕业院校 … 其他符合的相关条件, the column names below.
Optional columns may follow, found by their header in any order: 用人单位 (tells apart two employers' posts of the
same name), 荐才第三方 (or 推荐机构: a registered third party's name or 统一社会信用代码), 专项 (启航/海聚, checked
against the facts) and 毕业时间 (the date that decides 启航; docs/workflows.md, "Which programme"). A sheet without
them reads as before; without 专项 the programme is derived from 引进方式, 毕业时间 and 工作经历 as in the form.

Each row names a post of the importing district by 岗位名称 (and 用人单位); only published or closed posts can
take hires. The field rules are ``referrals.services.hire_validate``'s, the ones ``hire_record`` applies, not
repeated here; this module only understands the cells (Excel dates, 全职/柔性, 学历 labels) and matches names
to posts and third parties. A person is recorded once per programme and year: a second row for the same 身份证号码
in the sheet, or one already recorded by any district, is a row error. ID numbers never appear whole in a message.

Reading is ``portal.imports.sheets`` (zip-bomb checks, calamine); the writes are a constant number of set-based queries.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from portal import limits
from portal.constants import Channel, Education, Programme
from portal.contacts import TALENT_CENTRE
from portal.errors import PortalError
from portal.identity import mask_id_number, normalise_id_number, normalise_uscc
from portal.imports import sheets
from portal.imports.bulk import bulk_insert
from portal.imports.progress import Progress, tracked
from portal.imports.sheets import (
    LOOKUP_CHUNK,
    PortalImportError,
    RawRow,
    RowError,
    RowsPreview,
    SheetFile,
    SheetLayout,
    cell_date,
    cell_errors,
    cell_text,
    folded,
    require_district_importer,
)
from portal.models import District, ThirdParty, User
from portal.security.crypto import keyed_digests
from positions.constants import PositionStatus
from positions.models import Position
from referrals.constants import EmploymentMode
from referrals.declarations import (
    DeclaredPost,
    PersonData,
    declaration_refusals,
    declaration_submit,
    person_validate,
    require_declarer,
)
from referrals.eligibility import GraduateWindows
from referrals.models import Declaration, Hire
from referrals.services import HIRABLE, HireData, duplicate_person_message, hire_validate

COL_NUMBER = "序号"
COL_NAME = "姓名"
COL_ID_NUMBER = "身份证号码"
COL_POST = "岗位名称"
COL_MODE = "引进方式"
COL_CONTRACT_TERM = "劳动合同期限"
COL_SCHOOL = "毕业院校"
COL_MAJOR = "专业"
COL_EDUCATION = "学历"
COL_TITLE_RANK = "职称职级"
COL_SKILL_LEVEL = "技能等级"
COL_ARRIVED_ON = "入职时间"
COL_WORK_EXPERIENCE = "工作经历（海聚）"
COL_OTHER_CONDITIONS = "其他符合的相关条件"
COL_EMPLOYER = "用人单位"
COL_THIRD_PARTY = "荐才第三方"
COL_PROGRAMME = "专项"
COL_GRADUATED_ON = "毕业时间"

GROUP_REQUIRED = "必填项"
GROUP_OPTIONAL = "选填项"
#: The annex's columns under 必填项 and 选填项, in its order.
REQUIRED_COLUMNS = (COL_NUMBER, COL_NAME, COL_ID_NUMBER, COL_POST, COL_MODE, COL_CONTRACT_TERM)
OPTIONAL_COLUMNS = (
    COL_SCHOOL,
    COL_MAJOR,
    COL_EDUCATION,
    COL_TITLE_RANK,
    COL_SKILL_LEVEL,
    COL_ARRIVED_ON,
    COL_WORK_EXPERIENCE,
    COL_OTHER_CONDITIONS,
)
#: Accepted after the annex's columns, in any order.
EXTRA_COLUMNS = (COL_EMPLOYER, COL_THIRD_PARTY, COL_PROGRAMME, COL_GRADUATED_ON)

LAYOUT = SheetLayout(
    anchor=COL_ID_NUMBER,
    columns=REQUIRED_COLUMNS + OPTIONAL_COLUMNS + EXTRA_COLUMNS,
    required=REQUIRED_COLUMNS[1:],
    aliases={
        "身份证号": COL_ID_NUMBER,
        "工作经历": COL_WORK_EXPERIENCE,
        "入职日期": COL_ARRIVED_ON,
        "到岗时间": COL_ARRIVED_ON,
        "推荐机构": COL_THIRD_PARTY,
        "荐才机构": COL_THIRD_PARTY,
        "第三方": COL_THIRD_PARTY,
        "专项类别": COL_PROGRAMME,
        "毕业日期": COL_GRADUATED_ON,
        "毕业年月": COL_GRADUATED_ON,
    },
    group_headers=frozenset({GROUP_REQUIRED, GROUP_OPTIONAL}),
    missing_hint=(
        "请使用附件3“用人单位引进人才确认表”的格式（必填项：序号、姓名、身份证号码、岗位名称、引进方式、劳动合同期限）。"
    ),
    not_found_message="未找到表头：表格前几行中应有“姓名”“身份证号码”“岗位名称”等列名（附件3格式）。",
)

_MODES = {
    "全职": EmploymentMode.FULL_TIME,
    "全职引进": EmploymentMode.FULL_TIME,
    "柔性": EmploymentMode.FLEXIBLE,
    "柔性引进": EmploymentMode.FLEXIBLE,
}
_PROGRAMMES = {
    "启航": Programme.QIHANG,
    "启航专项": Programme.QIHANG,
    "海聚": Programme.HAIJU,
    "海聚专项": Programme.HAIJU,
}
# A person's own education (不限 is for posts, not people); read after the qualifiers below are taken off.
_EDUCATION = {
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "学士": Education.BACHELOR,
    "硕士": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "研究生": Education.MASTER,
    "博士": Education.DOCTOR,
    "博士研究生": Education.DOCTOR,
}
_EDUCATION_QUALIFIERS = re.compile(r"^(?:全日制|非全日制|在职)|(?:学历|学位|毕业)$")
_BRACKETS = "()[]【】〔〕"
#: A run that may be an ID number (15 or 18 characters, or near it) inside a cell echoed back in a message.
_ID_LIKE = re.compile(r"\d{14,17}[\dXx]")
_PLACEHOLDER_POST_NAME = "—"

# What hire_validate() names a failing field → the sheet's column.
_FIELD_COLUMNS = {
    "position": COL_POST,
    "name": COL_NAME,
    "id_number": COL_ID_NUMBER,
    "mode": COL_MODE,
    "contract_term": COL_CONTRACT_TERM,
    "programme": COL_PROGRAMME,
    "graduated_on": COL_GRADUATED_ON,
    "work_experience": COL_WORK_EXPERIENCE,
}
#: A row's errors are listed in the order of its columns.
_COLUMN_ORDER = {column: index for index, column in enumerate(LAYOUT.columns)}
# Free-text fields → their column, for the length limits of the table.
_TEXT_COLUMNS = {
    "name": (COL_NAME, limits.PERSON_NAME),
    "contract_term": (COL_CONTRACT_TERM, limits.CONTRACT_TERM),
    "school": (COL_SCHOOL, limits.SCHOOL),
    "major": (COL_MAJOR, limits.MAJOR),
    "title_rank": (COL_TITLE_RANK, limits.TITLE_RANK),
    "skill_level": (COL_SKILL_LEVEL, limits.SKILL_LEVEL),
}


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass
class HireRow:
    """One data row as understood: ``fields`` is the ``Hire`` to insert, or None when the row has errors."""

    row: int
    name: str
    id_number_masked: str
    post_name: str
    employer_name: str = ""
    position: Position | None = None
    third_party: ThirdParty | None = None
    mode_label: str = ""
    programme_label: str = ""
    education_label: str = ""
    arrived_on: datetime.date | None = None
    graduated_on: datetime.date | None = None
    year: int | None = None
    fields: dict[str, object] | None = None
    errors: list[RowError] = field(default_factory=list)
    #: The district that has already recorded this person for the programme and year, if any.
    recorded_by_district: str = ""

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))


@dataclass
class HirePreview(RowsPreview):
    district: District
    rows: list[HireRow]

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.fields is not None)

    @property
    def already_recorded_count(self) -> int:
        return sum(1 for row in self.rows if row.recorded_by_district)

    @property
    def messages(self) -> list[str]:
        """Notes for the clerk besides the row errors."""
        notes = []
        own = sum(1 for row in self.rows if row.recorded_by_district == self.district.name)
        if own:
            notes.append(
                f"有{own}人已由本区县登记过（可能是重复上传了同一表格）：已登记的人员不会重复导入，"
                "请从表格中删除这些行后重新上传。"
            )
        return notes


@dataclass(frozen=True)
class HireImportResult:
    created: int
    dry_run: bool


# ---------------------------------------------------------------------------------------------------------------
# Reading and understanding the cells


def read_hire_sheet(file: SheetFile) -> list[RawRow]:
    """The data rows of the first sheet; completely empty rows are left out. Refuses unsafe or non-xlsx files."""
    return sheets.read_sheet(file, LAYOUT)


def _one_line(value: Any) -> str:
    return " ".join(cell_text(value).split())


def _shown(value: Any) -> str:
    """A cell's text for a message, with anything that looks like an ID number masked."""
    return _ID_LIKE.sub(lambda match: mask_id_number(match.group(0)), _one_line(value))


def _bare(value: Any) -> str:
    """Folded, with the brackets a clerk puts around a choice taken off: （全职） → 全职."""
    return folded(value).strip(_BRACKETS)


def _id_number_text(value: Any) -> tuple[str, str]:
    """(the text to validate, the error when the cell cannot hold an ID number at all)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit number typed into a number cell has lost its last digits.
        return "", "身份证号码被Excel存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写。"
    return cell_text(value), ""


def _masked(text: str) -> str:
    try:
        return mask_id_number(normalise_id_number(text))
    except ValidationError:
        return mask_id_number(re.sub(r"\s+", "", text).upper())


def _education(value: Any) -> str | None:
    text = _EDUCATION_QUALIFIERS.sub("", _bare(value))
    return _EDUCATION.get(text)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    unique = sorted(set(values))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        yield unique[start : start + LOOKUP_CHUNK]


# ---------------------------------------------------------------------------------------------------------------
# Posts and third parties named by the sheet


@dataclass
class _Posts:
    """The district's posts by folded name: those that can take hires, and the others (for a clearer error)."""

    hirable: dict[str, list[Position]]
    other: dict[str, list[Position]]

    @classmethod
    def of(cls, district: District) -> _Posts:
        hirable: dict[str, list[Position]] = {}
        other: dict[str, list[Position]] = {}
        # One query for the whole district, whatever the sheet's size: names are compared as a person reads them
        # (full-width brackets, spaces), which an SQL IN cannot do.
        posts = (
            Position.objects.filter(district=district)
            .select_related("employer", "batch")
            .only("name", "channel", "status", "district", "employer__name", "batch__period")
            .order_by("pk")
        )
        for post in posts:
            target = hirable if post.status in HIRABLE else other
            target.setdefault(folded(post.name), []).append(post)
        return cls(hirable=hirable, other=other)


def _describe(post: Position) -> str:
    return f"{post.employer.name}（{Channel(post.channel).label}，{post.batch.ten_day_period.label}，编号{post.pk}）"


def _match_post(hire: HireRow, posts: _Posts) -> None:
    if not hire.post_name:
        hire.error(COL_POST, "请填写岗位名称（与岗位表中的名称一致）。")
        return
    key = folded(hire.post_name)
    candidates = posts.hirable.get(key, [])
    chosen = candidates
    if hire.employer_name:
        chosen = [post for post in candidates if folded(post.employer.name) == folded(hire.employer_name)]
    if len(chosen) == 1:
        hire.position = chosen[0]
        return
    if len(chosen) > 1:
        listing = "；".join(_describe(post) for post in chosen)
        if hire.employer_name:
            hire.error(
                COL_POST,
                f"{_shown(hire.employer_name)}有{len(chosen)}个已发布的岗位“{_shown(hire.post_name)}”：{listing}。"
                "表格无法区分，请在系统中逐个登记这些人员。",
            )
        else:
            hire.error(
                COL_POST,
                f"本区县有{len(chosen)}个已发布的岗位“{_shown(hire.post_name)}”：{listing}。请在“用人单位”列填写单位名称以区分。",
            )
        return
    if candidates:
        employers = "、".join(dict.fromkeys(post.employer.name for post in candidates))
        hire.error(
            COL_EMPLOYER,
            f"{_shown(hire.employer_name)}没有已发布的岗位“{_shown(hire.post_name)}”；本区县该岗位属于：{employers}。",
        )
        return
    unpublished = posts.other.get(key, [])
    if unpublished:
        states = "、".join(dict.fromkeys(post.get_status_display() for post in unpublished))
        hire.error(COL_POST, f"岗位“{_shown(hire.post_name)}”尚未发布（{states}）：只能为已发布的岗位登记到岗人员。")
        return
    hire.error(
        COL_POST, f"本区县没有已发布的岗位“{_shown(hire.post_name)}”，请核对岗位名称（应与岗位表中的名称一致）。"
    )


@dataclass
class _ThirdParties:
    by_code: dict[str, ThirdParty]
    by_id_number: dict[str, ThirdParty]
    by_name: dict[str, list[ThirdParty]]

    @classmethod
    def of(cls, cells: Iterable[str]) -> _ThirdParties:
        codes: set[str] = set()
        id_numbers: set[str] = set()
        names: set[str] = set()
        for text in cells:
            kind, key = _third_party_key(text)
            {"code": codes, "id_number": id_numbers, "name": names}[kind].add(key)
        found = cls(by_code={}, by_id_number={}, by_name={})
        # ID numbers are encrypted at rest: an individual is found by the keyed digest of the number.
        digests = set(keyed_digests(id_numbers))
        for values, lookup in ((codes, "credit_code__in"), (digests, "id_number_digest__in"), (names, "name__in")):
            for chunk in _chunks(values):
                for party in ThirdParty.objects.filter(**{lookup: chunk}):
                    if party.credit_code:
                        found.by_code[party.credit_code] = party
                    if party.id_number:
                        found.by_id_number[party.id_number] = party
                    found.by_name.setdefault(party.name, []).append(party)
        for parties in found.by_name.values():
            parties[:] = list({party.pk: party for party in parties}.values())
        return found


def _third_party_key(text: str) -> tuple[str, str]:
    """How the cell names a third party: its 统一社会信用代码, an individual's ID number, or its name."""
    try:
        return "code", normalise_uscc(text)
    except ValidationError:
        pass
    try:
        return "id_number", normalise_id_number(text)
    except ValidationError:
        return "name", " ".join(text.split())


def _match_third_party(hire: HireRow, text: str, parties: _ThirdParties) -> None:
    kind, key = _third_party_key(text)
    if kind == "code":
        hire.third_party = parties.by_code.get(key)
        if hire.third_party is None:
            hire.error(COL_THIRD_PARTY, f"未找到统一社会信用代码为{key}的荐才第三方：请先登记该第三方。")
        return
    if kind == "id_number":
        hire.third_party = parties.by_id_number.get(key)
        if hire.third_party is None:
            hire.error(COL_THIRD_PARTY, f"未找到身份证号码为{mask_id_number(key)}的荐才个人：请先登记该第三方。")
        return
    named = parties.by_name.get(key, [])
    if len(named) == 1:
        hire.third_party = named[0]
    elif named:
        hire.error(COL_THIRD_PARTY, f"有{len(named)}个名为“{key}”的荐才第三方，请改填其统一社会信用代码。")
    else:
        hire.error(
            COL_THIRD_PARTY,
            f"未找到荐才第三方“{_shown(key)}”：请填写已登记的第三方名称或统一社会信用代码，或先登记该第三方。",
        )


# ---------------------------------------------------------------------------------------------------------------
# One person's cells


@dataclass(frozen=True)
class PersonCells:
    """The person's Annex 3 cells of a row as understood: choices mapped to their values (an unrecognised choice is
    passed on as written, for ``hire_validate`` to refuse with the services' message), dates read."""

    mode: str
    contract_term: str
    programme: str | None
    programme_text: str
    school: str
    major: str
    education: str
    title_rank: str
    skill_level: str
    arrived_on: datetime.date | None
    graduated_on: datetime.date | None
    work_experience: str
    other_conditions: str


def _date_cell(raw: RawRow, column: str, row: Any) -> datetime.date | None:
    try:
        return cell_date(raw.cells.get(column))
    except (ValueError, OverflowError):
        row.error(
            column, f"{column}“{_shown(raw.cells.get(column))}”无法识别，请填写日期，如 2026-02-02 或 2026年2月2日。"
        )
        return None


def _person_cells(raw: RawRow, row: Any) -> PersonCells:
    """Read the person's cells of ``raw``; what cannot be understood at all is reported on ``row`` (``.error``)."""
    cells = raw.cells
    mode_text = _bare(cells.get(COL_MODE))
    programme_text = _bare(cells.get(COL_PROGRAMME))
    education = ""
    if folded(cells.get(COL_EDUCATION)):
        education = _education(cells.get(COL_EDUCATION)) or ""
        if not education:
            row.error(
                COL_EDUCATION,
                f"学历“{_shown(cells.get(COL_EDUCATION))}”无法识别，只能填写：大专、本科、硕士、博士（可留空）。",
            )
    return PersonCells(
        mode=_MODES.get(mode_text, mode_text),
        contract_term=cell_text(cells.get(COL_CONTRACT_TERM)),
        programme=_PROGRAMMES.get(programme_text, programme_text) or None,
        programme_text=programme_text,
        school=_one_line(cells.get(COL_SCHOOL)),
        major=_one_line(cells.get(COL_MAJOR)),
        education=education,
        title_rank=_one_line(cells.get(COL_TITLE_RANK)),
        skill_level=_one_line(cells.get(COL_SKILL_LEVEL)),
        arrived_on=_date_cell(raw, COL_ARRIVED_ON, row),
        graduated_on=_date_cell(raw, COL_GRADUATED_ON, row),
        work_experience=cell_text(cells.get(COL_WORK_EXPERIENCE)),
        other_conditions=cell_text(cells.get(COL_OTHER_CONDITIONS)),
    )


# ---------------------------------------------------------------------------------------------------------------
# One row


def _parse_row(
    raw: RawRow, *, district: District, posts: _Posts, parties: _ThirdParties, windows: GraduateWindows
) -> HireRow:
    cells = raw.cells
    id_text, id_error = _id_number_text(cells.get(COL_ID_NUMBER))
    hire = HireRow(
        row=raw.row,
        name=_one_line(cells.get(COL_NAME)),
        id_number_masked=_masked(id_text),
        post_name=_one_line(cells.get(COL_POST)),
        employer_name=_one_line(cells.get(COL_EMPLOYER)),
    )
    if id_error:
        hire.error(COL_ID_NUMBER, id_error)
    _match_post(hire, posts)
    third_party_text = _one_line(cells.get(COL_THIRD_PARTY))
    if third_party_text:
        _match_third_party(hire, third_party_text, parties)

    cells_read = _person_cells(raw, hire)
    hire.arrived_on = cells_read.arrived_on
    hire.graduated_on = cells_read.graduated_on
    # The programme year is the year of arrival (today when the sheet leaves it empty), as hire_record() sets it.
    hire.year = (hire.arrived_on or timezone.localdate()).year
    fields, rule_errors = hire_validate(
        HireData(
            # A stand-in keeps the other rules running when the post's own error is already reported.
            position=hire.position
            or Position(name=_PLACEHOLDER_POST_NAME, district=district, status=PositionStatus.PUBLISHED),
            name=hire.name,
            id_number=id_text,
            mode=cells_read.mode,
            contract_term=cells_read.contract_term,
            programme=cells_read.programme,
            third_party=hire.third_party,
            school=cells_read.school,
            major=cells_read.major,
            education=cells_read.education,
            title_rank=cells_read.title_rank,
            skill_level=cells_read.skill_level,
            arrived_on=hire.arrived_on,
            work_experience=cells_read.work_experience,
            other_conditions=cells_read.other_conditions,
            graduated_on=hire.graduated_on,
        ),
        window=windows.for_year(hire.year),
    )
    mode, education, _programme_text = cells_read.mode, cells_read.education, cells_read.programme_text
    for error in rule_errors:
        column = _FIELD_COLUMNS.get(error.field or "", COL_POST)
        if not any(existing.column == column for existing in hire.errors):
            hire.error(column, error.message)
    for name, (column, limit) in _TEXT_COLUMNS.items():
        refusal = limit.too_long(str(fields.get(name, "")))
        if refusal:
            hire.error(column, refusal)

    hire.mode_label = str(EmploymentMode(mode).label) if mode in EmploymentMode.values else ""
    programme = str(fields["programme"])
    if programme in Programme.values:
        hire.programme_label = str(Programme(programme).label)
    hire.education_label = str(Education(education).label) if education else ""
    hire.errors = cell_errors(raw, hire.errors)
    if not hire.errors:
        hire.id_number_masked = mask_id_number(str(fields["id_number"]))
        hire.fields = {**fields, "year": hire.year}
    return hire


# ---------------------------------------------------------------------------------------------------------------
# The whole sheet


def _recorded(id_numbers: Iterable[str]) -> dict[tuple[str, str, int], str]:
    """(ID number, programme, year) → the district (or the talent centre) that recorded that person: one query per 2,000 people, by the
    numbers' keyed digests (the numbers themselves are encrypted at rest)."""
    number_of = keyed_digests(id_numbers)
    found: dict[tuple[str, str, int], str] = {}
    for chunk in _chunks(number_of):
        rows = Hire.objects.filter(id_number_digest__in=chunk).values_list(
            "id_number_digest", "programme", "year", "district__name"
        )
        # A hire without a district was recorded at the talent centre (docs/roles.md, "The office of record").
        found.update(
            ((number_of[digest], programme, year), where or TALENT_CENTRE) for digest, programme, year, where in rows
        )
    return found


def _person_key(row: HireRow) -> tuple[str, str, int]:
    """Who a row records, in the sense of the table's uniqueness: one person, programme and year."""
    assert row.fields is not None and row.year is not None
    return str(row.fields["id_number"]), str(row.fields["programme"]), row.year


def _analyse(raw_rows: list[RawRow], *, district: District, progress: Progress | None = None) -> HirePreview:
    posts = _Posts.of(district)
    parties = _ThirdParties.of(text for raw in raw_rows if (text := _one_line(raw.cells.get(COL_THIRD_PARTY))))
    # Understanding each row is most of the work: the progress of a background job is counted here.
    windows = GraduateWindows.load()
    rows = [
        _parse_row(raw, district=district, posts=posts, parties=parties, windows=windows)
        for raw in tracked(raw_rows, progress)
    ]

    valid = [row for row in rows if row.fields is not None]
    recorded = _recorded(str(row.fields["id_number"]) for row in valid if row.fields is not None)
    first_row_of: dict[tuple[str, str, int], int] = {}
    for row in valid:
        key = _person_key(row)
        if key in recorded:
            row.recorded_by_district = recorded[key]
            row.error(
                COL_ID_NUMBER,
                duplicate_person_message(
                    subject=f"身份证号码{row.id_number_masked}",
                    district_name=recorded[key],
                    programme=key[1],
                    year=key[2],
                ),
            )
        elif key in first_row_of:
            row.error(
                COL_ID_NUMBER,
                f"与第{first_row_of[key]}行的身份证号码（{row.id_number_masked}）重复：同一人在{key[2]}年"
                f"{Programme(key[1]).label}专项只能登记一次。",
            )
        else:
            first_row_of[key] = row.row
        if row.errors:
            row.fields = None
    for row in rows:
        row.errors.sort(key=lambda error: _COLUMN_ORDER.get(error.column, len(_COLUMN_ORDER)))
    return HirePreview(district=district, rows=rows)


# ---------------------------------------------------------------------------------------------------------------
# Services


def preview_hires(*, file: SheetFile, district: District, by: User, progress: Progress | None = None) -> HirePreview:
    """What an import would do, row by row with its errors, without writing anything. ``progress`` hears of the
    rows checked (a background job's progress bar)."""
    require_district_importer(by, district, what="到岗人员")
    return _analyse(read_hire_sheet(file), district=district, progress=progress)


def import_hires(*, file: SheetFile, district: District, by: User, dry_run: bool = False) -> HireImportResult:
    """Record every person of the sheet as arrived at the district's posts: every row, or none
    (``PortalImportError``, listing each row's errors). The hires start as 待初审, like those recorded one by one.

    Uploading the same sheet again adds nothing: every row is then refused as already recorded, and said so."""
    require_district_importer(by, district, what="到岗人员")
    # Parsed before the transaction opens: reading a large sheet holds no database resources.
    raw_rows = read_hire_sheet(file)
    if dry_run:
        preview = _analyse(raw_rows, district=district)
        if preview.errors:
            raise PortalImportError(preview.errors, what="人员")
        return HireImportResult(created=preview.new_count, dry_run=True)
    try:
        with transaction.atomic():
            return _write(raw_rows, district=district, by=by)
    except IntegrityError:
        # Concurrency: someone recorded one of these people between our check and our insert; the unique
        # constraint (person, programme, year) decided, and the whole import rolled back.
        raise PortalError(
            "导入时有人同时登记了表格中的人员，未导入任何人员：请重新上传预览后再确认。", "import_conflict"
        ) from None


def _insert_row(fields: dict[str, object], defaults: dict[str, Any]) -> dict[str, Any]:
    """``hire_validate``'s fields as the column values ``bulk_insert`` takes (``position_id``, not ``position``)."""
    row = dict(defaults)
    for name, value in fields.items():
        row[cast("models.Field[Any, Any]", Hire._meta.get_field(name)).attname] = (
            value.pk if isinstance(value, models.Model) else value
        )
    return row


def _write(raw_rows: list[RawRow], *, district: District, by: User) -> HireImportResult:
    preview = _analyse(raw_rows, district=district)
    if preview.errors:
        raise PortalImportError(preview.errors, what="人员")
    now = timezone.now()
    # bulk_insert writes every column (COPY on PostgreSQL): start from each field's default, as a save() would.
    defaults: dict[str, Any] = {
        model_field.attname: model_field.get_default()
        for model_field in Hire._meta.concrete_fields
        if not model_field.primary_key
    }
    defaults.update(recorded_by_id=by.pk, created_at=now, updated_at=now)
    new_rows = [row for row in preview.rows if row.fields is not None]
    bulk_insert(Hire, [_insert_row(row.fields, defaults) for row in new_rows if row.fields is not None])
    sheet_row_of = {_person_key(row): row.row for row in new_rows}

    # bulk inserts bypass auditlog's signals: each hire gets the creation entry a save() would have written (the ID
    # number masked by the model's auditlog registration), in one insert. The rows are read back in one query,
    # without an IN list that grows with the sheet: the district's rows this user recorded from just before the
    # insert (bulk_create may restamp created_at; the margin absorbs clock steps), kept when their (person,
    # programme, year) is one of ours — the unique constraint makes such a row ours and no one else's.
    recent = Hire.objects.filter(
        district=district, recorded_by=by, created_at__gte=now - datetime.timedelta(minutes=5)
    ).order_by("pk")
    created = [hire for hire in recent if (hire.id_number, hire.programme, hire.year) in sheet_row_of]
    if len(created) != len(new_rows):  # an invariant, not a user error: roll back rather than audit partially
        raise RuntimeError(f"imported {len(new_rows)} hires but read back {len(created)}")
    content_type = ContentType.objects.get_for_model(Hire)
    cid = get_cid()
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(hire.pk),
                object_id=hire.pk,
                object_repr=str(hire),
                action=LogEntry.Action.CREATE,
                changes=model_instance_diff(
                    None, hire, use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
                ),
                actor=by,
                actor_email=by.email or None,
                cid=cid,
                timestamp=now,
                additional_data={
                    "source": "import",
                    "sheet_row": sheet_row_of.get((hire.id_number, hire.programme, hire.year)),
                },
            )
            for hire in created
        ],
        batch_size=500,
    )
    return HireImportResult(created=len(created), dry_run=False)


# ---------------------------------------------------------------------------------------------------------------
# A third party's declaration from an Annex 3 sheet (referrals.declarations)


@dataclass
class DeclaredRow:
    """One person of a declaration sheet as understood: ``person`` is what will be declared, or None on errors."""

    row: int
    name: str
    id_number_masked: str
    mode_label: str = ""
    programme_label: str = ""
    education_label: str = ""
    arrived_on: datetime.date | None = None
    graduated_on: datetime.date | None = None
    person: PersonData | None = None
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))


@dataclass
class DeclaredSheet(RowsPreview):
    rows: list[DeclaredRow]

    @property
    def people(self) -> list[PersonData]:
        return [row.person for row in self.rows if row.person is not None]


def _declared_row(raw: RawRow, post: DeclaredPost, windows: GraduateWindows) -> DeclaredRow:
    cells = raw.cells
    id_text, id_error = _id_number_text(cells.get(COL_ID_NUMBER))
    row = DeclaredRow(row=raw.row, name=_one_line(cells.get(COL_NAME)), id_number_masked=_masked(id_text))
    if id_error:
        row.error(COL_ID_NUMBER, id_error)
    # The sheet's post and employer columns may be left empty: the declaration names them once for every row.
    post_name = post.position.name if post.position is not None else post.post_name
    post_text = _one_line(cells.get(COL_POST))
    if post_text and folded(post_text) != folded(post_name):
        row.error(
            COL_POST,
            f"岗位名称“{_shown(post_text)}”与本次申报的岗位“{post_name}”不一致：一张表只申报同一岗位的人员（该列可留空）。",
        )
    employer_text = _one_line(cells.get(COL_EMPLOYER))
    if employer_text and folded(employer_text) != folded(post.employer.name):
        row.error(
            COL_EMPLOYER,
            f"用人单位“{_shown(employer_text)}”与本次申报的单位“{post.employer.name}”不一致（该列可留空）。",
        )
    read = _person_cells(raw, row)
    row.arrived_on, row.graduated_on = read.arrived_on, read.graduated_on
    person = PersonData(
        name=row.name,
        id_number=id_text,
        mode=read.mode,
        contract_term=read.contract_term,
        programme=read.programme or "",
        school=read.school,
        major=read.major,
        education=read.education,
        graduated_on=read.graduated_on,
        title_rank=read.title_rank,
        skill_level=read.skill_level,
        arrived_on=read.arrived_on,
        work_experience=read.work_experience,
        other_conditions=read.other_conditions,
    )
    fields, rule_errors = person_validate(post, person, windows=windows)
    for error in rule_errors:
        column = _FIELD_COLUMNS.get(error.field or "", COL_NAME)
        if not any(existing.column == column for existing in row.errors):
            row.error(column, error.message)
    for name, (column, limit) in _TEXT_COLUMNS.items():
        refusal = limit.too_long(str(fields.get(name, "")))
        if refusal:
            row.error(column, refusal)
    row.mode_label = str(EmploymentMode(read.mode).label) if read.mode in EmploymentMode.values else ""
    programme = str(fields["programme"])
    row.programme_label = str(Programme(programme).label) if programme in Programme.values else ""
    row.education_label = str(Education(read.education).label) if read.education else ""
    row.errors = cell_errors(raw, row.errors)
    if not row.errors:
        row.id_number_masked = mask_id_number(str(fields["id_number"]))
        row.person = person
    return row


def preview_declared_people(*, file: SheetFile, post: DeclaredPost, by: User) -> DeclaredSheet:
    """A third party's Annex 3 sheet as a declaration of ``post`` would take it, row by row with its errors: the
    person's fields by the clerk's rules, a person twice in the sheet, a person it cannot declare there now
    (``declaration_refusals``). Writes nothing."""
    third_party = require_declarer(by)
    windows = GraduateWindows.load()
    rows = [_declared_row(raw, post, windows) for raw in read_hire_sheet(file)]
    numbers = {row.row: normalise_id_number(row.person.id_number) for row in rows if row.person is not None}
    refusals = declaration_refusals(post=post, id_numbers=list(numbers.values()), third_party=third_party)
    first_row_of: dict[str, int] = {}
    for row in rows:
        number = numbers.get(row.row)
        if number is None:
            continue
        if number in first_row_of:
            row.error(COL_ID_NUMBER, f"与第{first_row_of[number]}行的身份证号码（{row.id_number_masked}）重复。")
        elif number in refusals:
            row.error(COL_ID_NUMBER, refusals[number])
        first_row_of.setdefault(number, row.row)
        if row.errors:
            row.person = None
    for row in rows:
        row.errors.sort(key=lambda error: _COLUMN_ORDER.get(error.column, len(_COLUMN_ORDER)))
    return DeclaredSheet(rows=rows)


def declare_from_sheet(*, file: SheetFile, post: DeclaredPost, by: User) -> Declaration:
    """Declare every person of the sheet, or none (``PortalImportError`` listing each row's errors)."""
    sheet = preview_declared_people(file=file, post=post, by=by)
    if sheet.errors:
        raise PortalImportError(sheet.errors, what="人员")
    if not sheet.people:
        raise PortalError("表格中没有人员。", "no_people")
    return declaration_submit(post=post, people=sheet.people, by=by)
