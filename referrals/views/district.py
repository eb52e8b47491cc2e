"""The office's desk for Annex 3: record arrivals, audit, publicise (or exempt), resolve objections. The office is a
district, or the talent centre for hires without a district (docs/roles.md, "The office of record"): the same pages
serve both, given the ``Office`` of the user.

Thin: parse, call a service or selector, render; every rule lives in ``referrals.services`` and ``referrals.workflow``.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import permissions as p
from portal.contacts import TALENT_CENTRE_CODE
from portal.dates import prose_date
from portal.errors import PermissionDenied, PortalError
from portal.models import District, User
from portal.security.privacy import personal_data_reveal
from portal.web.decorators import permission_required
from portal.web.http import client_address, redirect_back, request_user
from portal.web.moves import MoveView
from portal.workflow import moves_open
from referrals import selectors, services
from referrals.constants import HireStatus
from referrals.forms import HireForm, PublishForm
from referrals.models import Hire
from referrals.offices import Office, office_of
from referrals.services import HIRE_EDITABLE
from referrals.workflow import MOVES, office_editor_of_record

PAGE_SIZE = 30


def _show_error(form: Any, error: PortalError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _office(user: User) -> Office:
    """The office of a user the page's permission let in (district staff, or the talent centre)."""
    office = office_of(user)
    assert office is not None  # referrals.run_publicity: district staff (who always have a district) or the centre
    return office


@permission_required("referrals.view_hires")
@require_GET
def hire_list(request: HttpRequest) -> HttpResponse:
    """District staff: their district's hires by state, with the move each waits for. City staff: every district's,
    read only (the talent centre works on its own hires at ``centre_hires``). An employer has its own page."""
    user = request_user(request)
    if rules.has_perm("referrals.confirm_as_employer", user):
        return redirect("referrals:employer_hires")
    office = office_of(user) if p.is_district_staff.test(user) else None
    return _hire_list(request, user=user, office=office)


@permission_required("referrals.audit_hires_without_district")
@require_GET
def centre_hires(request: HttpRequest) -> HttpResponse:
    """基地人员审核: the talent centre's desk of hires without a district, the district's page for its office."""
    user = request_user(request)
    return _hire_list(request, user=user, office=Office(None))


def _hire_list(request: HttpRequest, *, user: User, office: Office | None) -> HttpResponse:
    """The hires of ``office`` with their buttons, or (``office`` None) every hire the user may read, by district."""
    status = request.GET.get("status", "")
    if status not in HireStatus.values:
        status = ""
    visible = selectors.hire_visible(user=user)
    district_code = ""
    if office is not None:
        visible = visible.filter(office.owns())
    else:
        district_code = request.GET.get("district", "")
        if district_code == TALENT_CENTRE_CODE:
            visible = visible.filter(district__isnull=True)
        elif district_code:
            visible = visible.filter(district__code=district_code)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    rows = visible.filter(status=status) if status else visible
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/hire_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in HireStatus.choices],
            "total": sum(counts.values()),
            "office": office,
            "districts": District.objects.order_by("order", "code") if office is None else None,
            "centre_code": TALENT_CENTRE_CODE,
            "district_code": district_code,
            "is_clerk": office is not None and rules.has_perm("referrals.record_hire", user),
            # Correct and resubmit: the district's clerk, or the talent centre's officers on their own desk.
            "can_correct": office is not None and rules.has_perm("referrals.correct_hire", user),
            "is_reviewer": office is not None and rules.has_perm("referrals.review_hire", user),
            "can_publish": office is not None and rules.has_perm("referrals.run_publicity", user),
            "editable": HIRE_EDITABLE,
            "reviewable": MOVES["return"].source,
            "here": request.get_full_path(),
        },
    )


