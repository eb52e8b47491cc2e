"""每旬上报: the district sends its newly confirmed hires to the city each 旬; the city sees who has, who is late."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.contacts import TALENT_CENTRE_CODE
from portal.errors import PortalError
from portal.web.decorators import permission_required
from portal.web.http import period_from, request_user
from referrals import selectors, services
from referrals.models import HireReport


@permission_required("referrals.view_district_hires")
@require_http_methods(["GET", "POST"])
def report_district(request: HttpRequest) -> HttpResponse:
    """One 旬: the report if sent (with its hires), else the hires it would carry and, for the reviewer, the send
    button; below, the district's earlier reports."""
    user = request_user(request)
    district = user.district
    assert district is not None  # district staff always have one
    period = period_from(request)
    if request.method == "POST":
        try:
            sent = services.hire_report_send(
                district=district, period=period, by=user, note=request.POST.get("note", "")
            )
        except PortalError as error:
            messages.error(request, error.message)
        else:
            count = sent.hires.count()
            late = "（逾期报送）" if sent.is_late else ""
            what = f"共{count}人" if count else "零报告（本旬无新确认人员）"
            messages.success(request, f"已报送{period.label}入职结果，{what}{late}。")
        return redirect(f"{reverse('referrals:report_district')}?period={period}")
    report = HireReport.objects.filter(district=district, period=str(period)).select_related("sent_by").first()
    now = timezone.now()
    hires = (
        report.hires.select_related("employer", "third_party").order_by("confirmed_at", "pk")
        if report
        else selectors.report_pending_hires(district=district, until=min(now, period.closes_at))
    )
    return render(
        request,
        "referrals/report_district.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "report": report,
            "hires": hires,
            "started": now >= period.closes_at or period.contains(timezone.localdate(now)),
            "overdue": report is None and now > period.closes_at,
            "can_send": report is None and rules.has_perm("referrals.send_report", user),
            "history": selectors.report_visible(user=user).order_by("-period")[:12],
        },
    )


@permission_required("referrals.view_city_reports")
@require_http_methods(["GET"])
def report_city(request: HttpRequest) -> HttpResponse:
    period = period_from(request)
    reports = selectors.city_hire_reports(period=period)
    states = [report.state for report in reports]
    return render(
        request,
        "referrals/report_city.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "reports": reports,
            "counts": {state: states.count(state) for state in ("sent", "late", "zero", "missing", "open")},
            "total_hires": sum(report.hires for report in reports),
            "centre_hires": selectors.hires_confirmed_without_district(period=period),
            "centre_code": TALENT_CENTRE_CODE,
        },
    )
