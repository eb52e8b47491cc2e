"""The 旬 roll-up as people read it: tables per topic, scoped to who is asking, as a page, a workbook and a PDF.

One description of the columns (``TOPICS``) feeds the page, the workbook and the PDF, so the three never disagree.
Scoping is decided once, in ``rollup_tables``: city staff get every district and the city's totals; district staff
get their own district's row and the city average (total ÷ number of districts, Decimal, 2 places), never another
district's row. The stored figures are JSON (amounts as strings); here they become ints and Decimals again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education, Programme
from portal.dates import prose_datetime
from portal.models import User
from portal.permissions import is_city_staff
from rollups.models import RollUp

Kind = Literal["count", "amount", "state", "text"]
CENT = Decimal("0.01")

#: How a district stands with its reports for the 旬 (``rollups.tenday._reporting``).
REPORTING_LABELS = {"sent": "已报送", "zero": "零报告", "late": "逾期报送", "missing": "未报送"}
#: States that the pages highlight: the bureau chases these districts.
FLAGGED_STATES = frozenset({"late", "missing"})


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]
    kind: Kind = "count"
    width: float = 10
    #: Whether the district's one-page report (``district_sections``) prints it: a detail the page and the workbook
    #: carry is left out there, so that the report stays one page.
    in_district_report: bool = True


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    columns: tuple[Column, ...]
    #: The header of the rows' label column.
    label_header: str = "区县"


#: The talent bases' table (figures version 3 on; city staff only): each base of the list, then the bases' total.
BASES = Topic(
    "bases",
    "人才基地",
    (
        Column("入选批次", ("batches",), "text", 28),
        Column("所在区县", ("district",), "text", 12),
        Column("岗位数", ("posts", "posts")),
        Column("需求人数", ("posts", "headcount")),
        Column("确认人数", ("hires", "confirmed")),
        *(Column(f"{label}专项", ("hires", "by_programme", value)) for value, label in Programme.choices),
        Column("申报件数", ("claims", "submitted")),
        Column("申报金额（元）", ("claims", "submitted_amount"), "amount", 15),
        Column("审核通过件数", ("claims", "approved"), width=12),
        Column("审核通过金额（元）", ("claims", "approved_amount"), "amount", 17),
        Column("发放件数", ("claims", "paid")),
        Column("发放金额（元）", ("claims", "paid_amount"), "amount", 15),
    ),
    label_header="人才基地",
)


def _mode_labels() -> list[tuple[str, str]]:
    from referrals.constants import EmploymentMode

    return [(str(value), str(label)) for value, label in EmploymentMode.choices]


def _topics() -> tuple[Topic, ...]:
    posts = [Column("岗位数", ("posts", "posts")), Column("需求人数", ("posts", "headcount"))]
    for value, label in Channel.choices:
        posts.append(Column(f"{label}岗位", ("posts", "by_channel", value, "posts"), width=12))
        posts.append(Column(f"{label}人数", ("posts", "by_channel", value, "headcount"), width=12))
    posts += [
        Column(f"{label}人数", ("posts", "by_education", value, "headcount")) for value, label in Education.choices
    ]
    hires = [Column("确认人数", ("hires", "confirmed"))]
    hires += [Column(f"{label}专项", ("hires", "by_programme", value)) for value, label in Programme.choices]
    hires += [Column(label, ("hires", "by_mode", value)) for value, label in _mode_labels()]
    # A part of 确认人数 (docs/figures.md): on the page and in the workbook, not in the one-page summary print.
    hires.append(Column("其中不公示确认人数", ("hires", "exempt"), width=18, in_district_report=False))
    publicity = [
        Column("公示中", ("publicity", "notices_open")),
        Column("本旬发布公示", ("publicity", "notices_published"), width=12),
        Column("异议提出", ("publicity", "objections", "lodged")),
        Column("异议成立", ("publicity", "objections", "upheld")),
        Column("异议不成立", ("publicity", "objections", "dismissed"), width=11),
    ]
    claims = [
        Column("申报件数", ("claims", "submitted")),
        Column("申报金额（元）", ("claims", "submitted_amount"), "amount", 15),
        Column("审核通过件数", ("claims", "approved"), width=12),
        Column("审核通过金额（元）", ("claims", "approved_amount"), "amount", 17),
        Column("发放件数", ("claims", "paid")),
        Column("发放金额（元）", ("claims", "paid_amount"), "amount", 15),
    ]
    reporting = [
        Column("岗位旬报", ("reporting", "positions"), "state", 22),
        Column("入职旬报", ("reporting", "hires"), "state", 22),
    ]
    summary = [
        posts[0],
        posts[1],
        hires[0],
        publicity[0],
        publicity[2],
        claims[1],
        claims[3],
        claims[5],
        *reporting,
    ]
    return (
        Topic("summary", "汇总", tuple(summary)),
        Topic("posts", "岗位", tuple(posts)),
        Topic("hires", "引进人才", tuple(hires)),
        Topic("publicity", "公示与异议", tuple(publicity)),
        Topic("claims", "补助", tuple(claims)),
        Topic("reporting", "报送情况", tuple(reporting)),
    )


@dataclass(frozen=True)
class Cell:
    value: int | Decimal | str
    text: str
    kind: Kind
    flagged: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    flagged: bool = False


@dataclass(frozen=True)
class Table:
    topic: Topic
    rows: list[Row]
    summary: Row


@dataclass
class RollUpTables:
    rollup: RollUp
    label: str
    district_name: str | None
    tables: list[Table] = field(default_factory=list)

    @property
    def for_district(self) -> bool:
        return self.district_name is not None

    @property
    def summary_label(self) -> str:
        return "全市平均" if self.for_district else "合计"


def _lookup(source: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = source
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _number(value: Any, kind: Kind) -> int | Decimal:
    if kind == "amount":
        return Decimal(value or "0").quantize(CENT)
    return int(value or 0)


def _text(value: int | Decimal | str) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _district_cell(row: dict[str, Any], column: Column) -> Cell:
    raw = _lookup(row, column.path)
    if column.kind == "state" and not row.get("code"):
        # The row without a district (claims of such employers, hires the talent centre audits): no district to
        # report, nothing to chase.
        return Cell("—", "—", "state")
    if column.kind == "state":
        state = raw or "missing"
        return Cell(
            REPORTING_LABELS.get(state, state), REPORTING_LABELS.get(state, state), "state", state in FLAGGED_STATES
        )
    value = _number(raw, column.kind)
    return Cell(value, _text(value), column.kind)


def _base_cell(row: dict[str, Any], column: Column) -> Cell:
    raw = _lookup(row, column.path)
    if column.kind == "text":
        return Cell(raw or "—", raw or "—", "text")
    value = _number(raw, column.kind)
    return Cell(value, _text(value), column.kind)


def _total_cell(totals: dict[str, Any], column: Column) -> Cell:
    raw = _lookup(totals, column.path)
    if column.kind == "text":
        return Cell("", "", "text")
    if column.kind == "state":
        counts = raw if isinstance(raw, dict) else {}
        text = "；".join(f"{label}{counts[state]}" for state, label in REPORTING_LABELS.items() if counts.get(state))
        return Cell(text, text, "state")
    value = _number(raw, column.kind)
    return Cell(value, _text(value), column.kind)


def _average_cell(totals: dict[str, Any], column: Column, districts: int) -> Cell:
    if column.kind == "state":
        return Cell("—", "—", "state")
    total = Decimal(_number(_lookup(totals, column.path), column.kind))
    value = (total / max(districts, 1)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Cell(value, _text(value), "amount" if column.kind == "amount" else "count")


def _own_district_code(user: User) -> str | None:
    if user.district_id is None:
        return None
    return user.district.code if user.district is not None else None


def rollup_tables(*, rollup: RollUp, user: User) -> RollUpTables:
    """The roll-up's tables as ``user`` may see them: every district and the totals for city staff; the user's own
    district and the city average for district staff (callers have checked ``portal.view_rollups``)."""
    figures = rollup.figures
    districts: list[dict[str, Any]] = figures.get("districts", [])
    totals: dict[str, Any] = figures.get("totals", {})
    # The average is over the districts; the row of employers without a district (version 2) is not one of them.
    district_count = district_count_of(rollup)
    city = is_city_staff.test(user)
    if city:
        visible = districts
        district_name = None
    else:
        code = _own_district_code(user)
        visible = [row for row in districts if code is not None and row.get("code") == code]
        district_name = visible[0]["name"] if visible else (user.district.name if user.district else "")
    result = RollUpTables(rollup=rollup, label=TenDayPeriod.parse(rollup.period).label, district_name=district_name)
    for topic in _topics():
        rows = []
        for district in visible:
            cells = [_district_cell(district, column) for column in topic.columns]
            rows.append(Row(district["name"], cells, any(cell.flagged for cell in cells)))
        if city:
            summary = Row("合计", [_total_cell(totals, column) for column in topic.columns])
        else:
            summary = Row("全市平均", [_average_cell(totals, column, district_count) for column in topic.columns])
        result.tables.append(Table(topic, rows, summary))
    bases = figures.get("bases")
    if city and bases is not None:
        # A base's figures are its employer's, across districts: the city's view only. Older revisions have none.
        result.tables.append(
            Table(
                BASES,
                [Row(row["name"], [_base_cell(row, column) for column in BASES.columns]) for row in bases["rows"]],
                Row("人才基地合计", [_total_cell(bases["totals"], column) for column in BASES.columns]),
            )
        )
    return result


def district_count_of(rollup: RollUp) -> int:
    """The districts of a stored roll-up (not the row of employers without a district)."""
    return sum(1 for row in rollup.figures.get("districts", []) if row.get("code"))


def figures_version(rollup: RollUp) -> int:
    """The shape of a stored roll-up's figures: 1 before ``rollups.tenday.FIGURES_VERSION`` was recorded."""
    return int(rollup.figures.get("version", 1))