@permission_required("referrals.record_hire")
@require_http_methods(["GET", "POST"])
def hire_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    assert user.district is not None  # a clerk always has a district (portal.models.User constraint)
    form = HireForm(request.POST or None, district=user.district)
    if request.method == "POST" and form.is_valid():
        try:
            hire = services.hire_record(data=form.hire_data(), by=user)
        except PortalError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"已登记到岗人员：{hire.name}，等待初审。")
            if "another" in request.POST:
                return redirect("referrals:hire_create")
            return redirect("referrals:hire_list")
    return render(
        request,
        "referrals/hire_form.html",
        {"form": form, "hire": None, "no_posts": not selectors.hirable_positions(district=user.district).exists()},
    )


@permission_required("referrals.correct_hire")
@require_http_methods(["GET", "POST"])
def hire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改: the office of record corrects a hire — a district's clerk its district's, the talent centre's officers a
    hire without a district (docs/workflows.md, "Hires without a district"). Another office's hire is not found."""
    user = request_user(request)
    hire = get_object_or_404(selectors.hire_office_editable(user=user), pk=pk)
    if not office_editor_of_record.test(user, hire):
        raise Http404
    if hire.status not in HIRE_EDITABLE:
        messages.error(request, f"{hire.name}当前状态为“{hire.get_status_display()}”，不能修改。")
        return redirect("referrals:hire_detail", pk=hire.pk)
    if request.method == "GET":
        # The form holds the whole ID number for the office to correct: recorded like any other reveal.
        personal_data_reveal(
            obj=hire,
            field="id_number",
            by=user,
            allowed=rules.has_perm("referrals.reveal_id_number", user, hire),
            purpose="修改到岗人员",
            remote_addr=client_address(request),
        )
    form = HireForm(request.POST or None, initial=HireForm.initial_from(hire), hire=hire)
    if request.method == "POST" and form.is_valid():
        try:
            # The hire as this page showed it: saved since (another window, a colleague), the save is refused.
            services.hire_update(hire=hire, data=form.hire_data(), by=user, opened_at=form.cleaned_data["opened_at"])
        except PortalError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"已保存修改：{form.cleaned_data['name']}。")
            return redirect("referrals:hire_detail", pk=hire.pk)
    return render(request, "referrals/hire_form.html", {"form": form, "hire": hire, "office": Office(hire.district)})


@permission_required("referrals.view_hires")
@require_GET
def hire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    hire = get_object_or_404(selectors.hire_visible(user=user), pk=pk)
    return render(
        request,
        "referrals/hire_detail.html",
        {
            "hire": hire,
            "objections": hire.objections.select_related("resolved_by").order_by("created_at"),
            "moves": moves_open(MOVES, obj=hire, user=user),
            "can_edit": office_editor_of_record.test(user, hire) and hire.status in HIRE_EDITABLE,
            "can_reveal": rules.has_perm("referrals.reveal_id_number", user, hire),
            # Back to the desk the hire is worked on: the talent centre's for its own hires, else the list.
            "at_centre_desk": hire.district_id is None and p.is_talent_centre.test(user),
            "here": request.get_full_path(),
        },
    )


class HireMoveView(MoveView):
    moves = MOVES
    default_url = "referrals:hire_list"

    def visible(self, user: User) -> QuerySet[Hire]:
        return selectors.hire_office_visible(user=user)

    def make_move(self, obj: Hire, *, action: str, by: User, reason: str) -> None:
        services.hire_move(hire=obj, action=action, by=by, reason=reason)


hire_move = permission_required("referrals.act_on_hires")(HireMoveView.as_view())


