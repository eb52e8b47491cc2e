"""Pages of the shared core: the public home and policy guide, the per-role workspace."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from portal import selectors
from portal.constants import Programme, Role
from portal.models import SubsidyCap
from portal.security.passwords import password_chosen
from portal.web.decorators import permission_required
from portal.web.forms import LoginForm, PortalPasswordChangeForm
from portal.web.public_cache import public_page
from portal.workspace import ROLE_DUTIES, work_links_for, work_queues_for


class LoginView(auth_views.LoginView):
    """Django's sign-in page with ``LoginForm``; an address refused for failing across many user names is answered
    429 (Too Many Requests), the form and its message in the body."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="address_blocked"):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """Signs out (POST only, as Django's) and says so on the page it lands on (LOGOUT_REDIRECT_URL)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # After the session is flushed: the message travels in its own cookie to the next page.
        messages.success(request, "您已安全退出。如在公共电脑上使用，请关闭浏览器。")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (it keeps the session signed in), which also ends an initial password's hold
    (``portal.security.passwords``)."""

    form_class = PortalPasswordChangeForm
    success_url = "/workspace/"

    def form_valid(self, form: PortalPasswordChangeForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            password_chosen(user=form.user)
        messages.success(self.request, "密码已修改。")
        return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The year is Shanghai's: on the evening of 31 December UTC it is already the new year in Chongqing.
    year = timezone.localdate().year
    targets = selectors.annual_targets_of(year=year)
    return render(
        request,
        "portal/home.html",
        {
            "caps": SubsidyCap.objects.order_by("channel", "-effective_from"),
            "target_year": year,
            "qihang_target": targets.get(Programme.QIHANG),
            "haiju_target": targets.get(Programme.HAIJU),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
@public_page()
def policies(request: HttpRequest) -> HttpResponse:
    keyword = request.GET.get("q", "").strip()[:50]
    try:
        category_id = int(request.GET.get("category", "") or 0) or None
    except ValueError:
        category_id = None
    found = selectors.policy_search(keyword=keyword, category_id=category_id)
    # A history restore (back button after hx-push-url) needs the whole page, not the rows.
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = bool(htmx) and not htmx.history_restore_request
    template = "portal/_policy_rows.html" if partial else "portal/policies.html"
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
        {
            "role_label": Role(user.role).label,  # type: ignore[union-attr]
            "duties": ROLE_DUTIES.get(user.role, ""),  # type: ignore[union-attr]
            "queues": work_queues_for(user),  # type: ignore[arg-type]
            "links": work_links_for(user),  # type: ignore[arg-type]
        },
    )


@permission_required("portal.list_employers")
@require_GET
def employer_list(request: HttpRequest) -> HttpResponse:
    keyword = request.GET.get("q", "").strip()[:50]
    employers = selectors.employer_list_visible(user=request.user, keyword=keyword)  # type: ignore[arg-type]
    page = Paginator(employers, 50).get_page(request.GET.get("page"))
    query = urlencode({"q": keyword}) if keyword else ""
    return render(request, "portal/employer_list.html", {"page": page, "keyword": keyword, "query": query})


@permission_required("portal.list_employers")
@require_GET
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Scoped before the look-up: another district's employer is a 404, indistinguishable from none.
    employer = get_object_or_404(selectors.employer_list_visible(user=request.user), pk=pk)  # type: ignore[arg-type]
    return render(request, "portal/employer_detail.html", {"employer": employer})
