"""The claimant's pages: its claims, the Annex 2 form, attachments, submit and withdraw, the progress view."""

from __future__ import annotations

import io
import logging

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.concurrency import opened_at_value
from portal.errors import PortalError
from portal.models import Employer
from portal.security.crypto import FieldDecryptionError
from portal.web.decorators import permission_required, to_login
from portal.web.http import as_download, request_user
from subsidies import attachments, selectors, services
from subsidies.constants import EDITABLE_STATUSES, INTRODUCED_STAGES, ClaimStatus
from subsidies.forms import AttachmentForm, ClaimForm
from subsidies.models import Claim
from subsidies.progress import claim_progress, claimant_next_step
from subsidies.workflow import MOVES

logger = logging.getLogger(__name__)


def _own(request: HttpRequest, pk: int) -> Claim:
    """The claim if the user may see it; 404 otherwise (a guessed number tells nothing)."""
    return get_object_or_404(selectors.claim_detail(user=request_user(request)), pk=pk)


@permission_required("subsidies.claim")
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    claimable = list(selectors.claimable_hires(user=user))
    employers: dict[int, tuple[Employer, int]] = {}
    for hire in claimable:
        employer = hire.employer
        employers[employer.pk] = (employer, employers.get(employer.pk, (employer, 0))[1] + 1)
    return render(
        request,
        "subsidies/claim_list.html",
        {
            "claims": selectors.claim_visible(user=user),
            "employers": list(employers.values()),
            "party": user.third_party,
        },
    )


INTRODUCED_PAGE_SIZE = 50
#: The badge of each stage: what needs somebody's action stands out, what is done is quiet.
STAGE_BADGES = {
    "in_publicity": "text-bg-info",
    "awaiting_employer": "text-bg-warning",
    "claimable": "text-bg-success",
    "claimed": "text-bg-primary",
    "employer_declined": "text-bg-danger",
    "failed": "text-bg-secondary",
}


