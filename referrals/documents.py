"""Printed documents of Annex 3's workflow: the publicity notice (公示) for the noticeboard."""

from __future__ import annotations

from django.urls import reverse

from portal.models import District
from portal.pdf import render_pdf
from referrals import selectors
from referrals.constants import PUBLICITY_WORKING_DAYS
from referrals.models import PublicityNotice

#: Two management zones have no human-resources bureau of their own: the city's notice (渝人社人才〔2023〕18号)
#: addresses their personnel departments. Every other unit, 万盛经开区 included, has one.
ZONE_OFFICES = {
    "两江新区": "两江新区组织人事部",
    "西部科学城重庆高新区": "西部科学城重庆高新区党群工作部",
}

#: The notice is public and slow to lay out: keep each rendering for an hour (a changed notice is a new key).
NOTICE_PDF_CACHE_SECONDS = 60 * 60


def issuing_office(district: District) -> str:
    """The office that signs a district's notice and receives objections by phone or letter."""
    return ZONE_OFFICES.get(district.name, f"{district.name}人力资源和社会保障局")


def notice_pdf(*, notice: PublicityNotice, page_url: str = "") -> bytes:
    """The notice as an A4 PDF: title, number, the rules and the publicity period, the people (public fields only),
    the issuing office and date, and the address of the notice's page.

    ``page_url`` is the absolute address of the public page (the view knows the host); without it the path is
    printed."""
    hires = list(selectors.notice_public_hires(notice=notice))
    context = {
        "notice": notice,
        "hires": hires,
        "issuer": issuing_office(notice.district),
        "working_days": PUBLICITY_WORKING_DAYS,
        "page_url": page_url or reverse("referrals:publicity_detail", args=[notice.pk]),
    }
    return render_pdf("pdf/publicity_notice.html", context, cache_timeout=NOTICE_PDF_CACHE_SECONDS)
