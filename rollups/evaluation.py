"""The year-end evaluation (评估考核): every district's demand collection, numbers, structure, money and policy
delivery for one year, as a table (one row per district plus a totals row) that the page and the workbook share.

Every figure is one of the bureau's figures (``rollups.figures``, docs/figures.md) over the year, the ones the 旬
roll-ups and the dashboard show: a fixed number of grouped queries whatever the data (``EVALUATION_QUERIES``); the
rest is arithmetic in Python. The year runs up to now: for a year wholly closed its totals are the sum of its 36
roll-ups.

The rules, stated on the page as well (``RULES``):
- 份额 (the district's share): the year's ``AnnualTarget`` of a programme divided equally by the number of
  submitting units (41), one decimal. There is no per-district quota in the data or the notices.
- 岗位 / 需求人数: posts reported to the city in the batches of the year's 旬.
- 岗位按时报送: a closed 旬 of the year whose post batch was sent (a zero report counts) before the 旬 closed;
  the denominator is the year's 旬 closed so far (36 for a past year).
- 引进人数 and 结构: hires confirmed (已确认) in the year, by their confirmation time in Asia/Shanghai (not by their
  programme year).
- 核定金额: claims approved or paid whose re-review (复核) fell in the year; 发放金额: claims paid in the year; by the
  employer's district, claims of an employer without one in a row of their own.
- 公示 / 按规定不公示: confirmed hires that went through a publicity notice, or were confirmed directly on a
  recorded exemption. No audit time is stored, so "publicity within N working days of audit" cannot be measured.
- 入职结果按时旬报: the year's closed 旬 whose hire report was not late.
- 异议: objections lodged in the year against the district's hires; 处理 / 成立 = decided (upheld or dismissed) in
  the year; 未结 = lodged in the year, undecided at its end (or now); 用时 = median days from lodging to decision of those decided.

A second table (``evaluation_base_table``) gives the talent bases' own figures over the year, base by base, with
the bases' total: the same figures, under the same rules, of the employers that are bases (``rollups.figures``).
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils import timezone

from portal.calendar import Span, TenDayPeriod
from portal.constants import Education, Programme
from portal.models import AnnualTarget, District
from referrals.selectors import hire_majors, objection_resolution_days
from rollups.figures import (
    NO_DISTRICT_CODE,
    NO_DISTRICT_NAME,
    ON_TIME,
    Figures,
    add,
    at_end,
    base_rows,
    by_district,
    reporting,
)

TOP_MAJORS = 3
ONE_DECIMAL = Decimal("0.1")
ZERO = Decimal("0.00")
#: Queries ``evaluation_table`` makes, whatever the data: districts, targets, posts, hires (confirmed, exempted),
#: notices, objections (2), claims (3), at the year's end (2), batches and hire reports, majors, resolution times.
EVALUATION_QUERIES = 17

RULES: tuple[str, ...] = (
    "统计期：当年1月1日至当前时间（北京时间），含正在进行的旬；年度结束后，各项合计等于当年36个旬汇总之和，与统计看板一致。",
    "份额：当年各专项年度目标人数按41个区县（38个区县和3个管理区）平均分配，保留一位小数；数据中没有分区县的任务数。",
    "岗位数与需求人数：当年各旬旬报中已报送的岗位。",
    "岗位按时报送：当年已结束的旬中，岗位旬报（含零报告）在该旬结束前报送的旬数。",
    "引进人数与结构：当年确认（按确认时间）的引进人才，与其专项年度无关。",
    "核定金额：当年复核核定（含已发放）的补助申报；发放金额：当年发放的补助申报；按用人单位所在区县统计，"
    "用人单位未登记所属区县的单列为“无所属区县”，计入合计。",
    "无所属区县：所在区县尚未确定的用人单位（人才基地）的引进人才由市人才交流服务中心审核公示，其确认人数、公示、异议"
    "与补助同列于“无所属区县”一行，计入合计；该行不报送入职结果旬报。",
    "公示：经公示后确认的人数；按规定不公示：登记了不公示依据直接确认的人数（系统未记录初审时间，无法计算公示时效）。",
    "入职结果按时旬报：当年已结束的旬中，入职结果旬报未逾期报送的旬数。",
    "异议：当年受理的针对本区县人员的异议；处理与成立按当年作出处理的异议计；未结为当年受理、年末（或当前）尚未处理的异议；"
    "用时为当年处理的异议自受理至处理的天数中位数。",
    "人才基地：各基地单位当年的岗位、确认人数和补助，口径与各区县相同；同一单位入选多个批次的只计一次。",
)

Kind = Literal["text", "int", "decimal1", "percent", "money"]


@dataclass(frozen=True)
class Column:
    group: str
    header: str
    attr: str
    kind: Kind
    width: float = 10


COLUMNS: tuple[Column, ...] = (
    Column("", "区县", "district", "text", 14),
    Column("需求征集", "岗位数", "posts", "int"),
    Column("需求征集", "需求人数", "headcount", "int"),
    Column("需求征集", "按时报送旬数", "batches_on_time", "int"),
    Column("需求征集", "已结束旬数", "closed_periods", "int"),
    Column("引进数量", "启航确认人数", "qihang_hires", "int"),
    Column("引进数量", "启航份额", "qihang_share", "decimal1"),
    Column("引进数量", "海聚确认人数", "haiju_hires", "int"),
    Column("引进数量", "海聚份额", "haiju_share", "decimal1"),
    Column("引进数量", "完成率", "completion", "percent"),
    Column("结构", "博士", "doctor", "int", 7),
    Column("结构", "硕士", "master", "int", 7),
    Column("结构", "本科", "bachelor", "int", 7),
    Column("结构", "其他", "other_education", "int", 7),
    Column("结构", "主要专业", "top_majors", "text", 28),
    Column("结构", "启航占比", "qihang_ratio", "percent"),
    Column("资金", "核定金额（元）", "approved_amount", "money", 14),
    Column("资金", "发放金额（元）", "paid_amount", "money", 14),
    Column("政策落实", "公示人数", "publicised", "int"),
    Column("政策落实", "按规定不公示人数", "exempt", "int"),
    Column("政策落实", "入职结果按时旬报数", "reports_on_time", "int"),
    Column("政策落实", "异议受理", "objections_lodged", "int"),
    Column("政策落实", "异议处理", "objections_resolved", "int"),
    Column("政策落实", "其中成立", "objections_upheld", "int"),
    Column("政策落实", "异议未结", "objections_open", "int"),
    Column("政策落实", "处理用时中位数（天）", "median_days", "decimal1", 12),
)


#: The talent bases' table: one row per base, then the bases' total.
BASE_COLUMNS: tuple[Column, ...] = (
    Column("", "人才基地", "name", "text", 36),
    Column("", "入选批次", "batches", "text", 28),
    Column("", "所在区县", "district", "text", 12),
    Column("需求征集", "岗位数", "posts", "int"),
    Column("需求征集", "需求人数", "headcount", "int"),
    Column("引进数量", "启航确认人数", "qihang_hires", "int"),
    Column("引进数量", "海聚确认人数", "haiju_hires", "int"),
    Column("引进数量", "确认人数合计", "hires", "int"),
    Column("资金", "申报金额（元）", "submitted_amount", "money", 14),
    Column("资金", "核定金额（元）", "approved_amount", "money", 14),
    Column("资金", "发放金额（元）", "paid_amount", "money", 14),
)
#: Queries ``evaluation_base_table`` makes, whatever the data: the base list, posts, hires, claims (3).
BASE_EVALUATION_QUERIES = 6


def column_groups(columns: tuple[Column, ...] = COLUMNS) -> list[tuple[str, int]]:
    """Consecutive columns of one group as (group, span): the first header row."""
    groups: list[tuple[str, int]] = []
    for column in columns:
        if groups and groups[-1][0] == column.group and column.group:
            groups[-1] = (column.group, groups[-1][1] + 1)
        else:
            groups.append((column.group, 1))
    return groups


@dataclass
class EvaluationRow:
    district: str
    code: str = ""
    is_total: bool = False
    posts: int = 0
    headcount: int = 0
    batches_on_time: int = 0
    closed_periods: int = 0
    qihang_hires: int = 0
    qihang_share: Decimal | None = None
    haiju_hires: int = 0
    haiju_share: Decimal | None = None
    doctor: int = 0
    master: int = 0
    bachelor: int = 0
    other_education: int = 0
    approved_amount: Decimal = Decimal("0.00")
    paid_amount: Decimal = Decimal("0.00")
    publicised: int = 0
    exempt: int = 0
    reports_on_time: int = 0
    objections_lodged: int = 0
    objections_resolved: int = 0
    objections_upheld: int = 0
    objections_open: int = 0
    majors: Counter[str] = field(default_factory=Counter)
    resolution_days: list[float] = field(default_factory=list)

    @property
    def hires(self) -> int:
        return self.qihang_hires + self.haiju_hires

    @property
    def completion(self) -> Decimal | None:
        """Confirmed hires against the district's share of both programmes, in percent; none without a target."""
        share = (self.qihang_share or 0) + (self.haiju_share or 0)
        if not share:
            return None
        return _percent(self.hires, Decimal(share))

    @property
    def qihang_ratio(self) -> Decimal | None:
        return _percent(self.qihang_hires, Decimal(self.hires)) if self.hires else None

    @property
    def top_majors(self) -> str:
        # Ties go to the major that sorts first, so the same data always gives the same text.
        ranked = sorted(self.majors.items(), key=lambda item: (-item[1], item[0]))[:TOP_MAJORS]
        return "、".join(f"{major}（{count}）" for major, count in ranked)

    @property
    def median_days(self) -> Decimal | None:
        if not self.resolution_days:
            return None
        return Decimal(str(statistics.median(self.resolution_days))).quantize(ONE_DECIMAL, ROUND_HALF_UP)

    def values(self) -> list[object]:
        return [getattr(self, column.attr) for column in COLUMNS]


