"""Printed documents: the publicity notice as a PDF. Thin: find what the visitor may see, serve its stored copy."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from portal.models import StoredDocument
from referrals import documents, selectors


def _pdf_response(pdf: bytes, filename: str, ascii_filename: str, stored: StoredDocument | None = None) -> HttpResponse:
    """Shown in the browser (inline); the Chinese name per RFC 5987/6266, an ASCII one for older clients. A stored
    copy's SHA-256 goes with it (``ETag``, ``X-Document-SHA256``)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"
    if stored is not None:
        response["ETag"] = f'"{stored.sha256}"'
        response["X-Document-SHA256"] = stored.sha256
    return response


@require_GET
# The same address serves the public and, after the publicity, only staff: no shared cache may keep it.
@cache_control(private=True, no_cache=True)
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The public gets the notice while it is under publicity (like its page); the staff who can see the notice
    (its district, the city) get it at any time."""
    notice = selectors.notice_list_public().filter(pk=pk).first()
    if notice is None:
        notice = get_object_or_404(selectors.notice_visible(user=request.user), pk=pk)  # type: ignore[arg-type]
    # The copy stored at publication, read from its file (rendered and stored now if it has none).
    pdf, stored = documents.notice_paper(notice=notice)
    return _pdf_response(pdf, f"公示-{notice.reference}.pdf", f"{notice.reference}.pdf", stored)
