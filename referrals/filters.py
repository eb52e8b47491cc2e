"""Filters of the hire and objection lists of the API (``django-filter``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.constants import Programme
from portal.models import District
from portal.web.api import RECORD_ID_MAX
from referrals.constants import EmploymentMode, HireStatus, ObjectionStatus
from referrals.models import Hire, Objection


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record id (documented as an integer, not a number): a whole number the primary key can hold, so that
    ``?hire=10**30`` is a 400, not an out-of-range integer in the query (a 500 on SQLite)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", RECORD_ID_MAX)
        super().__init__(*args, **kwargs)


class HireFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=HireStatus.choices, label="状态")
    programme = django_filters.ChoiceFilter(choices=Programme.choices, label="专项")
    mode = django_filters.ChoiceFilter(choices=EmploymentMode.choices, label="引进方式")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.order_by("order"), to_field_name="code", label="区县（区划代码）"
    )
    has_district = django_filters.BooleanFilter(
        field_name="district",
        lookup_expr="isnull",
        exclude=True,
        label="有所属区县（false：无所属区县，由市人才交流服务中心审核）",
    )
    notice = IdFilter(field_name="notice_id", label="公示ID")
    has_third_party = django_filters.BooleanFilter(method="filter_has_third_party", label="有荐才第三方")
    arrived_on = django_filters.DateFromToRangeFilter(label="入职时间（arrived_on_after / arrived_on_before）")
    over_headcount = django_filters.BooleanFilter(method="filter_over_headcount", label="岗位人数已超出需求人数")

    class Meta:
        model = Hire
        fields: list[str] = []

    def filter_has_third_party(self, queryset: QuerySet[Hire], name: str, value: bool) -> QuerySet[Hire]:
        return queryset.filter(third_party__isnull=not value)

    def filter_over_headcount(self, queryset: QuerySet[Hire], name: str, value: bool) -> QuerySet[Hire]:
        # Needs the ``post_hires`` annotation of ``selectors.with_headcount`` (every API list has it).
        over = Q(post_hires__gt=F("position__headcount"))
        return queryset.filter(over) if value else queryset.exclude(over)


class ObjectionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices, label="状态")
    hire = IdFilter(field_name="hire_id", label="被异议人员ID")

    class Meta:
        model = Objection
        fields: list[str] = []
