"""The employer's page: the hires at its company, and the Annex 3 confirmation of those a third party introduced."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal.errors import PortalError
from portal.web.decorators import permission_required
from portal.web.http import redirect_back, request_user
from referrals import selectors, services


@permission_required("referrals.confirm_as_employer")
@require_GET
def employer_hires(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "referrals/employer_hires.html",
        {"hires": selectors.employer_hires(user=user), "employer": user.employer, "here": request.get_full_path()},
    )


@permission_required("referrals.confirm_as_employer")
@require_POST
def employer_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    hire = get_object_or_404(selectors.employer_hires(user=user), pk=pk)
    confirmed = request.POST.get("decision") == "confirm"
    try:
        services.hire_employer_decide(hire=hire, confirmed=confirmed, by=user, reason=request.POST.get("reason", ""))
    except PortalError as error:
        messages.error(request, error.message)
    else:
        if confirmed:
            messages.success(request, f"已确认：{hire.name}由{hire.third_party}推荐引进。")
        else:
            messages.success(request, f"已不予确认：{hire.name}。")
    return redirect_back(request, reverse("referrals:employer_hires"))
