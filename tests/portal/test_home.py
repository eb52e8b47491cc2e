"""The public home page: the programmes' targets it quotes are the current year's in Shanghai."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from portal.contacts import CITY_CONTACTS
from portal.models import AnnualTarget, SubsidyCap

pytestmark = pytest.mark.django_db


def _targets() -> None:
    for year, qihang, haiju in ((2026, 1001, 201), (2027, 1107, 217)):
        AnnualTarget.objects.create(programme="qihang", year=year, target=qihang)
        AnnualTarget.objects.create(programme="haiju", year=year, target=haiju)


def _home_at(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> str:
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return Client().get("/").content.decode()


def test_home_shows_this_years_targets_not_next_years_already_entered(monkeypatch: pytest.MonkeyPatch) -> None:
    _targets()
    # 2026-12-04 18:30 UTC is 2026-12-05 02:30 in Shanghai: still 2026, although 2027's targets exist.
    html = _home_at(monkeypatch, datetime.datetime(2026, 12, 4, 18, 30, tzinfo=datetime.UTC))
    assert "2026年目标</span> 1,001人" in html
    assert "2026年目标</span> 201人" in html
    assert "2027年目标" not in html and "1107" not in html and "1,107" not in html


def test_home_turns_to_the_new_year_at_shanghai_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    _targets()
    html = _home_at(monkeypatch, datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC))
    assert "2027年目标</span> 1,107人" in html and "2027年目标</span> 217人" in html


def test_home_says_when_the_years_target_is_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    AnnualTarget.objects.create(programme="qihang", year=2027, target=1107)
    html = _home_at(monkeypatch, datetime.datetime(2026, 6, 1, 4, 0, tzinfo=datetime.UTC))
    assert html.count('2026年目标</span> <span class="text-body-secondary">尚未公布</span>') == 2
    assert "1107" not in html and "1,107" not in html


def test_home_says_where_each_target_and_cap_comes_from(monkeypatch: pytest.MonkeyPatch) -> None:
    AnnualTarget.objects.create(
        programme="qihang",
        year=2023,
        target=1000,
        approximate=True,
        source="document",
        policy_reference="渝人社人才〔2023〕18号",
    )
    AnnualTarget.objects.create(programme="haiju", year=2023, target=200)
    SubsidyCap.objects.create(
        channel="bounty_list",
        amount=Decimal(30000),
        effective_from=datetime.date(2022, 1, 1),
        source="document",
        policy_reference="渝人社发〔2022〕50号",
    )
    html = _home_at(monkeypatch, datetime.datetime(2023, 6, 1, 4, 0, tzinfo=datetime.UTC))
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert "2023年目标1,000人左右（依据渝人社人才〔2023〕18号）" in text
    assert "2023年目标200人（系统管理员录入，无文件依据）" in text
    assert "揭榜招贤30,000元/人" in text and "依据渝人社发〔2022〕50号；生效日期由系统管理员录入" in text


def test_home_shows_the_city_contacts(monkeypatch: pytest.MonkeyPatch) -> None:
    html = _home_at(monkeypatch, datetime.datetime(2026, 6, 1, 4, 0, tzinfo=datetime.UTC))
    for contact in CITY_CONTACTS:
        assert contact.office in html and contact.people in html and contact.phone in html and contact.handles in html