#: Counted fields that the totals row sums.
_SUMMED = (
    "posts",
    "headcount",
    "batches_on_time",
    "qihang_hires",
    "haiju_hires",
    "doctor",
    "master",
    "bachelor",
    "other_education",
    "approved_amount",
    "paid_amount",
    "publicised",
    "exempt",
    "reports_on_time",
    "objections_lodged",
    "objections_resolved",
    "objections_upheld",
    "objections_open",
)


def _percent(part: int, whole: Decimal) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def closed_periods_of(year: int, now: datetime.datetime) -> list[TenDayPeriod]:
    """The year's 旬 that have closed by ``now`` (all 36 for a past year, none for a future one)."""
    return Span.of_year(year).closed_by(now)


def _shares(year: int, districts: int) -> tuple[dict[str, Decimal | None], dict[str, int]]:
    """Each programme's equal share per district, and the targets themselves."""
    targets: dict[str, int] = dict(AnnualTarget.objects.filter(year=year).values_list("programme", "target"))
    return {
        programme: (
            (Decimal(targets[programme]) / districts).quantize(ONE_DECIMAL, ROUND_HALF_UP)
            if programme in targets and districts
            else None
        )
        for programme in Programme.values
    }, targets


_EDUCATION_COLUMNS = {Education.DOCTOR: "doctor", Education.MASTER: "master", Education.BACHELOR: "bachelor"}


