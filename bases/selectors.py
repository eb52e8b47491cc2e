from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from bases.models import BaseBatch, TalentBase


def batches_with_bases() -> QuerySet[BaseBatch]:
    """Every batch, newest first, with its bases and their employers in two more queries."""
    return BaseBatch.objects.prefetch_related(
        Prefetch("bases", queryset=TalentBase.objects.select_related("employer__district").order_by("number"))
    )


def base_list_for_export() -> QuerySet[TalentBase]:
    """Every base with its batch and employer's district, oldest batch first, in the list's order (one query)."""
    return TalentBase.objects.select_related("batch", "employer__district").order_by(
        "batch__year", "batch__number", "number"
    )


def batches_of_employer(*, employer_id: int) -> list[str]:
    """The titles of the batches that name the employer a base, oldest first (one query)."""
    return list(
        BaseBatch.objects.filter(bases__employer_id=employer_id)
        .order_by("year", "number")
        .values_list("title", flat=True)
    )


@dataclass(frozen=True)
class BaseEmployer:
    """A talent base as the figures name it: its employer, the batches that named it, its district."""

    employer_id: int
    name: str
    batches: str
    district: str


def base_employers() -> list[BaseEmployer]:
    """Every employer that is a base, once however many batches named it, in the order of the list (its first batch,
    oldest first, then its number there), with its batches' titles joined by 、. One query."""
    found: dict[int, tuple[str, list[str], str]] = {}
    bases = TalentBase.objects.select_related("batch", "employer__district").order_by(
        "batch__year", "batch__number", "number"
    )
    for base in bases:
        district = base.employer.district.name if base.employer.district else ""
        entry = found.setdefault(base.employer_id, (base.employer.name, [], district))
        entry[1].append(base.batch.title)
    return [
        BaseEmployer(employer_id, name, "、".join(titles), district)
        for employer_id, (name, titles, district) in found.items()
    ]
