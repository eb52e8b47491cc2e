"""The city dashboard (统计看板) for the talent centre and the bureau: the year's progress, districts, channels, money
and the review queues.

Every figure is one of the bureau's figures (``rollups.figures``, docs/figures.md) over the year, the same selectors
the 旬 roll-ups and the evaluation call; grouped aggregate queries, a fixed number of them whatever the amount of data
(``DASHBOARD_QUERIES``); Python only arranges the few grouped rows. Each chart has one table
(``dashboard_tables``) that the page shows beside it and the CSV download writes, so the three never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, F, Min, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from portal.calendar import Span, TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.constants import Channel, Programme
from portal.models import AnnualTarget, District
from positions.constants import PositionStatus
from positions.models import Position
from referrals.constants import HireStatus
from referrals.models import Hire
from rollups.figures import NO_DISTRICT_NAME, Figures, add, base_rows, by_period_and_district
from subsidies.constants import ClaimStatus
from subsidies.models import Claim

#: The charts, in page order, with their titles: also the names the CSV download accepts.
CHARTS: dict[str, str] = {
    "progress": "年度目标完成进度（按旬累计确认人数）",
    "districts": "各区县确认人数排名",
    "channels": "各渠道确认人数",
    "subsidies": "引才补助金额（按月）",
    "bases": "人才基地确认人数及补助（有数据的基地）",
    "queues": "各审核环节待办及等待时长",
}

#: Where a record waits, per review step: (area, model, status, step label). Positions and hires record no
#: "arrived here" time, so their wait counts from their last change (``updated_at``); claims keep ``status_since``.
QUEUE_STEPS: tuple[tuple[str, str, str], ...] = (
    ("岗位", PositionStatus.SUBMITTED, "区县初审（待初审）"),
    ("岗位", PositionStatus.SENT, "市人才中心汇总（已报送）"),
    ("岗位", PositionStatus.AGGREGATED, "市人社局复核（已汇总待复核）"),
    ("引进人才", HireStatus.RECORDED, "区县审核（待初审）"),
    ("引进人才", HireStatus.AUDITED, "待公示（初审通过）"),
    ("补助申报", ClaimStatus.SUBMITTED, "市人才中心初审（待初审）"),
    ("补助申报", ClaimStatus.FIRST_PASSED, "市人社局复核（待复核）"),
    ("补助申报", ClaimStatus.APPROVED, "拨付（已核定待发放）"),
)

#: Queries ``dashboard_data`` makes, whatever the data: targets, hires confirmed (``hires_confirmed``) and exempted
#: from publicity (``hires_exempted``), claims submitted / approved / paid (``claims_counted``), districts, the bases'
#: figures (``base_rows``: the list, posts, hires, claims at three steps), three queue queries.
DASHBOARD_QUERIES = 16

ZERO = Decimal("0.00")


class ProgressData(TypedDict):
    periods: list[str]
    labels: list[str]
    qihang: list[int | None]
    haiju: list[int | None]
    qihang_target: list[int] | None
    haiju_target: list[int] | None


class CountRow(TypedDict):
    name: str
    qihang: int
    haiju: int
    total: int


class MoneyRow(TypedDict):
    month: str
    asked: str
    approved: str
    paid: str


class BaseRow(TypedDict):
    name: str
    batches: str
    posts: int
    headcount: int
    qihang: int
    haiju: int
    total: int
    asked: str
    approved: str
    paid: str


class QueueRow(TypedDict):
    area: str
    step: str
    count: int
    oldest_days: float | None
    median_days: float | None


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]
    #: How many leading columns name the row (旬, rank and district, area and step): shown as text, the rest as figures.
    label_columns: int = 1


def _money(value: Decimal | None) -> str:
    """Decimal yuan as the JSON carries it: a string with two places, never a float."""
    return str((value or ZERO).quantize(Decimal("0.01")))


def _days(since: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return None if since is None else round(max((now - since).total_seconds(), 0) / 86400, 1)


def _queue(queryset: QuerySet[Any], since: str, statuses: list[str]) -> dict[str, tuple[int, Any, Any]]:
    """Per status: (count waiting, oldest arrival, median arrival), in one query of at most one row per status.

    The median is the lower middle row of each status ordered by arrival (a window's row number against its
    count), which every backend computes without a percentile function."""
    rows = (
        queryset.filter(status__in=statuses)
        .annotate(
            position_in_queue=Window(RowNumber(), partition_by=[F("status")], order_by=[F(since).asc(), F("pk").asc()]),
            waiting=Window(Count("pk"), partition_by=[F("status")]),
            oldest=Window(Min(since), partition_by=[F("status")]),
        )
        .filter(position_in_queue=(F("waiting") + 1) / 2)
        .values_list("status", "waiting", "oldest", since)
    )
    return {status: (waiting, oldest, median) for status, waiting, oldest, median in rows}


def _cumulative(per_period: list[int], last_index: int) -> list[int | None]:
    """Running totals, blank after the running 旬 (the future has no figure yet)."""
    out: list[int | None] = []
    total = 0
    for index, count in enumerate(per_period):
        total += count
        out.append(total if index <= last_index else None)
    return out


def _queue_rows(now: datetime.datetime) -> list[QueueRow]:
    """Each review step's queue as it stands at ``now``: three queries, one per area."""
    waiting: dict[str, dict[str, tuple[int, Any, Any]]] = {
        "岗位": _queue(Position.objects.all(), "updated_at", [s for a, s, _ in QUEUE_STEPS if a == "岗位"]),
        "引进人才": _queue(Hire.objects.all(), "updated_at", [s for a, s, _ in QUEUE_STEPS if a == "引进人才"]),
        "补助申报": _queue(Claim.objects.all(), "status_since", [s for a, s, _ in QUEUE_STEPS if a == "补助申报"]),
    }
    queues: list[QueueRow] = []
    for area, status, label in QUEUE_STEPS:
        count, oldest, median = waiting[area].get(status, (0, None, None))
        queues.append(
            {
                "area": area,
                "step": label,
                "count": count,
                "oldest_days": _days(oldest, now),
                "median_days": _days(median, now),
            }
        )
    return queues