def _row(name: str, code: str, figures: Figures) -> EvaluationRow:
    """A district's row from its figures over the year (``rollups.figures``)."""
    posts, hires = figures.get("posts", {}), figures.get("hires", {})
    publicity, claims = figures.get("publicity", {}), figures.get("claims", {})
    objections = publicity.get("objections", {})
    row = EvaluationRow(
        district=name,
        code=code,
        posts=posts.get("posts", 0),
        headcount=posts.get("headcount", 0),
        qihang_hires=hires.get("by_programme", {}).get(Programme.QIHANG, 0),
        haiju_hires=hires.get("by_programme", {}).get(Programme.HAIJU, 0),
        approved_amount=Decimal(claims.get("approved_amount", ZERO)),
        paid_amount=Decimal(claims.get("paid_amount", ZERO)),
        publicised=hires.get("publicised", 0),
        exempt=hires.get("exempt", 0),
        objections_lodged=objections.get("lodged", 0),
        objections_resolved=objections.get("upheld", 0) + objections.get("dismissed", 0),
        objections_upheld=objections.get("upheld", 0),
        objections_open=publicity.get("objections_open", 0),
    )
    for education, n in hires.get("by_education", {}).items():
        column = _EDUCATION_COLUMNS.get(education, "other_education")
        setattr(row, column, getattr(row, column) + n)
    return row


