"""Printed documents of Annex 3's workflow: the publicity notice (公示) for the noticeboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from portal.contacts import issuing_office, objection_contacts
from portal.pdf import render_pdf
from referrals import selectors
from referrals.constants import PUBLICITY_WORKING_DAYS
from referrals.models import PublicityNotice

#: The notice is public and slow to lay out: keep each rendering for an hour (a changed notice is a new key).
NOTICE_PDF_CACHE_SECONDS = 60 * 60


def notice_context(*, notice: PublicityNotice, page_url: str = "") -> dict[str, Any]:
    """What ``templates/pdf/publicity_notice.html`` prints (see ``notice_pdf``)."""
    return {
        "notice": notice,
        "hires": list(selectors.notice_public_hires(notice=notice)),
        "issuer": issuing_office(notice.district),
        "contacts": objection_contacts(notice.district),
        "working_days": PUBLICITY_WORKING_DAYS,
        "page_url": page_url or reverse("referrals:publicity_detail", args=[notice.pk]),
    }


def notice_pdf(*, notice: PublicityNotice, page_url: str = "") -> bytes:
    """The notice as an A4 PDF: title, number, the rules and the publicity period, where to object (the district's
    phone and address, or the city's contacts), the people (public fields only), the issuing office and date, and the
    address of the notice's page.

    ``page_url`` is the absolute address of the public page (the view knows the host); without it the path is
    printed."""
    context = notice_context(notice=notice, page_url=page_url)
    return render_pdf("pdf/publicity_notice.html", context, cache_timeout=NOTICE_PDF_CACHE_SECONDS)