def _counts(by_programme: dict[str, int], name: str) -> CountRow:
    qihang, haiju = by_programme.get(Programme.QIHANG, 0), by_programme.get(Programme.HAIJU, 0)
    return {"name": name, "qihang": qihang, "haiju": haiju, "total": qihang + haiju}


def dashboard_data(*, year: int, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows for ``year``, JSON-ready (amounts as 2-place strings).

    The year runs up to ``now`` (the running 旬 included): its hires and money are the figures of
    ``rollups.figures`` over the year, split by 旬 and district, so each closed 旬 shows what its roll-up shows and
    a year wholly closed totals what its 36 roll-ups add up to (docs/figures.md, "Where each report's year ends")."""
    now = now or timezone.now()
    span = Span.of_year(year)

    # 1. Targets of every year (a handful of rows): this year's figures and the years the selector offers.
    # Each target beside where it comes from: a document, or the admin (docs/figures.md, "Where the caps and targets
    # come from").
    targets_by_year: dict[int, dict[str, int]] = {}
    target_notes: dict[str, str] = {}
    for row in AnnualTarget.objects.only("year", "programme", "target", "approximate", "source", "policy_reference"):
        targets_by_year.setdefault(row.year, {})[row.programme] = row.target
        if row.year == year:
            target_notes[row.programme] = f"{row.figure}，{row.source_note}"
    targets = targets_by_year.get(year, {})
    today = timezone.localdate(now, timezone=SHANGHAI)
    years = sorted(set(targets_by_year) | {today.year, year}, reverse=True)

    # 2–5. Hires confirmed and claims' money of the year, per 旬 and district: one hire query, three claim queries.
    periods = span.periods
    index_of = {period: n for n, period in enumerate(periods)}
    per_period: dict[str, list[int]] = {p.value: [0] * len(periods) for p in Programme}
    per_district: dict[str | None, dict[str, int]] = {}
    per_channel: dict[str, dict[str, int]] = {}
    money: dict[int, Figures] = {}
    for (period, district), figures in by_period_and_district(span=span, topics=("hires", "claims")).items():
        hires = figures.get("hires", {})
        for programme, n in hires.get("by_programme", {}).items():
            per_period.setdefault(programme, [0] * len(periods))[index_of[period]] += n
        add(per_district.setdefault(district, {}), hires.get("by_programme", {}))
        add(per_channel, hires.get("by_channel", {}))
        add(money.setdefault(period.month, {}), figures.get("claims", {}))
    last_index = (
        len(periods) - 1 if today.year > year else (-1 if today.year < year else index_of[TenDayPeriod.of(today)])
    )

    def pace(target: int | None) -> list[int] | None:
        # The even pace: the target spread over the year's 36 旬, rounded to whole people.
        return None if target is None else [round(target * (n + 1) / len(periods)) for n in range(len(periods))]

    progress: ProgressData = {
        "periods": [str(p) for p in periods],
        "labels": [f"{p.month}月{('上旬', '中旬', '下旬')[p.index - 1]}" for p in periods],
        "qihang": _cumulative(per_period[Programme.QIHANG], last_index),
        "haiju": _cumulative(per_period[Programme.HAIJU], last_index),
        "qihang_target": pace(targets.get(Programme.QIHANG)),
        "haiju_target": pace(targets.get(Programme.HAIJU)),
    }

    # 6. Every district (a ranking shows the ones with none too), then any count without a district.
    districts = [
        _counts(per_district.get(code, {}), name)
        for code, name in District.objects.order_by("order", "code").values_list("code", "name")
    ]
    if per_district.get(None):
        districts.append(_counts(per_district[None], NO_DISTRICT_NAME))
    # Stable sort: equal totals keep the districts' official order.
    districts.sort(key=lambda row: -row["total"])
    channels = [_counts(per_channel.get(channel, {}), str(channel.label)) for channel in Channel]

    # Money by month: asked when first submitted, approved when re-reviewed, paid on the payment date.
    def month_total(month: int, key: str) -> Decimal:
        return Decimal(money.get(month, {}).get(key, ZERO))

    subsidies: list[MoneyRow] = [
        {
            "month": f"{month}月",
            "asked": _money(month_total(month, "submitted_amount")),
            "approved": _money(month_total(month, "approved_amount")),
            "paid": _money(month_total(month, "paid_amount")),
        }
        for month in range(1, 13)
    ]
    subsidy_totals = {
        key: _money(sum((month_total(month, f"{step}_amount") for month in range(1, 13)), ZERO))
        for key, step in (("asked", "submitted"), ("approved", "approved"), ("paid", "paid"))
    }

    # 7–12. The talent bases' own figures of the year: the bases with any, most hires first, and the bases' total.
    rows, base_totals = base_rows(span=span)
    bases = [_base_row(base.name, base.batches, figures) for base, figures in rows if figures]
    bases.sort(key=lambda row: -row["total"])

    # 13–15. The queues as they stand now (not confined to the year: a queue has no year).
    queues = _queue_rows(now)

    totals = {
        Programme.QIHANG.value: sum(per_period[Programme.QIHANG]),
        Programme.HAIJU.value: sum(per_period[Programme.HAIJU]),
    }
    return {
        "year": year,
        "years": years,
        "targets": {p.value: targets.get(p) for p in Programme},
        "target_notes": {p.value: target_notes.get(p, "") for p in Programme},
        "totals": totals,
        "progress": progress,
        "districts": districts,
        "channels": channels,
        "subsidies": subsidies,
        "subsidy_totals": subsidy_totals,
        "bases": bases,
        "base_totals": _base_row("人才基地合计", "", base_totals),
        "queues": queues,
    }


def _base_row(name: str, batches: str, figures: Figures) -> BaseRow:
    posts, hires, claims = figures.get("posts", {}), figures.get("hires", {}), figures.get("claims", {})
    by_programme = hires.get("by_programme", {})
    return {
        "name": name,
        "batches": batches,
        "posts": posts.get("posts", 0),
        "headcount": posts.get("headcount", 0),
        "qihang": by_programme.get(Programme.QIHANG, 0),
        "haiju": by_programme.get(Programme.HAIJU, 0),
        "total": hires.get("confirmed", 0),
        "asked": _money(claims.get("submitted_amount")),
        "approved": _money(claims.get("approved_amount")),
        "paid": _money(claims.get("paid_amount")),
    }


def empty_charts(data: dict[str, Any]) -> frozenset[str]:
    """The charts of ``data`` with nothing to draw: the page shows 暂无数据 in their place, not bare axes.

    The progress chart is empty with no hire in the year and no target to pace it; the rankings when every district
    and channel counts none; the money when no amount was asked, approved or paid; the bases when no base has a
    figure; the queues when nothing waits at any step.
    """
    progress: ProgressData = data["progress"]
    empty = set()
    if not any(progress["qihang"]) and not any(progress["haiju"]) and not any(data["targets"].values()):
        empty.add("progress")
    if not any(row["total"] for row in data["districts"]):
        empty.add("districts")
    if not any(row["total"] for row in data["channels"]):
        empty.add("channels")
    if not any(Decimal(amount) for amount in data["subsidy_totals"].values()):
        empty.add("subsidies")
    if not data["bases"]:
        empty.add("bases")
    if not any(row["count"] for row in data["queues"]):
        empty.add("queues")
    return frozenset(empty)


def _dash(value: object) -> object:
    return "—" if value is None else value


def dashboard_tables(data: dict[str, Any]) -> dict[str, Table]:
    """The table of each chart: shown beside it on the page and written by its CSV download."""
    progress: ProgressData = data["progress"]
    targets = data["targets"]
    progress_rows = [
        [
            progress["labels"][n],
            _dash(progress["qihang"][n]),
            _dash(progress["qihang_target"][n] if progress["qihang_target"] else None),
            _dash(progress["haiju"][n]),
            _dash(progress["haiju_target"][n] if progress["haiju_target"] else None),
        ]
        for n in range(len(progress["periods"]))
    ]
    return {
        "progress": Table(
            CHARTS["progress"],
            [
                "旬",
                "启航累计确认人数",
                f"启航目标均衡进度（全年{targets['qihang']}人）" if targets["qihang"] else "启航目标（未设置目标）",
                "海聚累计确认人数",
                f"海聚目标均衡进度（全年{targets['haiju']}人）" if targets["haiju"] else "海聚目标（未设置目标）",
            ],
            progress_rows,
        ),
        "districts": Table(
            CHARTS["districts"],
            ["排名", "区县", "启航", "海聚", "合计"],
            [[n, r["name"], r["qihang"], r["haiju"], r["total"]] for n, r in enumerate(data["districts"], start=1)],
            label_columns=2,
        ),
        "channels": Table(
            CHARTS["channels"],
            ["渠道", "启航", "海聚", "合计"],
            [[r["name"], r["qihang"], r["haiju"], r["total"]] for r in data["channels"]],
        ),
        "subsidies": Table(
            CHARTS["subsidies"],
            ["月份", "申报金额（元）", "核定金额（元）", "发放金额（元）"],
            [[r["month"], r["asked"], r["approved"], r["paid"]] for r in data["subsidies"]]
            + [
                [
                    "合计",
                    data["subsidy_totals"]["asked"],
                    data["subsidy_totals"]["approved"],
                    data["subsidy_totals"]["paid"],
                ]
            ],
        ),
        "bases": Table(
            CHARTS["bases"],
            [
                "人才基地",
                "岗位数",
                "需求人数",
                "启航",
                "海聚",
                "确认人数",
                "申报金额（元）",
                "核定金额（元）",
                "发放金额（元）",
            ],
            [
                [
                    r["name"],
                    r["posts"],
                    r["headcount"],
                    r["qihang"],
                    r["haiju"],
                    r["total"],
                    r["asked"],
                    r["approved"],
                    r["paid"],
                ]
                for r in [*data["bases"], data["base_totals"]]
            ],
        ),
        "queues": Table(
            CHARTS["queues"],
            ["事项", "审核环节", "待办数", "最长等待（天）", "等待中位数（天）"],
            [
                [r["area"], r["step"], r["count"], _dash(r["oldest_days"]), _dash(r["median_days"])]
                for r in data["queues"]
            ],
            label_columns=2,
        ),
    }


__all__ = ["CHARTS", "DASHBOARD_QUERIES", "Table", "dashboard_data", "dashboard_tables", "empty_charts"]
