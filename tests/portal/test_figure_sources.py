"""Caps and targets say where they come from and who entered them (docs/figures.md, "Where the caps and targets
come from"): the database holds a "from a document" figure to naming the document, the admin's save records the
person, and the reviewers' and claimant's pages and the dashboard show the source beside the figure."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from portal.constants import FigureSource
from portal.models import AnnualTarget, SubsidyCap
from tests.factories import ClaimFactory, EmployerFactory, ThirdPartyFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2022, 1, 1)


def _text(html: bytes) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html.decode()))


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (SubsidyCap, {"channel": "bounty_list", "amount": Decimal(1), "effective_from": START, "source": "document"}),
        (
            SubsidyCap,
            {"channel": "bounty_list", "amount": Decimal(1), "effective_from": START, "dates_source": "document"},
        ),
        (AnnualTarget, {"programme": "qihang", "year": 2030, "target": 1, "source": "document"}),
    ],
)
def test_a_figure_from_a_document_names_the_document(model: type[Model], fields: dict[str, object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model._default_manager.create(**fields)


def test_the_labels_say_what_each_figure_is() -> None:
    cap = SubsidyCap(
        channel="bounty_list",
        amount=Decimal(30000),
        effective_from=START,
        source=FigureSource.DOCUMENT,
        policy_reference="渝人社发〔2022〕50号",
        dates_source=FigureSource.DOCUMENT,
        dates_reference="渝人社发〔2030〕1号",
    )
    assert cap.label == "上限30,000元/人（依据渝人社发〔2022〕50号；生效日期依据渝人社发〔2030〕1号）"
    noted = AnnualTarget(programme="haiju", year=2026, target=250, policy_reference="局务会纪要")
    assert noted.label == "目标250人（系统管理员录入，注明依据局务会纪要）"
    assert AnnualTarget(programme="haiju", year=2026, target=250).label == "目标250人（系统管理员录入，无文件依据）"


def test_the_admin_records_who_entered_a_figure() -> None:
    admin = UserFactory(admin=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:portal_annualtarget_add"),
        {"programme": "haiju", "year": "2030", "target": "210", "source": "admin", "policy_reference": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target = AnnualTarget.objects.get(year=2030)
    assert target.entered_by == admin and target.entered_at is not None
    assert target.entered_by_label == str(admin)
    page = client.get(reverse("admin:portal_annualtarget_changelist")).content.decode()
    assert "系统管理员录入" in page and str(admin) in page


def test_the_claim_pages_show_each_caps_source(caps: None) -> None:
    headhunter = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))
    claim = ClaimFactory(by=headhunter, employer=EmployerFactory(), amounts=("30000",), submitted=True)
    expected = "揭榜招贤：上限30,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）"
    claimant = Client()
    claimant.force_login(headhunter)
    assert expected in _text(claimant.get(reverse("subsidies:claim_detail", args=[claim.pk])).content)
    reviewer = Client()
    reviewer.force_login(UserFactory(centre=True))
    assert expected in _text(reviewer.get(reverse("subsidies:review_claim", args=[claim.pk])).content)


def test_the_dashboard_says_where_the_years_targets_come_from() -> None:
    AnnualTarget.objects.create(
        programme="qihang",
        year=2023,
        target=1000,
        approximate=True,
        source="document",
        policy_reference="渝人社人才〔2023〕18号",
    )
    AnnualTarget.objects.create(programme="haiju", year=2023, target=200)
    client = Client()
    client.force_login(UserFactory(bureau=True))
    text = _text(client.get(reverse("rollups:dashboard"), {"year": "2023"}).content)
    assert "目标：1,000人左右，依据渝人社人才〔2023〕18号" in text
    assert "目标：200人，系统管理员录入，无文件依据" in text


def test_the_admin_records_who_entered_a_cap_and_shows_both_sources() -> None:
    admin = UserFactory(admin=True)
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("admin:portal_subsidycap_add")).status_code == 200
    response = client.post(
        reverse("admin:portal_subsidycap_add"),
        {
            "channel": "special_recruitment",
            "amount": "5000",
            "source": "admin",
            "policy_reference": "",
            "effective_from": "2031-01-01",
            "effective_to": "",
            "dates_source": "admin",
            "dates_reference": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cap = SubsidyCap.objects.get(effective_from=datetime.date(2031, 1, 1))
    assert cap.entered_by == admin and cap.entered_at is not None
    assert cap.label == "上限5,000元/人（系统管理员录入，无文件依据；生效日期由系统管理员录入）"
    page = client.get(reverse("admin:portal_subsidycap_changelist")).content.decode()
    assert "金额来源" in page and "生效日期来源" in page
