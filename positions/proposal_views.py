"""Pages of employers' post proposals: the employer proposes its own posts (form or its Annex 1 sheet) and follows
them; the district's clerk adopts them into the running 旬 or returns them. Thin: the rules are in
``positions.proposals`` and ``positions.workflow.PROPOSAL_MOVES``."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.calendar import TenDayPeriod
from portal.errors import PortalError
from portal.imports.pages import NO_FILE, NOTHING_PENDING
from portal.imports.sheets import PortalImportError
from portal.imports.uploads import PendingUpload, read_upload
from portal.web.decorators import permission_required
from portal.web.http import redirect_back, request_user
from portal.workbooks import xlsx_response
from positions import proposals, selectors
from positions.constants import PositionStatus, ProposalStatus
from positions.exporting import position_template_workbook
from positions.forms import Annex1Form, ProposalSheetForm
from positions.models import PostProposal
from positions.workflow import PROPOSAL_MOVES

#: The clerk's queue filters: status → tab label (the first is the default: what waits for the clerk).
QUEUE_TABS = {
    ProposalStatus.PROPOSED: "待处理",
    ProposalStatus.ADOPTED: "已采纳",
    ProposalStatus.RETURNED: "已退回",
    ProposalStatus.WITHDRAWN: "单位已撤回",
}
PENDING_SHEET = PendingUpload("proposals_import_upload")


def _show_error(form: Annex1Form, error: PortalError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# ---- The employer ---------------------------------------------------------------------------------------------


@permission_required("positions.propose")
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    """我的岗位需求: each proposal with what became of it (the reason of a return, the adopted post's state)."""
    user = request_user(request)
    return render(
        request,
        "positions/proposal_list.html",
        {
            "employer": user.employer,
            "proposals": selectors.proposal_of_employer(user=user).order_by("-proposed_at", "-pk"),
            "no_district": proposals.NO_DISTRICT if user.employer and user.employer.district_id is None else "",
            "withdraw": PROPOSAL_MOVES["withdraw"],
            "published": PositionStatus.PUBLISHED,
            "here": request.get_full_path(),
        },
    )


def _refuse_without_district(request: HttpRequest) -> HttpResponse | None:
    user = request_user(request)
    if user.employer is None or user.employer.district_id is None:
        messages.error(request, proposals.NO_DISTRICT)
        return redirect("positions:proposal_list")
    return None


@permission_required("positions.propose")
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    """One post per submission; 提交并继续填写 comes back to an empty form for the next one."""
    refused = _refuse_without_district(request)
    if refused is not None:
        return refused
    user = request_user(request)
    employer = user.employer
    assert employer is not None
    form = Annex1Form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposals.proposal_create(data=form.position_data(employer), by=user)
        except PortalError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"已向{proposal.district.name}提出岗位需求：{proposal.name}。")
            if "another" in request.POST:
                return redirect("positions:proposal_create")
            return redirect("positions:proposal_list")
    return render(request, "positions/proposal_form.html", {"form": form, "employer": employer, "proposal": None})


@permission_required("positions.propose")
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A returned proposal, corrected and proposed again."""
    user = request_user(request)
    proposal = get_object_or_404(selectors.proposal_of_employer(user=user), pk=pk)
    if proposal.status != ProposalStatus.RETURNED:
        messages.error(request, f"岗位需求“{proposal.name}”当前状态为“{proposal.get_status_display()}”，不能修改。")
        return redirect("positions:proposal_list")
    refused = _refuse_without_district(request)
    if refused is not None:
        return refused
    form = Annex1Form(request.POST or None, initial=Annex1Form.initial_from(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposals.proposal_repropose(
                proposal=proposal, data=form.position_data(proposal.employer), by=user
            )
        except PortalError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"已修改并重新提出岗位需求：{proposal.name}。")
            return redirect("positions:proposal_list")
    return render(
        request, "positions/proposal_form.html", {"form": form, "employer": proposal.employer, "proposal": proposal}
    )


@permission_required("positions.propose")
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    proposal = get_object_or_404(selectors.proposal_of_employer(user=user), pk=pk)
    try:
        proposals.proposal_withdraw(proposal=proposal, by=user)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已撤回岗位需求：{proposal.name}。")
    return redirect_back(request, reverse("positions:proposal_list"))


@permission_required("positions.propose")
@require_http_methods(["GET", "POST"])
def proposal_import(request: HttpRequest) -> HttpResponse:
    """The employer's own Annex 1 sheet: upload → every row with its errors → confirm, all rows or none."""
    refused = _refuse_without_district(request)
    if refused is not None:
        return refused
    user = request_user(request)
    employer = user.employer
    assert employer is not None and employer.district is not None
    form = ProposalSheetForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "employer": employer, "district": employer.district}
    if request.method == "POST" and form.is_valid():
        if "confirm" in request.POST:
            pending = PENDING_SHEET.path(request)
            if pending is None:
                messages.error(request, NOTHING_PENDING)
            else:
                try:
                    created = proposals.proposals_import(file=pending, by=user)
                except PortalImportError as error:
                    context["errors"] = error.errors
                    messages.error(request, error.message)
                except PortalError as error:
                    messages.error(request, error.message)
                else:
                    PENDING_SHEET.discard(request)
                    messages.success(request, f"已向{employer.district.name}提出岗位需求{len(created)}个。")
                    return redirect("positions:proposal_list")
        elif request.FILES.get("file"):
            upload = cast(UploadedFile, request.FILES["file"])
            data = read_upload(upload)
            try:
                preview = proposals.proposals_preview(file=data, by=user)
            except PortalError as error:
                form.add_error("file", error.message)
            else:
                PENDING_SHEET.store(request, data=data, filename=upload.name or "")
                context.update(preview=preview, filename=upload.name)
        else:
            form.add_error("file", NO_FILE)
    return render(request, "positions/proposal_import.html", context)


