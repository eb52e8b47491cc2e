"""The city's contacts (portal.contacts) are written once and shown wherever a user looks for help: the help pages
and their PDF, every page's footer, the home page, the claim pages; and the caps and targets on the help page say
where they come from."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.contacts import BUREAU, CENTRE, CITY_CONTACTS
from portal.models import AnnualTarget, SubsidyCap
from tests.factories import ThirdPartyFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _text(html: bytes) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html.decode()))


def _shows_every_contact(text: str) -> None:
    for contact in CITY_CONTACTS:
        assert contact.office in text and contact.people in text and contact.phone in text, contact.office
        assert contact.handles in text, contact.office


def test_the_notices_contacts_are_the_ones_written() -> None:
    assert (BUREAU.office, BUREAU.people, BUREAU.phone) == (
        "市人力资源和社会保障局流动处",
        "严从越、丁林华",
        "86868882、86868883",
    )
    assert (CENTRE.office, CENTRE.people, CENTRE.phone) == ("市人才交流服务中心", "马潇", "88152028")
    assert CENTRE.inline == "市人才交流服务中心（88152028）"


def test_the_public_help_page_lists_the_contacts_with_what_to_call_about() -> None:
    response = Client().get(reverse("portal:guide"))
    assert response.status_code == 200
    text = _text(response.content)
    assert "联系我们" in text
    _shows_every_contact(text)


def test_every_pages_footer_gives_the_phones() -> None:
    for url in (reverse("subsidies:verify_form"), reverse("portal:policies"), "/"):
        text = _text(Client().get(url).content)
        footer = text[text.rindex("咨询电话：") :]
        assert "市人力资源和社会保障局流动处86868882、86868883" in footer, url
        assert "市人才交流服务中心88152028" in footer, url


def test_the_claim_pages_tell_the_third_party_whom_to_call(caps: None) -> None:
    headhunter = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))
    client = Client()
    client.force_login(headhunter)
    text = _text(client.get(reverse("subsidies:claim_list")).content)
    assert "申报咨询" in text and "政策问题请咨询市人社局流动处；材料初审和办理进度请咨询市人才交流服务中心。" in text
    _shows_every_contact(text)


def test_the_help_pdf_prints_the_contacts() -> None:
    cache.clear()
    pdf = Client().get(reverse("portal:guide_pdf", args=["public"])).content
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext missing: make debs-test installs poppler-utils")
    text = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60).stdout  # noqa: S603
    flat = "".join(text.decode().split())
    for contact in CITY_CONTACTS:
        assert f"{contact.office}（{contact.people}，{contact.phone}" in flat


def test_no_other_file_writes_the_phones() -> None:
    """One source: a new phone is one edit. (023-88152028 is the portal's example of a phone format, not the centre's.)"""
    phones = re.compile(r"(?<!023-)(86868882|86868883|88152028)")
    written = []
    for folder in ("portal", "positions", "referrals", "subsidies", "bases", "rollups", "templates"):
        for path in (ROOT / folder).rglob("*"):
            readable = path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts
            if readable and phones.search(path.read_text(encoding="utf-8")):
                written.append(str(path.relative_to(ROOT)))
    assert written == ["portal/contacts.py"]


def test_the_help_page_shows_the_figures_with_their_sources() -> None:
    year = timezone.localdate().year
    SubsidyCap.objects.create(
        channel="special_recruitment",
        amount=Decimal(4000),
        effective_from=datetime.date(2022, 1, 1),
        source="document",
        policy_reference="渝人社发〔2022〕50号",
    )
    AnnualTarget.objects.create(programme="haiju", year=year, target=200, entered_by=UserFactory(admin=True))
    text = _text(Client().get(reverse("portal:guide")).content)
    assert "“引才专项”引才补助：上限4,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）" in text
    assert f"{year}年“海聚”专项：目标200人（系统管理员录入，无文件依据）" in text
    assert "“揭榜招贤”" not in text.split("补助上限与年度目标")[-1].split("平台执行的规则")[0]