def _title(tables: RollUpTables) -> str:
    scope = f"（{tables.district_name}）" if tables.district_name else ""
    return f"卓越工程师旬汇总{scope} {tables.label} 第{tables.rollup.revision}版"


def computed_text(rollup: RollUp) -> str:
    """When the roll-up was computed, as the pages, the PDFs and the workbooks' title lines say it (prose)."""
    return prose_datetime(rollup.computed_at)


def export_filename(rollup: RollUp, extension: str) -> str:
    return f"旬汇总-{rollup.period}-第{rollup.revision}版.{extension}"


def export_rollup_workbook(tables: RollUpTables) -> bytes:
    """The roll-up as xlsx bytes: a summary sheet and one sheet per topic, title row, frozen headers, totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from portal.workbooks import BORDER, CENTRE, header_cell, landscape_a4, set_text, title_row, workbook_bytes

    flagged_fill = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="E7E6E6")
    number_formats: dict[Kind, str] = {"count": "0", "amount": "#,##0.00", "state": "@", "text": "@"}

    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    title = _title(tables)
    subtitle = f"汇总时间：{computed_text(tables.rollup)}"
    for table in tables.tables:
        sheet = workbook.create_sheet(table.topic.title)
        width = len(table.topic.columns) + 1
        title_row(sheet, f"{title}  {subtitle}", columns=width, font=Font(size=14, bold=True), height=28)
        headers = [table.topic.label_header, *(column.header for column in table.topic.columns)]
        widths = [40.0 if table.topic is BASES else 14.0, *(column.width for column in table.topic.columns)]
        for index, (header, column_width) in enumerate(zip(headers, widths, strict=True), start=1):
            cell = sheet.cell(row=2, column=index, value=header)
            header_cell(cell)
            cell.fill = header_fill
            sheet.column_dimensions[get_column_letter(index)].width = column_width
        sheet.freeze_panes = "B3"
        rows = [*table.rows, table.summary]
        for offset, row in enumerate(rows):
            number = 3 + offset
            is_summary = row is table.summary
            label = sheet.cell(row=number, column=1)
            set_text(label, row.label)
            label.border = BORDER
            label.font = Font(bold=is_summary)
            for index, item in enumerate(row.cells, start=2):
                cell = sheet.cell(row=number, column=index)
                set_text(cell, item.value)
                # A district's average count is a fraction: shown with its two places, not rounded to 0.
                fmt = "0.00" if isinstance(item.value, Decimal) and item.kind == "count" else number_formats[item.kind]
                cell.number_format = fmt
                cell.border = BORDER
                cell.font = Font(bold=is_summary)
                if item.kind == "state":
                    cell.alignment = CENTRE
                else:
                    cell.alignment = Alignment(horizontal="left" if item.kind == "text" else "right")
                if item.flagged:
                    cell.fill = flagged_fill
        landscape_a4(sheet, title_rows="1:2")
    return workbook_bytes(workbook)


@dataclass(frozen=True)
class Comparison:
    """One figure of a district's report: its own value beside the city average, and how far it is from it."""

    header: str
    own: Cell | None
    average: Cell
    difference: str
    flagged: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Comparison]


