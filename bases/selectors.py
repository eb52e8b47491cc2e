from __future__ import annotations

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
        BaseBatch.objects.filter(bases__employer_id=employer_id).order_by("year", "number").values_list("title", flat=True)
    )
