"""Third parties' declarations: the third party declares the people it introduced (a form or an Annex 3 sheet) and
follows them (我的推荐申报); the employer confirms or declines each (第三方申报待确认).

Thin: parse, call one service or selector, render; the rules are ``referrals.declarations``'.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import permissions as p
from portal.contacts import TALENT_CENTRE
from portal.dates import prose_date
from portal.errors import PortalError
from portal.imports.sheets import PortalImportError
from portal.imports.uploads import PendingUpload, read_upload
from portal.models import Employer, User
from portal.web.decorators import permission_required
from portal.web.http import redirect_back, request_user
from referrals import declarations, importing, selectors
from referrals.constants import DeclarationStatus, HireStatus, IntroductionStage
from referrals.forms import (
    DeclarationSheetForm,
    DeclaredPeopleFormSet,
    DeclaredPostForm,
    grown_people_formset,
)
from referrals.models import Declaration

PAGE_SIZE = 30
#: How many employers a search lists at most: the third party narrows the search rather than scrolls.
EMPLOYER_MATCHES = 20
SHEET_UPLOAD = PendingUpload("referrals_declaration_upload")

#: What the third party reads for a confirmed person: the hire's way through the audit (``IntroductionStage``).
HIRE_STAGE_LABELS = {
    IntroductionStage.RECORDED: "待初审",
    IntroductionStage.AUDITED: "初审通过",
    IntroductionStage.IN_PUBLICITY: "公示中",
    IntroductionStage.CONFIRMED: "已确认（可申报补助）",
    IntroductionStage.FAILED: "异议成立",
    IntroductionStage.EMPLOYER_DECLINED: "单位不予确认",
    IntroductionStage.AWAITING_EMPLOYER: "待单位确认",
}


def follow_stage(person: Any) -> tuple[str, str]:
    """(label, badge class) of where a declared person stands, from the declaration to the claim."""
    if getattr(person, "claim_reference", None):
        return "已申报补助", "text-bg-primary"
    if person.status == DeclarationStatus.PENDING:
        return "待单位确认", "text-bg-warning"
    if person.status == DeclarationStatus.DECLINED:
        return "单位不予确认", "text-bg-danger"
    if person.status == DeclarationStatus.WITHDRAWN:
        return "已撤回", "text-bg-secondary"
    label = HIRE_STAGE_LABELS.get(person.hire_stage, "待初审")
    badge = {
        IntroductionStage.CONFIRMED: "text-bg-success",
        IntroductionStage.FAILED: "text-bg-danger",
    }.get(person.hire_stage, "text-bg-info")
    return label, badge


def follow_note(person: Any) -> str:
    """The line under a declared person's stage badge: the decline reason, or once confirmed, when the employer
    confirmed and who audits the hire (its office of record: docs/roles.md, "The office of record"), with what the
    badge does not say — a return for correction, the end of the publicity."""
    if person.status == DeclarationStatus.DECLINED:
        return f"原因：{person.decline_reason}"
    hire = person.hire if person.status == DeclarationStatus.CONFIRMED else None
    if hire is None:
        return ""
    office = f"{hire.district.name}人力社保局" if hire.district is not None else TALENT_CENTRE
    note = f"用人单位已于{prose_date(person.decided_at)}确认，由{office}审核"
    if hire.status == HireStatus.RETURNED:
        note += "，现退回修改，正在核对更正"
    elif hire.status == HireStatus.IN_PUBLICITY and hire.notice is not None:
        note += f"，公示至{prose_date(hire.notice.last_day)}（{hire.notice.reference}）"
    return note + "。"


@permission_required("referrals.declare_introductions")
@require_GET
def declaration_list(request: HttpRequest) -> HttpResponse:
    """我的推荐申报: each person the third party declared, where they stand."""
    user = request_user(request)
    status = request.GET.get("status", "")
    if status not in DeclarationStatus.values:
        status = ""
    people = selectors.declared_people_followed(user=user, status=status)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/declaration_list.html",
        {
            "page": page,
            "rows": [(person, *follow_stage(person), follow_note(person)) for person in page],
            # The 操作 column only when a row has a button (withdrawing a person still pending).
            "has_actions": any(person.status == DeclarationStatus.PENDING for person in page),
            "status": status,
            "tabs": DeclarationStatus.choices,
            "party": user.third_party,
            "can_declare": p.is_verified_third_party.test(user),
            "query": f"status={status}" if status else "",
        },
    )


def _employer(request: HttpRequest) -> Employer | None:
    pk = request.GET.get("employer") or request.POST.get("employer") or ""
    if not pk:
        return None
    return get_object_or_404(selectors.declarable_employers(), pk=pk if pk.isdigit() else 0)


@permission_required("referrals.declare_introductions")
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest) -> HttpResponse:
    """Pick the employer (search by name or credit code), then the post and the people: typed, or an Annex 3 sheet
    previewed row by row before it is declared whole."""
    user = request_user(request)
    employer = _employer(request)
    if employer is None:
        search = request.GET.get("q", "").strip()
        matches = selectors.declarable_employers(search=search)[:EMPLOYER_MATCHES] if search else []
        return render(request, "referrals/declaration_employer.html", {"search": search, "matches": matches})
    context: dict[str, Any] = {"employer": employer, "can_declare": p.is_verified_third_party.test(user)}
    action = request.POST.get("action", "")
    if request.method == "GET":
        context.update(
            post_form=DeclaredPostForm(employer=employer),
            formset=DeclaredPeopleFormSet(prefix="people"),
            sheet_post_form=DeclaredPostForm(employer=employer, prefix=DeclaredPostForm.SHEET_PREFIX),
            sheet_form=DeclarationSheetForm(),
        )
        return render(request, "referrals/declaration_form.html", context)
    if action in {"preview_sheet", "confirm_sheet"}:
        return _sheet(request, user=user, employer=employer, context=context, confirm=action == "confirm_sheet")
    post_form = DeclaredPostForm(request.POST, employer=employer)
    context.update(
        post_form=post_form,
        sheet_post_form=DeclaredPostForm(employer=employer, prefix=DeclaredPostForm.SHEET_PREFIX),
        sheet_form=DeclarationSheetForm(),
    )
    if action == "add_person":
        context["formset"] = grown_people_formset(request.POST)
        return render(request, "referrals/declaration_form.html", context)
    formset = DeclaredPeopleFormSet(request.POST, prefix="people")
    context["formset"] = formset
    if post_form.is_valid() and formset.is_valid():
        people = [form.person() for form in formset.forms if form.has_changed() and form.cleaned_data]
        try:
            declaration = declarations.declaration_submit(post=post_form.declared_post(), people=people, by=user)
        except PortalError as error:
            context["error"] = error.message
        else:
            return _declared(request, declaration)
    return render(request, "referrals/declaration_form.html", context, status=400 if request.method == "POST" else 200)


def _declared(request: HttpRequest, declaration: Declaration) -> HttpResponse:
    count = declaration.people.count()
    messages.success(
        request, f"已向{declaration.employer.name}申报{count}名人员（{declaration.post_name}），请等待用人单位确认。"
    )
    return redirect("referrals:declaration_list")


def _sheet(
    request: HttpRequest, *, user: User, employer: Employer, context: dict[str, Any], confirm: bool
) -> HttpResponse:
    post_form = DeclaredPostForm(request.POST, employer=employer, prefix=DeclaredPostForm.SHEET_PREFIX)
    sheet_form = DeclarationSheetForm(request.POST, request.FILES)
    context.update(
        post_form=DeclaredPostForm(employer=employer),
        formset=DeclaredPeopleFormSet(prefix="people"),
        sheet_post_form=post_form,
        sheet_form=sheet_form,
    )
    if not post_form.is_valid():
        return render(request, "referrals/declaration_form.html", context, status=400)
    post = post_form.declared_post()
    try:
        if confirm:
            path = SHEET_UPLOAD.path(request)
            if path is None:
                raise PortalError("预览的表格已失效，请重新上传。", "upload_expired")
            declaration = importing.declare_from_sheet(file=path.read_bytes(), post=post, by=user)
            SHEET_UPLOAD.discard(request)
            return _declared(request, declaration)
        if not sheet_form.is_valid():
            return render(request, "referrals/declaration_form.html", context, status=400)
        upload = sheet_form.cleaned_data["file"]
        data = read_upload(upload)
        preview = importing.preview_declared_people(file=data, post=post, by=user)
        SHEET_UPLOAD.store(request, data=data, filename=upload.name)
    except PortalImportError as error:
        context["error"] = error.message
        context["row_errors"] = error.errors
        return render(request, "referrals/declaration_form.html", context, status=400)
    except PortalError as error:
        context["error"] = error.message
        return render(request, "referrals/declaration_form.html", context, status=400)
    context.update(preview=preview, filename=upload.name)
    return render(request, "referrals/declaration_preview.html", context)


@permission_required("referrals.declare_introductions")
@require_POST
def declared_person_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = get_object_or_404(selectors.declared_people_followed(user=user), pk=pk)
    try:
        declarations.declared_person_withdraw(person=person, by=user)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已撤回对{person.name}的申报。")
    return redirect_back(request, reverse("referrals:declaration_list"))


# --- the employer -------------------------------------------------------------------------------------------------


@permission_required("referrals.confirm_as_employer")
@require_GET
def employer_declarations(request: HttpRequest) -> HttpResponse:
    """第三方申报待确认: the people third parties declared at the company, competing declarations marked."""
    user = request_user(request)
    pending_only = request.GET.get("all") != "1"
    people = selectors.employer_declared_people(user=user, pending_only=pending_only)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/employer_declarations.html",
        {
            "page": page,
            "employer": user.employer,
            "pending_only": pending_only,
            "here": request.get_full_path(),
            "query": "" if pending_only else "all=1",
        },
    )


@permission_required("referrals.confirm_as_employer")
@require_POST
def employer_declaration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = get_object_or_404(selectors.employer_declared_people(user=user), pk=pk)
    confirmed = request.POST.get("decision") == "confirm"
    try:
        declarations.declared_person_decide(
            person=person, confirmed=confirmed, by=user, reason=request.POST.get("reason", "")
        )
    except PortalError as error:
        messages.error(request, f"{person.name}：{error.message}")
        return redirect_back(request, reverse("referrals:employer_declarations"), refused=True)
    if confirmed:
        messages.success(
            request, f"已确认：{person.name}由{person.declaration.third_party.name}推荐引进，已转入区县审核。"
        )
    else:
        messages.success(request, f"已不予确认：{person.name}。")
    return redirect_back(request, reverse("referrals:employer_declarations"))
