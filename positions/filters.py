"""One FilterSet for the post lists: the public page, the staff lists and the API filter the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from portal.constants import Channel, Education
from portal.models import District
from positions.constants import PositionStatus
from positions.models import Position


class PositionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_keyword", label="关键词")
    period = django_filters.CharFilter(field_name="batch__period", label="旬（YYYY-MM-N）")
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.order_by("order"), to_field_name="code", label="区县", empty_label="全部区县"
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="渠道", empty_label="全部渠道")
    status = django_filters.ChoiceFilter(choices=PositionStatus.choices, label="状态", empty_label="全部状态")
    education = django_filters.ChoiceFilter(choices=Education.choices, label="学历要求", empty_label="全部")
    employer = django_filters.CharFilter(field_name="employer__name", lookup_expr="icontains", label="用人单位")
    recruits_graduates = django_filters.BooleanFilter(
        label="招聘应届生",
        widget=forms.Select(choices=[("", "全部"), ("true", "招聘应届生"), ("false", "不招应届生")]),
    )
    min_salary = django_filters.NumberFilter(method="filter_salary", label="最低年薪（万元）", min_value=0)

    class Meta:
        model = Position
        fields: list[str] = []

    def filter_keyword(self, queryset: QuerySet[Position], name: str, value: str) -> QuerySet[Position]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(employer__name__icontains=word) | Q(majors__icontains=word)
            )
        return queryset

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def filter_salary(self, queryset: QuerySet[Position], name: str, value: Decimal) -> QuerySet[Position]:
        # In 万元 a year, as people say it. A post qualifies when its range reaches the figure
        # (its maximum, or its minimum for open-ended ranges such as '20万以上').
        yuan = value * 10000
        return queryset.filter(Q(salary_max__gte=yuan) | Q(salary_max__isnull=True, salary_min__gte=yuan))