@permission_required("positions.propose")
@require_GET
def proposal_template(request: HttpRequest) -> HttpResponse:
    """The blank Annex 1 sheet, the same the districts fill."""
    return xlsx_response(position_template_workbook(), "卓越工程师岗位表（模板）.xlsx")


# ---- The district's clerk -------------------------------------------------------------------------------------


@permission_required("positions.handle_proposals")
@require_GET
def proposal_queue(request: HttpRequest) -> HttpResponse:
    """单位岗位需求: the proposals of the district's employers, those waiting first."""
    user = request_user(request)
    status = request.GET.get("status", ProposalStatus.PROPOSED)
    if status not in QUEUE_TABS:
        status = ProposalStatus.PROPOSED
    found = selectors.proposal_of_district(user=user)
    counts = {key: found.filter(status=key).count() for key in QUEUE_TABS}
    rows = found.filter(status=status).order_by("proposed_at", "pk")
    return render(
        request,
        "positions/proposal_queue.html",
        {
            "status": status,
            "tabs": [(key, label, counts[key]) for key, label in QUEUE_TABS.items()],
            "rows": rows,
            "period": TenDayPeriod.current(),
            "here": request.get_full_path(),
        },
    )


@permission_required("positions.handle_proposals")
@require_http_methods(["GET", "POST"])
def proposal_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """The Annex 1 form filled with the proposal, for the clerk to check and edit; saving creates the post as a
    draft in the district's running 旬 (the clerk then submits it for review like any other)."""
    user = request_user(request)
    proposal = get_object_or_404(selectors.proposal_of_district(user=user), pk=pk)
    if proposal.status != ProposalStatus.PROPOSED:
        messages.error(request, f"岗位需求“{proposal.name}”当前状态为“{proposal.get_status_display()}”，不能采纳。")
        return redirect("positions:proposal_queue")
    form = Annex1Form(request.POST or None, initial=Annex1Form.initial_from(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            position = proposals.proposal_adopt(proposal=proposal, data=form.position_data(proposal.employer), by=user)
        except PortalError as error:
            if error.code == "invalid_transition":
                # Adopted (or withdrawn) meanwhile, e.g. by the first of two clicks: nothing to do twice.
                messages.error(request, error.message)
                return redirect("positions:proposal_queue")
            _show_error(form, error)
        else:
            messages.success(
                request,
                f"已采纳：{position.name}，已保存为{position.batch.ten_day_period.label}的岗位草稿。确认无误后请“提交初审”。",
            )
            return redirect(f"{reverse('positions:district_batch')}?period={position.batch.period}")
    return render(
        request,
        "positions/proposal_adopt.html",
        {"form": form, "proposal": proposal, "period": TenDayPeriod.current()},
    )


@permission_required("positions.handle_proposals")
@require_POST
def proposal_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    proposal: PostProposal = get_object_or_404(selectors.proposal_of_district(user=user), pk=pk)
    try:
        proposals.proposal_return(proposal=proposal, reason=request.POST.get("reason", ""), by=user)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect_back(request, reverse("positions:proposal_queue"), refused=True)
    messages.success(request, f"已退回岗位需求：{proposal.name}（{proposal.employer.name}）。")
    return redirect_back(request, reverse("positions:proposal_queue"))
