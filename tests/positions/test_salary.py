from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from positions.salary import parse_salary


@pytest.mark.parametrize(
    ("text", "minimum", "maximum"),
    [
        ("15-25万元/年", 150000, 250000),
        ("\n15-25万元/年", 150000, 250000),
        ("１５－２５万元／年", 150000, 250000),
        ("1.5万/月", 180000, 180000),
        ("20万以上", 200000, None),
        ("8000-12000元/月", 96000, 144000),
        ("年薪30万", 300000, 300000),
        ("15~25万", 150000, 250000),
    ],
)
def test_salaries_people_write_are_understood(text: str, minimum: int, maximum: int | None) -> None:
    salary = parse_salary(text)
    assert salary.minimum == Decimal(minimum)
    assert salary.maximum == (Decimal(maximum) if maximum is not None else None)


@pytest.mark.parametrize("text", ["面议", "薪资面议", "", "具体面谈", "看能力", "25-15万"])
def test_negotiable_or_unclear_salaries_have_no_figures(text: str) -> None:
    assert not parse_salary(text).understood


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=0, max_value=200))
def test_yearly_ranges_in_wan_scale_by_ten_thousand(low: int, extra: int) -> None:
    salary = parse_salary(f"{low}-{low + extra}万元/年")
    assert salary.minimum == Decimal(low * 10000)
    assert salary.maximum == Decimal((low + extra) * 10000)
    assert salary.minimum <= salary.maximum


@given(st.text(max_size=30))
def test_any_text_parses_without_error(text: str) -> None:
    salary = parse_salary(text)
    if salary.minimum is not None and salary.maximum is not None:
        assert salary.minimum <= salary.maximum


def test_a_number_beyond_any_salary_is_not_understood() -> None:
    assert not parse_salary("10000000000000000000000000000").understood
    assert not parse_salary("100000万/年").understood
    assert parse_salary("99万/年").maximum == Decimal(990000)