@permission_required("subsidies.claim")
@require_GET
def introduced_hires(request: HttpRequest) -> HttpResponse:
    """我推荐的人才: every hire the third party introduced and where it stands, from recorded to claimed."""
    user = request_user(request)
    stage = request.GET.get("stage", "")
    if stage not in dict(INTRODUCED_STAGES):
        stage = ""
    hires = selectors.introduced_hires(user=user, stage=stage)
    page = Paginator(hires, INTRODUCED_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(INTRODUCED_STAGES)
    return render(
        request,
        "subsidies/introduced_hires.html",
        {
            "page": page,
            "rows": [
                (hire, labels[hire.stage], STAGE_BADGES.get(hire.stage, "text-bg-light border"))
                for hire in page.object_list
            ],
            "stage": stage,
            "counts": selectors.introduced_hire_counts(user=user),
            "party": user.third_party,
            "query": f"stage={stage}" if stage else "",
        },
    )


def _show(form: ClaimForm, error: PortalError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@permission_required("subsidies.claim")
@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    employer_id = request.GET.get("employer", "")
    hires = [h for h in selectors.claimable_hires(user=user) if str(h.employer_id) == employer_id]
    if not hires:
        messages.error(request, "该用人单位没有可申报的人员（须公示确认并经单位确认，且未在其他申报中）。")
        return redirect("subsidies:claim_list")
    employer = hires[0].employer
    form = ClaimForm(
        request.POST or None,
        employer=employer,
        hires=hires,
        initial={"employer_contact": employer.contact_name, "employer_phone": employer.contact_phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(data=form.claim_data(), by=user)
        except PortalError as error:
            _show(form, error)
        else:
            messages.success(request, f"已保存申报草稿{claim.reference}。请下载申报表签字盖章，上传扫描件后提交。")
            return redirect("subsidies:claim_detail", pk=claim.pk)
    return render(request, "subsidies/claim_form.html", {"form": form, "employer": employer, "claim": None})


@permission_required("subsidies.claim")
@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    claim = _own(request, pk)
    if claim.status not in EDITABLE_STATUSES:
        messages.error(request, f"申报当前状态为“{claim.get_status_display()}”，不能修改。")
        return redirect("subsidies:claim_detail", pk=claim.pk)
    current = {item.hire: item.requested_amount for item in claim.items.all()}
    hires = list(current) + [h for h in selectors.claimable_hires(user=user) if h.employer_id == claim.employer_id]
    form = ClaimForm(
        request.POST or None,
        employer=claim.employer,
        hires=hires,
        initial={
            "employer_contact": claim.employer_contact,
            "employer_phone": claim.employer_phone,
            "declares_introduced": claim.declares_introduced,
            "declares_good_credit": claim.declares_good_credit,
            "declares_truthful": claim.declares_truthful,
            "lines": {hire.pk: amount for hire, amount in current.items()},
            "opened_at": opened_at_value(claim.updated_at),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            # The claim as this page showed it: saved since (another window), the save is refused.
            services.claim_update(
                claim=claim, data=form.claim_data(), by=user, opened_at=form.cleaned_data["opened_at"]
            )
        except PortalError as error:
            _show(form, error)
        else:
            messages.success(request, f"已保存{claim.reference}的修改。")
            return redirect("subsidies:claim_detail", pk=claim.pk)
    return render(request, "subsidies/claim_form.html", {"form": form, "employer": claim.employer, "claim": claim})


@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The claimant's view and the reviewers' read-only view of one claim, with its progress and history."""
    user = request_user(request)
    if not user.is_authenticated:
        return to_login(request)
    claim = _own(request, pk)
    events = list(claim.events.all())
    items = list(claim.items.all())
    is_claimant = rules.has_perm("subsidies.claim", user)
    return render(
        request,
        "subsidies/claim_detail.html",
        {
            "claim": claim,
            "items": items,
            "caps": selectors.caps_of_items(items=items),
            "events": events,
            "steps": claim_progress(claim, events),
            "is_claimant": is_claimant,
            "next_step": claimant_next_step(claim) if is_claimant else "",
            "editable": is_claimant and claim.status in EDITABLE_STATUSES,
            "can_withdraw": is_claimant
            and MOVES["withdraw"].who.test(user, claim)
            and claim.status in MOVES["withdraw"].source,
            "attachment_form": AttachmentForm(),
            "decided": claim.status in (ClaimStatus.APPROVED, ClaimStatus.PAID),
        },
    )


@permission_required("subsidies.claim")
@require_POST
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _own(request, pk)
    try:
        services.claim_submit(claim=claim, by=request_user(request))
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已提交申报{claim.reference}，等待市人才交流服务中心初审。")
    return redirect("subsidies:claim_detail", pk=claim.pk)


@permission_required("subsidies.claim")
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _own(request, pk)
    try:
        services.claim_withdraw(claim=claim, by=request_user(request), reason=request.POST.get("reason", ""))
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已撤回申报{claim.reference}，其中人员可重新申报。")
    return redirect("subsidies:claim_detail", pk=claim.pk)


@permission_required("subsidies.claim")
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _own(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择材料类别和要上传的文件。")
        return redirect("subsidies:claim_detail", pk=claim.pk)
    upload = form.cleaned_data["file"]
    try:
        attachment = attachments.attachment_add(
            claim=claim, kind=form.cleaned_data["kind"], upload=upload, filename=upload.name, by=request_user(request)
        )
    except PortalError as error:
        messages.error(request, f"{upload.name}：{error.message}")
    else:
        messages.success(request, f"已上传{attachment.get_kind_display()}：{attachment.original_name}。")
    return redirect("subsidies:claim_detail", pk=claim.pk)


@permission_required("subsidies.claim")
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    claim = _own(request, pk)
    attachment = get_object_or_404(claim.attachments.all(), pk=attachment_pk)
    try:
        attachments.attachment_remove(attachment=attachment, by=request_user(request))
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已删除{attachment.original_name}。")
    return redirect("subsidies:claim_detail", pk=claim.pk)


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Served by the portal, never by the web server: only the claimant and the city's reviewers get it, and only
    as a download (a file someone uploaded is never shown in the portal's pages or its origin). The file on disk is
    encrypted: what is served is the scan decrypted, byte for byte as it was uploaded."""
    if not request.user.is_authenticated:
        raise Http404
    claim = _own(request, pk)
    attachment = get_object_or_404(claim.attachments.all(), pk=attachment_pk)
    try:
        content = attachments.scan(attachment)
    except (OSError, FieldDecryptionError):
        # The row is there but its file is gone or no configured key opens it: the administrators must restore it
        # from the backup (or the claimant upload it again while the claim can be edited); never a bare 500.
        logger.exception("申报材料%s（申报%s）的文件无法读取", attachment.pk, claim.reference)
        raise PortalError(
            f"材料“{attachment.original_name}”的文件无法读取（已缺失或损坏），请联系系统管理员从备份中恢复；"
            "申报可修改时，申报人也可以重新上传。",
            "file_unreadable",
        ) from None
    response = FileResponse(io.BytesIO(content), content_type=attachment.content_type)
    extension = attachment.stored_name.rpartition(".")[2]
    as_download(response, filename=attachment.original_name, fallback=f"{claim.reference}-{attachment.pk}.{extension}")
    return response
