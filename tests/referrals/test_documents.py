"""The publicity notice as a PDF: what it prints (and never prints), who may fetch it when, and an offline renderer."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import subprocess
from contextlib import AbstractContextManager
from pathlib import Path
from typing import cast
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal import pdf
from portal.models import District, User
from portal.pdf import ResourceRefused, static_file_for, url_fetcher
from referrals import documents
from referrals.models import Hire, PublicityNotice
from referrals.services import notice_publish
from tests.factories import DistrictFactory, EmployerFactory, HireFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
#: The morning of Thursday 12 February 2026 in Chongqing: the notices below are published that day.
PUBLISHING_DAY = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)


def _pages(pdf: bytes) -> list[str]:
    """The text of each page as poppler extracts it, whitespace removed: a wrapped line must not split a phrase."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext missing: make debs-test installs poppler-utils")
    command = [pdftotext, "-raw", "-enc", "UTF-8", "-", "-"]
    result = subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=60)  # noqa: S603
    return ["".join(page.split()) for page in result.stdout.decode().split("\f") if page.strip()]


def _text(pdf: bytes) -> str:
    return "".join(_pages(pdf))


@pytest.fixture
def district() -> District:
    return DistrictFactory(name="铜梁区")


@pytest.fixture
def notice(district: District, clerk: User) -> PublicityNotice:
    employer = EmployerFactory(name="重庆铜梁智能装备有限公司", district=district)
    position = PositionFactory(batch__district=district, employer=employer, published=True, name="工业机器人工程师")
    hires = [
        HireFactory(position=position, audited=True, name="张三", school="重庆大学", major="机械工程"),
        HireFactory(
            position=position, audited=True, name="李四", education="doctor", school="西南大学", major="自动化"
        ),
    ]
    return notice_publish(hires=hires, published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY)


def _during() -> AbstractContextManager[object]:
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 2, 13, 10, tzinfo=datetime.UTC))


def test_the_notice_prints_people_dates_and_number_but_no_id_number(notice: PublicityNotice) -> None:
    pdf = documents.notice_pdf(notice=notice, page_url="https://rc.example.cn/publicity/1/")
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in (
        "张三",
        "李四",
        "重庆铜梁智能装备有限公司",
        "工业机器人工程师",
        "硕士",
        "博士",
        "西南大学",
        "自动化",
    ):
        assert expected in text
    assert notice.reference in text and notice.title in text
    assert "公示期为2026年2月12日至2026年2月25日（5个工作日）" in text
    assert "铜梁区人力资源和社会保障局" in text
    assert "https://rc.example.cn/publicity/1/" in text
    assert "第1页共1页" in text
    for hire in notice.hires.all():
        assert hire.id_number not in text and hire.id_number[-6:] not in text


def test_a_long_notice_repeats_its_header_and_counts_its_pages(notice: PublicityNotice) -> None:
    position = cast(Hire, notice.hires.first()).position
    HireFactory.create_batch(60, position=position, status="in_publicity", notice=notice, name="王五")
    pages = _pages(documents.notice_pdf(notice=notice))
    assert len(pages) >= 2
    assert all("序号姓名用人单位岗位名称学历毕业院校专业" in page for page in pages if "王五" in page)
    assert "王五" in pages[-1], "the issuing office stands with the last rows, not alone on a page"
    assert all(f"第{n}页共{len(pages)}页" in page for n, page in enumerate(pages, start=1))


def test_the_same_notice_is_laid_out_once_and_a_changed_one_again(notice: PublicityNotice) -> None:
    cache.clear()
    with mock.patch("portal.pdf.html_to_pdf", return_value=b"%PDF-stub") as layout:
        documents.notice_pdf(notice=notice)
        assert documents.notice_pdf(notice=notice) == b"%PDF-stub"
        assert layout.call_count == 1
        HireFactory(position=cast(Hire, notice.hires.first()).position, status="in_publicity", notice=notice)
        documents.notice_pdf(notice=notice)
        assert layout.call_count == 2
    cache.clear()


