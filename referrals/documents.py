"""Printed documents of Annex 3's workflow: the publicity notice (公示) for the noticeboard.

The notice is rendered and stored at its publication (``portal.documents``; a background task after the commit,
``referrals.tasks.store_notice_paper``), and its download serves that stored copy, read from its file
(``notice_paper``); a notice without one (published before the store existed, or whose render failed) has it
rendered and stored at its first download. What it prints is fixed at publication: the hires on it cannot be edited
once published and stay on it whatever the outcome, so the copy made then is the notice. The stored copy prints the
page's address on the portal's public address (``PORTAL_BASE_URL``), like the claims' papers, never the host a
request came through. When a hire on it is anonymised (``referrals.retention``) its copies go, and the next download
stores the notice as it then reads.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from portal import documents as stored_documents
from portal.contacts import issuing_office, objection_contacts
from portal.models import StoredDocument
from portal.pdf import render_pdf
from referrals import selectors
from referrals.constants import PUBLICITY_WORKING_DAYS
from referrals.models import PublicityNotice

#: The notice is public and slow to lay out: keep each rendering for an hour (a changed notice is a new key).
NOTICE_PDF_CACHE_SECONDS = 60 * 60
#: ``StoredDocument.kind`` and ``event`` of a stored notice.
NOTICE = "notice"
PUBLISH = "publish"
#: The sweep leaves a notice this long to its own task before storing it itself, and looks this far back.
SWEEP_AFTER = datetime.timedelta(minutes=2)
SWEEP_WITHIN = datetime.timedelta(days=2)


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

    ``page_url`` is the absolute address of the public page; without it the path is printed."""
    context = notice_context(notice=notice, page_url=page_url)
    return render_pdf("pdf/publicity_notice.html", context, cache_timeout=NOTICE_PDF_CACHE_SECONDS)


def notice_page_url(notice: PublicityNotice) -> str:
    """The notice page's absolute address on the portal's public address, as the stored notice prints it."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("referrals:publicity_detail", args=[notice.pk])


def _render(notice: PublicityNotice) -> bytes:
    # Not through the cache: the stored copy is the one kept.
    return render_pdf("pdf/publicity_notice.html", notice_context(notice=notice, page_url=notice_page_url(notice)))


def notice_paper(*, notice: PublicityNotice) -> tuple[bytes, StoredDocument | None]:
    """The notice's PDF as a download hands it out: its stored copy, read from its file, or rendered and stored now
    when it has none."""
    return stored_documents.load(
        notice, kind=NOTICE, event=PUBLISH, render=lambda: _render(notice), by_id=notice.published_by_id
    )


def notice_paper_store(*, notice_id: int) -> bool:
    """Render and store the notice at its publication (the task after the commit). Returns whether a copy was
    written (a copy already stored stays)."""
    notice = PublicityNotice.objects.select_related("district").filter(pk=notice_id).first()
    if notice is None or stored_documents.stored(notice, kind=NOTICE, event=PUBLISH) is not None:
        return False
    stored_documents.store(notice, kind=NOTICE, event=PUBLISH, pdf=_render(notice), by_id=notice.published_by_id)
    return True


def notice_papers_sweep(*, now: datetime.datetime | None = None, limit: int = 10) -> int:
    """Store the notices published in the last two days (and more than two minutes ago, so that their own task has
    had its turn) that have no copy yet: the scheduled catch-up of ``notice_paper_store``. Returns how many."""
    now = now or timezone.now()
    notice_type = ContentType.objects.get_for_model(PublicityNotice)
    stored = StoredDocument.objects.filter(content_type=notice_type, object_id=OuterRef("pk"), kind=NOTICE)
    due = (
        PublicityNotice.objects.filter(created_at__lt=now - SWEEP_AFTER, created_at__gte=now - SWEEP_WITHIN)
        .exclude(Exists(stored))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notice_paper_store(notice_id=pk) for pk in list(due))
