"""The figures the bureau reads, over any span of whole 旬, arranged by 旬 and district: the one place the 旬 roll-up,
the dashboard and the year-end evaluation take their numbers from (docs/figures.md).

Each figure is a selector of the app that owns its records (``positions.selectors.posts_reported``,
``referrals.selectors.hires_confirmed``, ``referrals.selectors.hires_exempted``, ``subsidies.selectors.claims_counted``,
...), with the time rule of
``portal.calendar.Span``. Here they are only arranged: per (旬, district) as nested dicts that add up
(``add``), so a report over a year is, by construction, the sum of the same figures over its 旬. The key ``None``
stands for records of an employer without a district (``NO_DISTRICT``): counted like any district's, never dropped.

The nested shape, per district (the roll-up's stored JSON, amounts as ``Decimal`` here and 2-place strings there):
``posts``: posts, headcount, by_channel / by_education → {posts, headcount};
``hires``: confirmed, by_programme, by_mode, by_education → n, by_channel → {programme → n}, publicised, exempt;
``publicity``: notices_published, objections → {lodged, upheld, dismissed}; at the span's end only: notices_open,
objections_open; ``claims``: submitted, submitted_amount, approved, approved_amount, paid, paid_amount.

The talent bases' own figures (docs/figures.md, "The talent bases") are the same figures of the employers that are
bases, per (旬, base employer) instead of per district: ``bases_by_period`` / ``bases_by_employer``, shaped
``posts``: posts, headcount; ``hires``: confirmed, by_programme; ``claims``: as above. A base named in two batches
is one base, counted once.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bases.selectors import BaseEmployer, base_employers
from portal.calendar import Span, TenDayPeriod
from positions.selectors import base_posts_reported, batches_reported, posts_reported
from referrals.selectors import (
    base_hires_confirmed,
    hire_reports_sent,
    hires_confirmed,
    hires_exempted,
    notices_published,
    notices_under_way,
    objections_counted,
    objections_open,
)
from subsidies.selectors import base_claims_counted, claims_counted

#: The key and the name of the row of records whose employer has no district.
NO_DISTRICT_CODE = ""
NO_DISTRICT_NAME = "无所属区县"

#: Topics whose figures are counted over a span (they add up across 旬); the figures of ``at_end`` are counts at a
#: moment (the span's end) and do not.
TOPICS = ("posts", "hires", "publicity", "claims")

Figures = dict[str, Any]
District = str | None


def add(total: Figures, part: Figures) -> Figures:
    """Add ``part`` into ``total`` (nested dicts of ints and Decimals) and return ``total``."""
    for key, value in part.items():
        if isinstance(value, dict):
            add(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value
    return total


def _bump(entry: Figures, path: tuple[str, ...], value: int | Decimal) -> None:
    for key in path[:-1]:
        entry = entry.setdefault(key, {})
    entry[path[-1]] = entry.get(path[-1], 0) + value


def by_period_and_district(
    *, span: Span, topics: Iterable[str] = TOPICS
) -> dict[tuple[TenDayPeriod, District], Figures]:
    """The counted figures of ``topics`` over ``span``, per (旬, district): a fixed number of grouped queries."""
    wanted = set(topics)
    result: dict[tuple[TenDayPeriod, District], Figures] = {}

    def entry(period: TenDayPeriod, district: District, topic: str) -> Figures:
        figures: Figures = result.setdefault((period, district), {}).setdefault(topic, {})
        return figures

    if "posts" in wanted:
        for post in posts_reported(span=span):
            posts = entry(post.period, post.district, "posts")
            for path in ((), ("by_channel", post.channel), ("by_education", post.education)):
                _bump(posts, (*path, "posts"), post.posts)
                _bump(posts, (*path, "headcount"), post.headcount)
    if "hires" in wanted:
        for hire in hires_confirmed(span=span):
            hires = entry(hire.period, hire.district, "hires")
            _bump(hires, ("confirmed",), hire.hires)
            _bump(hires, ("by_programme", hire.programme), hire.hires)
            _bump(hires, ("by_mode", hire.mode), hire.hires)
            _bump(hires, ("by_education", hire.education), hire.hires)
            _bump(hires, ("by_channel", hire.channel, hire.programme), hire.hires)
            _bump(hires, ("publicised",), hire.publicised)
            _bump(hires, ("exempt",), 0)  # the key as before: a district with hires shows 0, not a blank
        for exempted in hires_exempted(span=span):
            # 不公示确认人数: a part of ``confirmed`` (the same hires, the same time rule), counted by its own selector.
            _bump(entry(exempted.period, exempted.district, "hires"), ("exempt",), exempted.hires)
    if "publicity" in wanted:
        for (district, period), n in notices_published(span=span).items():
            _bump(entry(period, district, "publicity"), ("notices_published",), n)
        for objection in objections_counted(span=span):
            publicity = entry(objection.period, objection.district, "publicity")
            _bump(publicity, ("objections", "lodged"), objection.lodged)
            _bump(publicity, ("objections", "upheld"), objection.upheld)
            _bump(publicity, ("objections", "dismissed"), objection.dismissed)
    if "claims" in wanted:
        for claim in claims_counted(span=span):
            claims = entry(claim.period, claim.district, "claims")
            _claim_steps_into(claims, claim.step, claim.claims, claim.amount)
    return result


def by_district(*, span: Span, topics: Iterable[str] = TOPICS) -> dict[District, Figures]:
    """The counted figures of ``topics`` over ``span``, per district: the sum of its 旬."""
    result: dict[District, Figures] = {}
    for (_, district), figures in by_period_and_district(span=span, topics=topics).items():
        add(result.setdefault(district, {}), figures)
    return result


def at_end(*, span: Span) -> dict[District, Figures]:
    """The figures counted at the span's end: publicity under way and objections undecided."""
    result: dict[District, Figures] = {}
    for district, n in notices_under_way(span=span).items():
        result.setdefault(district, {}).setdefault("publicity", {})["notices_open"] = n
    for district, n in objections_open(span=span).items():
        result.setdefault(district, {}).setdefault("publicity", {})["objections_open"] = n
    return result


