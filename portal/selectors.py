"""Reads of the shared core, shaped for the pages that show them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.models import AnnualTarget, Employer, Policy, PolicyCategory, User
from portal.permissions import scope_to_district


def policy_search(*, keyword: str = "", category_id: int | None = None) -> QuerySet[Policy]:
    policies = Policy.objects.select_related("category")
    if category_id:
        policies = policies.filter(category_id=category_id)
    for word in keyword.split():
        policies = policies.filter(
            Q(content__icontains=word) | Q(agency__icontains=word) | Q(category__name__icontains=word)
        )
    return policies.order_by("number")


def annual_targets_of(*, year: int) -> dict[str, AnnualTarget]:
    """The targets in force for ``year``, by programme: the home page shows the current year's, never a later
    year an admin has already entered (a programme without one for that year is simply absent)."""
    return {target.programme: target for target in AnnualTarget.objects.filter(year=year)}


def policy_categories() -> QuerySet[PolicyCategory]:
    return PolicyCategory.objects.order_by("order")


def employer_list_visible(*, user: User, keyword: str = "") -> QuerySet[Employer]:
    """Employers the user may see: district staff their own district's, city staff all."""
    employers = scope_to_district(Employer.objects.select_related("district"), user)
    for word in keyword.split():
        employers = employers.filter(Q(name__icontains=word) | Q(credit_code__icontains=word))
    return employers.order_by("name")
