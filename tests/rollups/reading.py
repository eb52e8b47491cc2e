"""Reading stored roll-up figures back, to add them up and set them beside the dashboard and the evaluation."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from rollups.evaluation import EvaluationRow
from rollups.figures import ON_TIME


def numbers(figures: Any) -> Any:
    """The stored JSON's amounts (2-place strings) as Decimals, so roll-ups add up."""
    if isinstance(figures, dict):
        return {key: numbers(value) for key, value in figures.items()}
    if isinstance(figures, str):
        return Decimal(figures)
    return figures


def add(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    for key, value in part.items():
        if isinstance(value, dict):
            add(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value
    return total


AT_END = ("notices_open", "objections_open")


def counted(row: dict[str, Any]) -> dict[str, Any]:
    """A roll-up row's figures counted over the 旬 (the ones that add up), amounts as Decimals."""
    figures = {topic: numbers(row.get(topic, {})) for topic in ("posts", "hires", "publicity", "claims")}
    for key in AT_END:
        figures["publicity"].pop(key, None)
    return figures


def get(figures: dict[str, Any], *path: str) -> Any:
    value: Any = figures
    for key in path:
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value if value != {} else 0


def sum_rollups(
    rolled: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Counter[tuple[str, str]]]:
    """Roll-ups' figures (as stored) added up: their totals, their rows by district name, and the districts' 旬 on
    time (post batches and hire reports sent or zero), by district name."""
    totals: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    on_time: Counter[tuple[str, str]] = Counter()
    for figures in rolled:
        add(totals, counted(figures["totals"]))
        for row in figures["districts"]:
            add(rows.setdefault(row["name"], {}), counted(row))
            for kind in ("positions", "hires"):
                on_time[row["name"], kind] += row.get("reporting", {}).get(kind) in ON_TIME
    return totals, rows, on_time


def evaluation_figures(row: EvaluationRow) -> dict[str, Any]:
    return {
        "posts": row.posts,
        "headcount": row.headcount,
        "qihang": row.qihang_hires,
        "haiju": row.haiju_hires,
        "doctor": row.doctor,
        "master": row.master,
        "bachelor": row.bachelor,
        "other_education": row.other_education,
        "approved_amount": row.approved_amount,
        "paid_amount": row.paid_amount,
        "publicised": row.publicised,
        "exempt": row.exempt,
        "objections_lodged": row.objections_lodged,
        "objections_upheld": row.objections_upheld,
        "objections_resolved": row.objections_resolved,
    }


def rollup_as_evaluation(figures: dict[str, Any]) -> dict[str, Any]:
    education = get(figures, "hires", "by_education") or {}
    return {
        "posts": get(figures, "posts", "posts"),
        "headcount": get(figures, "posts", "headcount"),
        "qihang": get(figures, "hires", "by_programme", "qihang"),
        "haiju": get(figures, "hires", "by_programme", "haiju"),
        "doctor": education.get("doctor", 0),
        "master": education.get("master", 0),
        "bachelor": education.get("bachelor", 0),
        "other_education": sum(n for key, n in education.items() if key not in ("doctor", "master", "bachelor")),
        "approved_amount": Decimal(get(figures, "claims", "approved_amount")),
        "paid_amount": Decimal(get(figures, "claims", "paid_amount")),
        "publicised": get(figures, "hires", "publicised"),
        "exempt": get(figures, "hires", "exempt"),
        "objections_lodged": get(figures, "publicity", "objections", "lodged"),
        "objections_upheld": get(figures, "publicity", "objections", "upheld"),
        "objections_resolved": get(figures, "publicity", "objections", "upheld")
        + get(figures, "publicity", "objections", "dismissed"),
    }


def base_figures(figures: dict[str, Any]) -> dict[str, Any]:
    """A base's (or the bases' total) figures in the terms every report shows them: posts, headcount, hires by
    programme and the money asked, approved and paid (amounts as Decimals)."""
    return {
        "posts": get(figures, "posts", "posts"),
        "headcount": get(figures, "posts", "headcount"),
        "qihang": get(figures, "hires", "by_programme", "qihang"),
        "haiju": get(figures, "hires", "by_programme", "haiju"),
        "confirmed": get(figures, "hires", "confirmed"),
        "asked": Decimal(get(figures, "claims", "submitted_amount")),
        "approved": Decimal(get(figures, "claims", "approved_amount")),
        "paid": Decimal(get(figures, "claims", "paid_amount")),
    }


def sum_base_rollups(rolled: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The bases' sections of roll-ups (version 3) added up: the bases' total and each base's, by name."""
    totals: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    for figures in rolled:
        add(totals, numbers(figures["bases"]["totals"]))
        for row in figures["bases"]["rows"]:
            add(rows.setdefault(row["name"], {}), numbers({k: row[k] for k in ("posts", "hires", "claims")}))
    return totals, rows
