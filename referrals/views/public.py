"""Public publicity pages (公示) and objections. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.contacts import TALENT_CENTRE, objection_contacts
from portal.errors import PortalError
from portal.web.public_cache import public_page
from referrals import selectors, services
from referrals.forms import ObjectionForm

#: Objections per address per hour: enough for a person, too few for a flood.
OBJECTIONS_PER_HOUR = 5


@require_GET
@public_page(until=selectors.notice_public_next_change)
def publicity_list(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/publicity_list.html", {"notices": selectors.notices_public_with_counts()})


def _rate_limited(request: HttpRequest) -> bool:
    key = f"objection-rate:{request.META.get('REMOTE_ADDR', '')}"
    count = cache.get_or_set(key, 0, timeout=3600) or 0
    if count >= OBJECTIONS_PER_HOUR:
        return True
    cache.incr(key)
    return False


@require_http_methods(["GET", "POST"])
@public_page(until=selectors.notice_public_next_change)
def publicity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.notice_list_public(), pk=pk)
    hires = list(selectors.notice_public_hires(notice=notice))
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hire = next((h for h in hires if h.pk == form.cleaned_data["hire"]), None)
        if hire is None:
            raise Http404
        if _rate_limited(request):
            messages.error(request, "提交过于频繁，请一小时后再试。")
        else:
            try:
                objection = services.objection_lodge(
                    hire=hire,
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    statement=form.cleaned_data["statement"],
                )
            except PortalError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                # The office of record handles it: the district's bureau, or the talent centre for its own notices.
                office = "区县人力社保部门" if notice.district_id is not None else TALENT_CENTRE
                messages.success(
                    request, f"异议已受理，回执编号：{objection.receipt}。{office}将核查处理，请保持电话畅通。"
                )
                return redirect(request.path)
    return render(
        request,
        "referrals/publicity_detail.html",
        {"notice": notice, "hires": hires, "form": form, "contacts": objection_contacts(notice.district)},
    )
