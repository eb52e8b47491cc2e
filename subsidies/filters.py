"""Filters of the claim list of the API (``django-filter``). The reviewers' queues are not a filter: they are
``selectors.review_queue``, chosen by the ``queue`` parameter in ``subsidies.apis``."""

from __future__ import annotations

import django_filters

from referrals.filters import IdFilter
from subsidies.constants import ClaimStatus
from subsidies.models import Claim


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label="状态")
    employer = IdFilter(field_name="employer_id", label="用人单位ID")

    class Meta:
        model = Claim
        fields: list[str] = []
