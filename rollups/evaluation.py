"""The year-end evaluation (评估考核): every district's demand collection, numbers, structure, money and policy
delivery for one year, as a table (one row per district plus a totals row) that the page and the workbook share.

A fixed number of grouped queries whatever the data (districts, targets, posts, batches, hire reports, hires,
majors, claims, objections); the rest is arithmetic in Python.

The rules, stated on the page as well (``RULES``):
- 份额 (the district's share): the year's ``AnnualTarget`` of a programme divided equally by the number of
  submitting units (41), one decimal. There is no per-district quota in the data or the notices.
- 岗位按时报送: a closed 旬 of the year whose post batch was sent (a zero report counts) before the 旬 closed;
  the denominator is the year's 旬 closed so far (36 for a past year).
- 引进人数 and 结构: hires confirmed (已确认) for the programme year (专项年度).
- 核定金额: claims approved or paid whose re-review (复核) fell in the year; 发放金额: claims paid in the year; by the
  employer's district (an employer without a district is left out).
- 公示 / 按规定不公示: confirmed hires that went through a publicity notice, or were confirmed directly on a
  recorded exemption. No audit time is stored, so "publicity within N working days of audit" cannot be measured.
- 入职结果按时旬报: the year's closed 旬 whose hire report was not late.
- 异议: objections lodged in the year against the district's hires; 处理 = upheld or dismissed; 用时 = median days
  from lodging to resolution.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.calendar.tenday import end_of_day
from portal.constants import Education, Programme
from portal.models import AnnualTarget, District

TOP_MAJORS = 3
ONE_DECIMAL = Decimal("0.1")
ZERO_MONEY = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))

RULES: tuple[str, ...] = (
    "份额：当年各专项年度目标人数按41个区县（38个区县和3个管理区）平均分配，保留一位小数；数据中没有分区县的任务数。",
    "岗位按时报送：当年已结束的旬中，岗位旬报（含零报告）在该旬结束前报送的旬数。",
    "引进人数与结构：专项年度为当年、状态为已确认的引进人才。",
    "核定金额：当年复核核定（含已发放）的补助申报；发放金额：当年发放的补助申报；按用人单位所在区县统计。",
    "公示：经公示后确认的人数；按规定不公示：登记了不公示依据直接确认的人数（系统未记录初审时间，无法计算公示时效）。",
    "入职结果按时旬报：当年已结束的旬中，入职结果旬报未逾期报送的旬数。",
    "异议：当年受理的针对本区县人员的异议；处理含成立与不成立；用时为受理至处理的天数中位数。",
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


def column_groups() -> list[tuple[str, int]]:
    """Consecutive columns of one group as (group, span): the first header row."""
    groups: list[tuple[str, int]] = []
    for column in COLUMNS:
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
    return [
        period
        for period in TenDayPeriod.range(TenDayPeriod(year, 1, 1), TenDayPeriod(year, 12, 3))
        if period.closes_at <= now
    ]


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year in Asia/Shanghai as [start, end) instants."""
    return end_of_day(datetime.date(year - 1, 12, 31)), end_of_day(datetime.date(year, 12, 31))


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


