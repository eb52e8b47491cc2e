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
from typing import Any

from django.db import IntegrityError, transaction

from portal.calendar import Span, TenDayPeriod
from portal.models import District
from rollups.figures import (
    BASE_TOPICS,
    NO_DISTRICT_CODE,
    NO_DISTRICT_NAME,
    TOPICS,
    add,
    at_end,
    base_rows,
    by_district,
    jsonable,
    reporting,
)
from rollups.models import RollUp

#: The shape of the stored figures. 2: every figure from the owners' selectors (docs/figures.md) — claims of an
#: employer without a district in a row of their own (code ``""``), a post batch sent after its 旬 closed is "late",
#: hires also by education and channel, publicised and exempt, objections undecided at the 旬's end. Revisions
#: without the key are version 1 and are read as they are (a missing figure reads as zero). 3: the talent bases'
#: own figures (``bases``: every base of the list with its posts, hires and claims, and their total); revisions of
#: version 1 and 2 have no ``bases`` and are shown without that section.
FIGURES_VERSION = 3


def compute_figures(period: TenDayPeriod) -> dict[str, Any]:
    """Every district's figures for ``period`` and the city's totals (a fixed number of grouped queries): the
    figures of ``rollups.figures`` over the 旬's span, so a year's 旬 add up to the year's figures."""
    span = Span.of_period(period)
    counted = by_district(span=span)
    for key, figures in at_end(span=span).items():
        add(counted.setdefault(key, {}), figures)
    districts = list(District.objects.order_by("order", "code").values("code", "name"))
    states = reporting(span=span, districts=[d["code"] for d in districts])
    rows: list[dict[str, Any]] = []
    totals: dict[str, Any] = {}
    counts: dict[str, defaultdict[str, int]] = {"positions": defaultdict(int), "hires": defaultdict(int)}
    for district in districts:
        row: dict[str, Any] = {"code": district["code"], "name": district["name"]}
        for topic in TOPICS:
            row[topic] = counted.get(district["code"], {}).get(topic, {})
            add(totals.setdefault(topic, {}), row[topic])
        row["reporting"] = states[district["code"], period]
        for kind in ("positions", "hires"):
            counts[kind][row["reporting"][kind]] += 1
        rows.append(row)
    if None in counted:
        # Records of an employer without a district: their own row, in the totals like any district's.
        row = {"code": NO_DISTRICT_CODE, "name": NO_DISTRICT_NAME}
        for topic in TOPICS:
            row[topic] = counted[None].get(topic, {})
            add(totals.setdefault(topic, {}), row[topic])
        rows.append(row)
    totals["reporting"] = {kind: dict(sorted(tally.items())) for kind, tally in counts.items()}
    return jsonable(
        {
            "version": FIGURES_VERSION,
            "period": str(period),
            "districts": rows,
            "totals": totals,
            "bases": bases_figures(span),
        }
    )


def bases_figures(span: Span) -> dict[str, Any]:
    """The talent bases' section of a roll-up: every base of the list (a base with no figure in the 旬 too, so the
    table names them all) and the bases' total (docs/figures.md, "The talent bases")."""
    rows, totals = base_rows(span=span)
    return {
        "rows": [
            {
                "name": base.name,
                "batches": base.batches,
                "district": base.district,
                **{topic: figures.get(topic, {}) for topic in BASE_TOPICS},
            }
            for base, figures in rows
        ],
        "totals": {topic: totals.get(topic, {}) for topic in BASE_TOPICS},
    }


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
