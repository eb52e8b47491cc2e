"""/help/: the guide of the signed-in role (the public's for anonymous visitors), any other role's for staff, and each
as a printable PDF."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal import permissions as p
from portal import selectors
from portal.constants import Programme
from portal.guide.content import GUIDES, PUBLIC, Guide, Step
from portal.models import SubsidyCap
from portal.pdf import render_pdf


def screenshot_name(role: str, step: Step) -> str:
    """The static name of a step's screenshot (written by tests/browser/test_guides.py)."""
    return f"guide/{role}/{step.key}.png"


def own_guide_role(user: object) -> str:
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    return role if role in GUIDES else PUBLIC


def may_read(user: object, role: str) -> bool:
    """Everyone reads the public guide and their own; staff (district, city, admin) may read every role's."""
    if role == PUBLIC or role == own_guide_role(user):
        return True
    return bool(p.is_staff_role.test(user) or p.is_admin.test(user))


@dataclass(frozen=True)
class ShownStep:
    step: Step
    url: str
    image: str  #: the screenshot's static URL, or "" while none was taken


def _context(request: HttpRequest, guide: Guide) -> dict[str, object]:
    sections = [
        (
            section,
            [
                ShownStep(
                    step,
                    reverse(step.url_name),
                    static(screenshot_name(guide.role, step))
                    if finders.find(screenshot_name(guide.role, step))
                    else "",
                )
                for step in section.steps
            ],
        )
        for section in guide.sections
    ]
    others = [other for role, other in GUIDES.items() if role != guide.role and may_read(request.user, role)]
    # The figures the guide's rules speak of, as the portal applies them today, each with where it comes from.
    today = timezone.localdate()
    targets = selectors.annual_targets_of(year=today.year)
    return {
        "guide": guide,
        "sections": sections,
        "others": others,
        "caps": list(SubsidyCap.objects.in_force_on(today).order_by("channel", "effective_from")),
        "targets": [targets[programme] for programme in Programme if programme in targets],
        "target_year": today.year,
    }


def _readable_guide(request: HttpRequest, role: str) -> Guide | HttpResponse:
    guide = GUIDES.get(role)
    if guide is None:
        raise Http404("没有这份操作指南。")
    if not may_read(request.user, role):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("没有这份操作指南。")
    return guide


@require_GET
def guide_home(request: HttpRequest) -> HttpResponse:
    return guide_detail(request, own_guide_role(request.user))


@require_GET
def guide_detail(request: HttpRequest, role: str) -> HttpResponse:
    guide = _readable_guide(request, role)
    if isinstance(guide, HttpResponse):
        return guide
    return render(request, "portal/guide/guide.html", _context(request, guide))


@require_GET
def guide_pdf(request: HttpRequest, role: str) -> HttpResponse:
    guide = _readable_guide(request, role)
    if isinstance(guide, HttpResponse):
        return guide
    pdf = render_pdf("pdf/guide.html", _context(request, guide), cache_timeout=3600)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guide-{guide.role}.pdf"'
    return response