def evaluation_table(*, year: int, now: datetime.datetime | None = None) -> list[EvaluationRow]:
    """One row per district (in the districts' order) and a last totals row, for ``year``."""
    from positions.constants import BatchStatus
    from positions.models import Position, PositionBatch
    from positions.selectors import REPORTED
    from referrals.constants import HireStatus, ObjectionStatus
    from referrals.models import Hire, HireReport, Objection
    from subsidies.constants import ClaimStatus
    from subsidies.models import Claim

    now = now or timezone.now()
    districts = list(District.objects.order_by("order", "code").values_list("pk", "name", "code"))
    rows = {pk: EvaluationRow(district=name, code=code) for pk, name, code in districts}
    shares, targets = _shares(year, len(districts))
    closed = closed_periods_of(year, now)
    closed_codes = [str(period) for period in closed]
    year_prefix = f"{year:04d}-"
    start, end = _year_bounds(year)

    def row(pk: int | None) -> EvaluationRow | None:
        return rows.get(pk) if pk is not None else None

    for entry in rows.values():
        entry.closed_periods = len(closed)
        entry.qihang_share = shares[Programme.QIHANG]
        entry.haiju_share = shares[Programme.HAIJU]

    posts = (
        Position.objects.filter(batch__period__startswith=year_prefix, status__in=REPORTED)
        .values("district_id")
        .annotate(posts=Count("pk"), headcount=Coalesce(Sum("headcount"), 0))
        .order_by()
    )
    for item in posts:
        if target := row(item["district_id"]):
            target.posts, target.headcount = item["posts"], item["headcount"]

    # Sent before its own 旬 closed: one OR-ed condition per closed 旬, so the count stays one grouped query.
    on_time = Q(pk__in=[])
    for period in closed:
        on_time |= Q(period=str(period), sent_at__lt=period.closes_at)
    batches = (
        PositionBatch.objects.filter(on_time, status=BatchStatus.SENT)
        .values("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in batches:
        if target := row(item["district_id"]):
            target.batches_on_time = item["n"]

    reports = (
        HireReport.objects.filter(period__in=closed_codes, is_late=False)
        .values("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in reports:
        if target := row(item["district_id"]):
            target.reports_on_time = item["n"]

    confirmed = Hire.objects.filter(year=year, status=HireStatus.CONFIRMED)
    hires = (
        confirmed.values("district_id", "programme", "education")
        .annotate(
            n=Count("pk"),
            publicised=Count("pk", filter=Q(notice__isnull=False)),
            exempt=Count("pk", filter=Q(notice__isnull=True) & ~Q(exemption_reason="")),
        )
        .order_by()
    )
    for item in hires:
        if (target := row(item["district_id"])) is None:
            continue
        if item["programme"] == Programme.QIHANG:
            target.qihang_hires += item["n"]
        else:
            target.haiju_hires += item["n"]
        education = {
            Education.DOCTOR: "doctor",
            Education.MASTER: "master",
            Education.BACHELOR: "bachelor",
        }.get(item["education"], "other_education")
        setattr(target, education, getattr(target, education) + item["n"])
        target.publicised += item["publicised"]
        target.exempt += item["exempt"]

    majors = confirmed.exclude(major="").values("district_id", "major").annotate(n=Count("pk")).order_by()
    for item in majors:
        if target := row(item["district_id"]):
            target.majors[item["major"].strip()] += item["n"]

    approved = Q(
        status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID], second_reviewed_at__gte=start, second_reviewed_at__lt=end
    )
    paid = Q(status=ClaimStatus.PAID, paid_on__year=year)
    money = (
        Claim.objects.filter(approved | paid, employer__district__isnull=False)
        .values(district_id=F("employer__district_id"))
        .annotate(
            approved=Coalesce(Sum("approved_total", filter=approved), ZERO_MONEY),
            paid=Coalesce(Sum("approved_total", filter=paid), ZERO_MONEY),
        )
        .order_by()
    )
    for item in money:
        if target := row(item["district_id"]):
            target.approved_amount, target.paid_amount = item["approved"], item["paid"]

    objections = Objection.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "hire__district_id", "status", "created_at", "resolved_at"
    )
    for district_id, status, lodged_at, resolved_at in objections:
        if (target := row(district_id)) is None:
            continue
        target.objections_lodged += 1
        if status == ObjectionStatus.OPEN:
            target.objections_open += 1
            continue
        target.objections_resolved += 1
        target.objections_upheld += status == ObjectionStatus.UPHELD
        if resolved_at is not None:
            target.resolution_days.append((resolved_at - lodged_at).total_seconds() / 86400)

    table = list(rows.values())
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