def test_the_stylesheet_is_parsed_once_and_a_changed_one_again(
    notice: PublicityNotice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed once per thread for every document; an edited stylesheet is parsed again, and is a new cache key."""
    import weasyprint

    stylesheet = tmp_path / "print.css"
    stylesheet.write_bytes(static_file_for("file:///static/pdf/print.css").read_bytes())
    monkeypatch.setattr("portal.pdf.static_file_for", lambda url: stylesheet)
    monkeypatch.delattr(pdf._local, "stylesheet", raising=False)
    cache.clear()
    with mock.patch("weasyprint.CSS", wraps=weasyprint.CSS) as parse:
        plain = documents.notice_pdf(notice=notice)
        assert documents.notice_pdf(notice=notice) == plain
        pdf.html_to_pdf("<p>其他文件</p>")
        assert parse.call_count == 1
        stylesheet.write_text(stylesheet.read_text() + "\n.doc-title { color: #c00; }\n")
        red = documents.notice_pdf(notice=notice)
        assert parse.call_count == 2
    assert red != plain, "the PDF laid out with the old stylesheet is not served from the cache"
    cache.clear()


def test_a_management_zone_signs_with_its_personnel_department() -> None:
    assert documents.issuing_office(DistrictFactory(name="两江新区")) == "两江新区组织人事部"
    assert documents.issuing_office(DistrictFactory(name="万盛经开区")) == "万盛经开区人力资源和社会保障局"


def test_the_public_gets_the_pdf_only_while_the_notice_runs(notice: PublicityNotice, clerk: User) -> None:
    url = reverse("referrals:notice_pdf", args=[notice.pk])
    with _during():
        response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f"inline; filename=\"{notice.reference}.pdf\"; filename*=UTF-8''%E5%85%AC%E7%A4%BA-{notice.reference}.pdf"
    )
    assert "private" in response["Cache-Control"]
    # The stored copy prints the page on the portal's public address, whatever host the request came through.
    assert f"{settings.PORTAL_BASE_URL.rstrip('/')}/publicity/{notice.pk}/" in _text(response.content)
    assert response["X-Document-SHA256"] == hashlib.sha256(response.content).hexdigest()

    staff = Client()
    staff.force_login(clerk)
    other_district = Client()
    other_district.force_login(UserFactory(clerk=True, district=DistrictFactory()))
    with mock.patch("django.utils.timezone.now", return_value=notice.closes_at):
        assert Client().get(url).status_code == 404
        assert other_district.get(url).status_code == 404
        closed = staff.get(url)
    assert closed.status_code == 200 and closed.content.startswith(b"%PDF-")
    assert "张三" in _text(closed.content)


def test_the_public_page_links_the_pdf(notice: PublicityNotice) -> None:
    with _during():
        page = Client().get(reverse("referrals:publicity_detail", args=[notice.pk])).content.decode()
    assert reverse("referrals:notice_pdf", args=[notice.pk]) in page and "打印公示（PDF）" in page


def test_the_renderer_fetches_only_the_portals_static_files() -> None:
    fetcher = url_fetcher()
    for url in (
        "http://example.com/logo.png",
        "https://127.0.0.1/static/pdf/print.css",
        "file:///etc/passwd",
        "file:///static/../portal/settings/base.py",
        "file:///static/%2e%2e/manage.py",
        "ftp://example.com/x.css",
    ):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    css = fetcher.fetch("file:///static/pdf/print.css")
    assert b"Noto Sans CJK SC" in css.read() and css.content_type == "text/css"
    css.close()
    assert static_file_for("file:///static/pdf/print.css").name == "print.css"


def test_a_district_without_contacts_sends_objectors_to_the_citys(notice: PublicityNotice) -> None:
    text = _text(documents.notice_pdf(notice=notice))
    assert "或来电来函向铜梁区人力资源和社会保障局反映，也可来电向" in text
    assert "市人力资源和社会保障局流动处（严从越、丁林华，86868882、86868883）" in text
    assert "市人才交流服务中心（马潇，88152028）" in text


def test_the_notice_prints_the_districts_own_office_phone_and_address(notice: PublicityNotice) -> None:
    district = notice.district
    assert district is not None
    district.office_name = "铜梁区人力资源和社会保障局人才科"
    district.objection_phone = "023-45678901"
    district.objection_address = "重庆市铜梁区巴川街道龙城大道1号（邮编402560）"
    district.save()
    notice.refresh_from_db()
    text = _text(documents.notice_pdf(notice=notice))
    assert (
        "来电来函向铜梁区人力资源和社会保障局人才科反映（联系电话：023-45678901；"
        "来信地址：重庆市铜梁区巴川街道龙城大道1号（邮编402560））。" in text
    )
    assert "86868882" not in text  # the district's own phone, not the city's
    assert text.count("铜梁区人力资源和社会保障局人才科") == 2  # it also signs the notice


def test_the_publicity_page_and_its_objection_form_say_whom_to_call(notice: PublicityNotice) -> None:
    with _during():
        page = Client().get(reverse("referrals:publicity_detail", args=[notice.pk])).content.decode()
    assert "异议受理" in page and "86868882、86868883" in page and "88152028" in page
    district = notice.district
    assert district is not None
    district.objection_phone = "023-45678901"
    district.objection_address = "重庆市铜梁区巴川街道龙城大道1号"
    district.save()
    with _during():
        page = Client().get(reverse("referrals:publicity_detail", args=[notice.pk])).content.decode()
    # The objection section gives the district's phone, not the city's (which every page's footer still gives).
    section = page.split('id="objection-contacts-title"')[1].split("</section>")[0]
    assert "023-45678901" in section and "重庆市铜梁区巴川街道龙城大道1号" in section and "86868882" not in section
    form = page.split('id="objection-title"')[1]
    assert "如需来电来函，请联系铜梁区人力资源和社会保障局（023-45678901）" in form