#: The topics of a base's figures (the districts' ``TOPICS`` less publicity, which is a district's work).
BASE_TOPICS = ("posts", "hires", "claims")


def _claim_steps_into(claims: Figures, step: str, n: int, amount: Decimal) -> None:
    for each in ("submitted", "approved", "paid"):
        # Every step's keys, so a base or district with claims shows zeros rather than blanks for the other steps.
        _bump(claims, (each,), n if each == step else 0)
        _bump(claims, (f"{each}_amount",), amount if each == step else Decimal("0.00"))


def bases_by_period(*, span: Span) -> dict[tuple[TenDayPeriod, int], Figures]:
    """The bases' counted figures over ``span``, per (旬, base employer id): five grouped queries."""
    result: dict[tuple[TenDayPeriod, int], Figures] = {}

    def entry(period: TenDayPeriod, employer_id: int, topic: str) -> Figures:
        figures: Figures = result.setdefault((period, employer_id), {}).setdefault(topic, {})
        return figures

    for post in base_posts_reported(span=span):
        posts = entry(post.period, post.employer_id, "posts")
        _bump(posts, ("posts",), post.posts)
        _bump(posts, ("headcount",), post.headcount)
    for hire in base_hires_confirmed(span=span):
        hires = entry(hire.period, hire.employer_id, "hires")
        _bump(hires, ("confirmed",), hire.hires)
        _bump(hires, ("by_programme", hire.programme), hire.hires)
    for claim in base_claims_counted(span=span):
        _claim_steps_into(entry(claim.period, claim.employer_id, "claims"), claim.step, claim.claims, claim.amount)
    return result


def bases_by_employer(*, span: Span) -> dict[int, Figures]:
    """The bases' counted figures over ``span``, per base employer id: the sum of its 旬."""
    result: dict[int, Figures] = {}
    for (_, employer_id), figures in bases_by_period(span=span).items():
        add(result.setdefault(employer_id, {}), figures)
    return result


def base_rows(*, span: Span) -> tuple[list[tuple[BaseEmployer, Figures]], Figures]:
    """Every base in the list's order with its figures over ``span`` (empty for a base with none), and their total:
    six queries."""
    counted = bases_by_employer(span=span)
    rows = [(base, counted.get(base.employer_id, {})) for base in base_employers()]
    totals: Figures = {}
    for _, figures in rows:
        add(totals, figures)
    return rows, totals


#: How a district stands with a 旬's report: sent, a zero report, sent late, or nothing (``missing``).
REPORTING_STATES = ("sent", "zero", "late", "missing")
#: States counted as "reported on time" in the year-end evaluation.
ON_TIME = frozenset({"sent", "zero"})


def reporting(*, span: Span, districts: Iterable[str]) -> dict[tuple[str, TenDayPeriod], dict[str, str]]:
    """Each district's post batch and hire report for each 旬 of the span, ``"missing"`` where it sent nothing: the
    districts that reported nothing are the ones ``missing`` here. Two queries."""
    batches = batches_reported(span=span)
    reports = hire_reports_sent(span=span)
    return {
        (code, period): {
            "positions": batches.get((code, period), "missing"),
            "hires": reports.get((code, period), "missing"),
        }
        for code in districts
        for period in span.periods
    }


def districts_reported_nothing(*, span: Span, districts: Iterable[str]) -> dict[TenDayPeriod, list[str]]:
    """Per 旬 of the span, the districts that sent neither their post batch nor their hire report."""
    states = reporting(span=span, districts=districts)
    silent: dict[TenDayPeriod, list[str]] = {period: [] for period in span.periods}
    for (code, period), state in states.items():
        if state["positions"] == "missing" and state["hires"] == "missing":
            silent[period].append(code)
    return silent


def jsonable(figures: Any) -> Any:
    """Amounts as 2-place strings, the way the roll-up stores them and the dashboard's JSON carries them."""
    if isinstance(figures, dict):
        return {key: jsonable(value) for key, value in figures.items()}
    if isinstance(figures, list):
        return [jsonable(value) for value in figures]
    if isinstance(figures, Decimal):
        return f"{figures:.2f}"
    return figures


__all__ = [
    "BASE_TOPICS",
    "NO_DISTRICT_CODE",
    "NO_DISTRICT_NAME",
    "ON_TIME",
    "REPORTING_STATES",
    "TOPICS",
    "add",
    "at_end",
    "base_rows",
    "bases_by_employer",
    "bases_by_period",
    "by_district",
    "by_period_and_district",
    "districts_reported_nothing",
    "jsonable",
    "reporting",
]
