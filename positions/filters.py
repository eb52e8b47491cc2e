"""One FilterSet for the post lists: the public page, the staff lists and the API filter the same way."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from portal.constants import Channel, Education
from portal.models import District
from positions.constants import PositionStatus
from positions.models import Position


class PositionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_keyword", label="关键词")
    period = django_filters.CharFilter(field_name="batch__period", label="旬（YYYY-MM-N）")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), to_field_name="code", label="填报来源（区县代码）"
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="渠道")
    status = django_filters.ChoiceFilter(choices=PositionStatus.choices, label="状态")
    education = django_filters.ChoiceFilter(choices=Education.choices, label="学历要求")
    employer = django_filters.CharFilter(field_name="employer__name", lookup_expr="icontains", label="用人单位")
    recruits_graduates = django_filters.BooleanFilter(label="招聘应届生")
    salary_at_least = django_filters.NumberFilter(method="filter_salary", label="年薪不低于（元）")

    class Meta:
        model = Position
        fields: list[str] = []

    def filter_keyword(self, queryset: QuerySet[Position], name: str, value: str) -> QuerySet[Position]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(employer__name__icontains=word) | Q(majors__icontains=word)
            )
        return queryset

    def filter_salary(self, queryset: QuerySet[Position], name: str, value: int) -> QuerySet[Position]:
        # A post qualifies when its range reaches the figure (max, or min for open-ended '20万以上').
        return queryset.filter(Q(salary_max__gte=value) | Q(salary_max__isnull=True, salary_min__gte=value))