def evaluation_table(*, year: int, now: datetime.datetime | None = None) -> list[EvaluationRow]:
    """One row per district (in the districts' order), a row of employers without a district when there is anything
    to show in it, and a last totals row, for ``year`` up to ``now``: the year's figures of ``rollups.figures``
    (the same the 旬 roll-ups and the dashboard show), and the reporting of the year's closed 旬."""
    now = now or timezone.now()
    span = Span.of_year(year)
    districts = list(District.objects.order_by("order", "code").values_list("code", "name"))
    shares, targets = _shares(year, len(districts))
    closed = span.closed_by(now)
    counted = by_district(span=span)
    for key, figures in at_end(span=span).items():
        add(counted.setdefault(key, {}), figures)
    states = reporting(span=span, districts=[code for code, _ in districts])
    majors = hire_majors(span=span)
    resolution_days = objection_resolution_days(span=span)

    table = []
    for code, name in districts:
        row = _row(name, code, counted.get(code, {}))
        row.closed_periods = len(closed)
        row.qihang_share, row.haiju_share = shares[Programme.QIHANG], shares[Programme.HAIJU]
        row.batches_on_time = sum(states[code, period]["positions"] in ON_TIME for period in closed)
        row.reports_on_time = sum(states[code, period]["hires"] in ON_TIME for period in closed)
        row.majors.update(majors.get(code, {}))
        row.resolution_days = resolution_days.get(code, [])
        table.append(row)
    no_district = _row(NO_DISTRICT_NAME, NO_DISTRICT_CODE, counted.get(None, {}))
    # Its hires (audited and publicised by the talent centre) have majors and objections like a district's.
    no_district.majors.update(majors.get(None, {}))
    no_district.resolution_days = resolution_days.get(None, [])
    if any(getattr(no_district, name) for name in _SUMMED):
        # Records of an employer without a district: shown, and in the totals, never dropped. Only what the table
        # shows decides: claims merely submitted in the year are not a column, so they alone add no empty row.
        table.append(no_district)
    table.append(_totals(table, targets))
    return table


def _totals(rows: list[EvaluationRow], targets: dict[str, int]) -> EvaluationRow:
    """The city's row: counts and money summed; the shares are the targets themselves (the sum before rounding)."""
    total = EvaluationRow(district="合计", is_total=True)
    for name in _SUMMED:
        setattr(total, name, sum((getattr(row, name) for row in rows), start=getattr(total, name)))
    # The same number of closed 旬 for every district: the city's row shows it, not 41 times it.
    total.closed_periods = max((row.closed_periods for row in rows), default=0)
    for row in rows:
        total.majors.update(row.majors)
        total.resolution_days.extend(row.resolution_days)
    qihang, haiju = targets.get(Programme.QIHANG), targets.get(Programme.HAIJU)
    total.qihang_share = Decimal(qihang).quantize(ONE_DECIMAL) if qihang is not None else None
    total.haiju_share = Decimal(haiju).quantize(ONE_DECIMAL) if haiju is not None else None
    return total


@dataclass
class BaseEvaluationRow:
    name: str
    batches: str = ""
    district: str = ""
    is_total: bool = False
    posts: int = 0
    headcount: int = 0
    qihang_hires: int = 0
    haiju_hires: int = 0
    submitted_amount: Decimal = ZERO
    approved_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO

    @property
    def hires(self) -> int:
        return self.qihang_hires + self.haiju_hires

    def values(self) -> list[object]:
        return [getattr(self, column.attr) for column in BASE_COLUMNS]


def _base_row(name: str, batches: str, district: str, figures: Figures, *, is_total: bool = False) -> BaseEvaluationRow:
    posts, hires, claims = figures.get("posts", {}), figures.get("hires", {}), figures.get("claims", {})
    by_programme = hires.get("by_programme", {})
    return BaseEvaluationRow(
        name=name,
        batches=batches,
        district=district,
        is_total=is_total,
        posts=posts.get("posts", 0),
        headcount=posts.get("headcount", 0),
        qihang_hires=by_programme.get(Programme.QIHANG, 0),
        haiju_hires=by_programme.get(Programme.HAIJU, 0),
        submitted_amount=Decimal(claims.get("submitted_amount", ZERO)),
        approved_amount=Decimal(claims.get("approved_amount", ZERO)),
        paid_amount=Decimal(claims.get("paid_amount", ZERO)),
    )


def evaluation_base_table(*, year: int) -> list[BaseEvaluationRow]:
    """Every talent base of the list with its figures over ``year`` (up to now), and a last row with the bases'
    total: ``BASE_EVALUATION_QUERIES`` queries."""
    rows, totals = base_rows(span=Span.of_year(year))
    table = [_base_row(base.name, base.batches, base.district, figures) for base, figures in rows]
    table.append(_base_row("人才基地合计", "", "", totals, is_total=True))
    return table
