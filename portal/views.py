"""Pages of the shared core: the public home and policy guide, the per-role workspace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal import selectors
from portal.constants import Role
from portal.models import AnnualTarget, SubsidyCap
from portal.workspace import work_queues_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "caps": SubsidyCap.objects.order_by("channel", "-effective_from"),
            "targets": AnnualTarget.objects.order_by("-year", "programme")[:2],
        },
    )


@require_GET
def policies(request: HttpRequest) -> HttpResponse:
    keyword = request.GET.get("q", "").strip()[:50]
    try:
        category_id = int(request.GET.get("category", "") or 0) or None
    except ValueError:
        category_id = None
    found = selectors.policy_search(keyword=keyword, category_id=category_id)
    template = "portal/_policy_rows.html" if request.htmx else "portal/policies.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "policies": found,
            "categories": selectors.policy_categories(),
            "keyword": keyword,
            "category_id": category_id,
        },
    )


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "portal/workspace.html",
        {"role_label": Role(user.role).label, "queues": work_queues_for(user)},  # type: ignore[union-attr,arg-type]
    )
