"""Printed documents: the publicity notice as a PDF. Thin: find what the visitor may see, print it, serve it."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from referrals import documents, selectors


def _pdf_response(pdf: bytes, filename: str, ascii_filename: str) -> HttpResponse:
    """Shown in the browser (inline); the Chinese name per RFC 5987/6266, an ASCII one for older clients."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"
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
    page_url = request.build_absolute_uri(reverse("referrals:publicity_detail", args=[notice.pk]))
    pdf = documents.notice_pdf(notice=notice, page_url=page_url)
    return _pdf_response(pdf, f"公示-{notice.reference}.pdf", f"{notice.reference}.pdf")