@permission_required("referrals.act_on_hires")
@require_POST
def hire_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole ID number, for the staff of the hire's office of record, recorded each time (htmx swaps it into the
    page)."""
    user = request_user(request)
    hire = get_object_or_404(selectors.hire_office_visible(user=user), pk=pk)
    try:
        number = personal_data_reveal(
            obj=hire,
            field="id_number",
            by=user,
            allowed=rules.has_perm("referrals.reveal_id_number", user, hire),
            purpose="到岗人员审核",
            remote_addr=client_address(request),
        )
    except PortalError as error:
        return HttpResponse(error.message, status=403, content_type="text/plain; charset=utf-8")
    return render(request, "referrals/_id_number.html", {"number": number})


@permission_required("referrals.run_publicity")
@require_http_methods(["GET", "POST"])
def notice_publish(request: HttpRequest) -> HttpResponse:
    """Choose audited hires of the user's office; publish them in one notice for 5 working days, or mark them exempt
    with the rule."""
    user = request_user(request)
    office = _office(user)
    audited = selectors.hire_office_list(office=office, status=HireStatus.AUDITED).order_by("pk")
    default_title = selectors.notice_next_default_title(district=office.district, on=timezone.localdate())
    can_exempt = rules.has_perm("referrals.exempt_from_publicity", user)
    form = PublishForm(request.POST or None, default_title=default_title, can_exempt=can_exempt)
    if request.method == "POST" and form.is_valid():
        # An exemption is chosen person by person in its own list (none ticked to begin with): the publication's
        # ticks, all on by default, never carry anyone past the publicity.
        exempting = request.POST.get("action") == "exempt"
        ids = {int(value) for value in request.POST.getlist("exempt_ids" if exempting else "ids") if value.isdigit()}
        chosen = [hire for hire in audited if hire.pk in ids]
        if not chosen or len(chosen) != len(ids):
            nobody = "请在“按规定不公示”中逐一勾选不公示的人员。" if exempting else "请先勾选要公示的人员。"
            messages.error(request, nobody if not ids else "所选人员中有不在待公示状态的人员，请刷新后重选。")
        else:
            try:
                if exempting:
                    if not can_exempt:
                        raise PermissionDenied("只有本区县初审人员可以办理按规定不公示。")
                    services.hire_exempt(
                        hires=chosen,
                        rule=form.cleaned_data["exemption_rule"],
                        note=form.cleaned_data["exemption_note"],
                        by=user,
                    )
                    messages.success(request, f"已按规定不公示并确认{len(chosen)}人。")
                    return redirect(office.hires_url)
                notice = services.notice_publish(
                    hires=chosen,
                    published_on=form.cleaned_data["published_on"],
                    title=form.cleaned_data["title"],
                    by=user,
                )
            except PortalError as error:
                _show_error(form, error)
            else:
                messages.success(
                    request,
                    f"已发布公示{notice.reference}，共{len(chosen)}人，公示至{prose_date(notice.last_day)}。",
                )
                return redirect("referrals:notice_detail", pk=notice.pk)
    return render(
        request,
        "referrals/notice_publish.html",
        {"form": form, "audited": audited, "office": office, "can_exempt": can_exempt},
    )


@permission_required("referrals.run_publicity")
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    office = _office(request_user(request))
    page = Paginator(selectors.notice_office_list(office=office), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/notice_list.html", {"page": page, "now": timezone.now(), "office": office})


@permission_required("referrals.run_publicity")
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    notice = get_object_or_404(selectors.notice_visible(user=user), pk=pk)
    hires = selectors.hire_visible(user=user).filter(notice=notice).prefetch_related("objections").order_by("pk")
    return render(
        request,
        "referrals/notice_detail.html",
        {"notice": notice, "hires": hires, "open": notice.closes_at > timezone.now(), "office": _office(user)},
    )


@permission_required("referrals.run_publicity")
@require_GET
def objection_queue(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "referrals/objection_queue.html",
        {"objections": selectors.objection_queue(user=user), "here": request.get_full_path(), "office": _office(user)},
    )


@permission_required("referrals.run_publicity")
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objection = get_object_or_404(selectors.objection_queue(user=user), pk=pk)
    upheld = request.POST.get("decision") == "upheld"
    try:
        services.objection_resolve(objection=objection, upheld=upheld, reason=request.POST.get("reason", ""), by=user)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        outcome = "异议成立，该人员公示未通过" if upheld else "异议不成立"
        messages.success(request, f"已处理异议{objection.receipt}：{outcome}。")
    return redirect_back(request, reverse("referrals:objection_queue"))
