"""The 旬 roll-up: every district's figures for one 旬, computed in the database (grouped aggregates, a fixed number
of queries whatever the data), stored as one revision of ``RollUp``.

Reliable by construction:
- one transaction per run, so a worker killed halfway leaves nothing (the next run does the whole 旬 again);
- a run whose figures equal the current revision's writes nothing; changed figures add a revision and keep the old;
- ``rollup_catch_up`` runs every closed 旬 since the last one rolled up, so a broker outage loses no 旬.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from portal.calendar import TenDayPeriod
from portal.calendar.tenday import end_of_day
from portal.models import District
from rollups.models import RollUp

F_CODE = "district__code"
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def _range(period: TenDayPeriod) -> tuple[datetime.datetime, datetime.datetime]:
    return end_of_day(period.first_day - datetime.timedelta(days=1)), period.closes_at


def _grouped(rows: Iterable[dict[str, Any]], key: str = "code") -> dict[str, dict[str, Any]]:
    return {row.pop(key): row for row in rows}


def _posts(period: TenDayPeriod) -> dict[str, dict[str, Any]]:
    from positions.models import Position
    from positions.selectors import REPORTED

    posts = Position.objects.filter(batch__period=str(period), status__in=REPORTED)
    by_district = _grouped(
        posts.values(code=F(F_CODE)).annotate(posts=Count("pk"), headcount=Coalesce(Sum("headcount"), 0)).order_by()
    )
    for field in ("channel", "education"):
        for row in posts.values(F_CODE, field).annotate(n=Count("pk"), h=Sum("headcount")).order_by():
            entry = by_district.setdefault(row[F_CODE], {"posts": 0, "headcount": 0})
            entry.setdefault(f"by_{field}", {})[row[field]] = {"posts": row["n"], "headcount": row["h"]}
    return by_district


def _hires(period: TenDayPeriod) -> dict[str, dict[str, Any]]:
    from referrals.constants import HireStatus
    from referrals.models import Hire

    start, end = _range(period)
    confirmed = Hire.objects.filter(status=HireStatus.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end)
    result: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in confirmed.values(F_CODE, "programme", "mode").annotate(n=Count("pk")).order_by():
        entry = result[row[F_CODE]]
        entry["confirmed"] = entry.get("confirmed", 0) + row["n"]
        entry.setdefault("by_programme", {}).setdefault(row["programme"], 0)
        entry["by_programme"][row["programme"]] += row["n"]
        entry.setdefault("by_mode", {}).setdefault(row["mode"], 0)
        entry["by_mode"][row["mode"]] += row["n"]
    return result


def _publicity(period: TenDayPeriod) -> dict[str, dict[str, Any]]:
    from referrals.models import Objection, PublicityNotice

    start, end = _range(period)
    open_at_close = PublicityNotice.objects.filter(published_on__lte=period.last_day, closes_at__gt=end)
    result: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in open_at_close.values(F_CODE).annotate(n=Count("pk")).order_by():
        result[row[F_CODE]]["notices_open"] = row["n"]
    published = PublicityNotice.objects.filter(published_on__gte=period.first_day, published_on__lte=period.last_day)
    for row in published.values(F_CODE).annotate(n=Count("pk")).order_by():
        result[row[F_CODE]]["notices_published"] = row["n"]
    objections = (
        Objection.objects.values(code=F("hire__district__code"))
        .annotate(
            lodged=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
            upheld=Count("pk", filter=Q(status="upheld", resolved_at__gte=start, resolved_at__lt=end)),
            dismissed=Count("pk", filter=Q(status="dismissed", resolved_at__gte=start, resolved_at__lt=end)),
        )
        .order_by()
    )
    for row in objections:
        code = row.pop("code")
        if any(row.values()):
            result[code]["objections"] = row
    return result


def _claims(period: TenDayPeriod) -> dict[str, dict[str, Any]]:
    from subsidies.constants import ClaimStatus
    from subsidies.models import Claim

    start, end = _range(period)
    submitted = Q(submitted_at__gte=start, submitted_at__lt=end)
    approved = Q(
        status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID], second_reviewed_at__gte=start, second_reviewed_at__lt=end
    )
    paid = Q(status=ClaimStatus.PAID, paid_on__gte=period.first_day, paid_on__lte=period.last_day)
    rows = (
        Claim.objects.values(code=F("employer__district__code"))
        .annotate(
            submitted=Count("pk", filter=submitted),
            submitted_amount=Coalesce(Sum("requested_total", filter=submitted), ZERO),
            approved=Count("pk", filter=approved),
            approved_amount=Coalesce(Sum("approved_total", filter=approved), ZERO),
            paid=Count("pk", filter=paid),
            paid_amount=Coalesce(Sum("approved_total", filter=paid), ZERO),
        )
        .order_by()
    )
    result: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = row.pop("code")
        if code and (row["submitted"] or row["approved"] or row["paid"]):
            result[code] = {
                key: (f"{value:.2f}" if isinstance(value, Decimal) else value) for key, value in row.items()
            }
    return result


def _reporting(period: TenDayPeriod) -> dict[str, dict[str, str]]:
    from positions.constants import BatchStatus
    from positions.models import PositionBatch
    from referrals.models import HireReport

    result: dict[str, dict[str, str]] = defaultdict(dict)
    for batch in PositionBatch.objects.filter(period=str(period)).values(F_CODE, "status", "is_zero_report"):
        if batch["status"] == BatchStatus.SENT:
            result[batch[F_CODE]]["positions"] = "zero" if batch["is_zero_report"] else "sent"
    for report in HireReport.objects.filter(period=str(period)).values(F_CODE, "is_late").annotate(n=Count("hires")):
        result[report[F_CODE]]["hires"] = "late" if report["is_late"] else ("sent" if report["n"] else "zero")
    return result


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        elif isinstance(value, int):
            total[key] = total.get(key, 0) + value
        elif isinstance(value, str) and value.replace(".", "", 1).isdigit():
            total[key] = f"{Decimal(total.get(key, '0')) + Decimal(value):.2f}"


def compute_figures(period: TenDayPeriod) -> dict[str, Any]:
    """Every district's figures for ``period`` and the city's totals (a fixed number of grouped queries)."""
    topics = {
        "posts": _posts(period),
        "hires": _hires(period),
        "publicity": _publicity(period),
        "claims": _claims(period),
    }
    reporting = _reporting(period)
    districts = []
    totals: dict[str, Any] = {}
    counts: dict[str, defaultdict[str, int]] = {"positions": defaultdict(int), "hires": defaultdict(int)}
    for district in District.objects.order_by("order", "code").values("code", "name"):
        row: dict[str, Any] = {"code": district["code"], "name": district["name"]}
        for topic, figures in topics.items():
            row[topic] = figures.get(district["code"], {})
            _add(totals.setdefault(topic, {}), row[topic])
        row["reporting"] = {
            "positions": reporting.get(district["code"], {}).get("positions", "missing"),
            "hires": reporting.get(district["code"], {}).get("hires", "missing"),
        }
        for kind in ("positions", "hires"):
            counts[kind][row["reporting"][kind]] += 1
        districts.append(row)
    totals["reporting"] = {kind: dict(sorted(states.items())) for kind, states in counts.items()}
    return {"period": str(period), "districts": districts, "totals": totals}


def _fingerprint(figures: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def rollup_run(*, period: TenDayPeriod) -> tuple[RollUp, bool]:
    """Roll ``period`` up. Returns the current revision and whether this run wrote it (False: unchanged)."""
    figures = compute_figures(period)
    fingerprint = _fingerprint(figures)
    try:
        with transaction.atomic():
            current = RollUp.objects.select_for_update().filter(period=str(period), is_current=True).first()
            if current is not None and current.fingerprint == fingerprint:
                return current, False
            revision = 1
            if current is not None:
                revision = current.revision + 1
                current.is_current = False
                current.save(update_fields=["is_current"])
            created = RollUp.objects.create(
                period=str(period), revision=revision, figures=figures, fingerprint=fingerprint, is_current=True
            )
            return created, True
    except IntegrityError:
        # Another worker rolled the same 旬 up at the same moment: its revision stands.
        return RollUp.objects.get(period=str(period), is_current=True), False


def rollup_catch_up(*, now: datetime.datetime | None = None, first: TenDayPeriod | None = None) -> list[str]:
    """Roll up every closed 旬 from the last rolled-up one (or ``first``, or the year's first 旬) to the latest closed
    one. Returns the periods run (each either written as a revision or found unchanged)."""
    latest_closed = TenDayPeriod.last_closed(now)
    last = RollUp.objects.order_by("-period").values_list("period", flat=True).first()
    if first is None:
        # The last rolled-up 旬 again too: a late report for it becomes a new revision.
        first = TenDayPeriod.parse(last) if last else TenDayPeriod(latest_closed.year, 1, 1)
    done = []
    for period in TenDayPeriod.range(first, latest_closed):
        rollup_run(period=period)
        done.append(str(period))
    return done