def _difference(own: Cell | None, average: Cell) -> str:
    if own is None or own.kind == "state" or average.kind == "state":
        return "—"
    delta = (Decimal(own.value) - Decimal(average.value)).quantize(CENT)
    if delta == 0:
        return "持平"
    return f"{'+' if delta > 0 else '−'}{abs(delta):,.2f}"


def district_sections(tables: RollUpTables, totals: dict[str, Any]) -> list[Section]:
    """A district's report, topic by topic (the summary topic's figures all appear in their own topics): each figure
    of its row beside the city average. Reporting states have no average: the city's counts stand there instead."""
    sections = []
    for table in tables.tables:
        if table.topic.slug in ("summary", BASES.slug):
            continue
        own_row = table.rows[0] if table.rows else None
        lines = []
        for index, column in enumerate(table.topic.columns):
            if not column.in_district_report:
                continue
            own = own_row.cells[index] if own_row is not None else None
            average = _total_cell(totals, column) if column.kind == "state" else table.summary.cells[index]
            lines.append(
                Comparison(column.header, own, average, _difference(own, average), own is not None and own.flagged)
            )
        sections.append(Section(table.topic.title, lines))
    return sections


def export_rollup_pdf(tables: RollUpTables) -> bytes:
    """City staff: the one-page A4 landscape print of the key figures of every district (the summary table).
    District staff: their district's report on A4 portrait — title, 旬 and its dates, a section per topic with each
    figure beside the city average, when the roll-up was computed and when the report was printed."""
    from portal.pdf import render_pdf

    computed = computed_text(tables.rollup)
    if tables.for_district:
        period = TenDayPeriod.parse(tables.rollup.period)
        context: dict[str, Any] = {
            "title": f"{tables.district_name}卓越工程师工作旬报告",
            "tables": tables,
            "period": period,
            "district_count": district_count_of(tables.rollup),
            "sections": district_sections(tables, tables.rollup.figures.get("totals", {})),
            "computed_at": tables.rollup.computed_at,
            "printed_at": timezone.now(),
        }
        return render_pdf("rollups/pdf/rollup_district.html", context)
    context = {
        "title": _title(tables),
        "tables": tables,
        "table": tables.tables[0],
        # The bases' page only when there are bases: the districts' table alone stays one page.
        "bases": next((table for table in tables.tables if table.topic is BASES and table.rows), None),
        "computed": computed,
    }
    return render_pdf("rollups/pdf/rollup.html", context)
