"""The city's review of claims: queues sorted by waiting time, the review screen with each hire's publicity record
and employer confirmation beside the claim, decisions with a written opinion, payment."""

from __future__ import annotations

import datetime

import rules
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import PortalError
from portal.web.decorators import permission_required
from portal.web.http import request_user
from subsidies import selectors, services
from subsidies.constants import ClaimAction
from subsidies.forms import PersonExceptionForm
from subsidies.progress import claim_progress
from subsidies.workflow import FIRST_REVIEW, MOVES, SECOND_REVIEW


def _steps_for(request: HttpRequest) -> list[tuple[str, str]]:
    user = request_user(request)
    steps = []
    if rules.has_perm("subsidies.review_first", user):
        steps.append(("first", "待初审"))
    if rules.has_perm("subsidies.review_second", user):
        steps.append(("second", "待复核"))
    if rules.has_perm("subsidies.record_payment", user):
        steps.append(("payment", "待发放"))
    return steps


@permission_required("subsidies.review")
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    steps = _steps_for(request)
    step = request.GET.get("step") or steps[0][0]
    if step not in dict(steps):
        step = steps[0][0]
    queue = list(selectors.review_queue(user=user, step=step))
    counts = selectors.claim_status_counts(user=user)
    now = timezone.now()
    return render(
        request,
        "subsidies/review_queue.html",
        {
            "steps": [(key, label, counts[selectors.QUEUE_STATUS[key]]) for key, label in steps],
            "step": step,
            "rows": [(claim, (now - claim.status_since).days) for claim in queue],
            "can_record_exceptions": rules.has_perm("subsidies.record_person_exception", user),
        },
    )


@permission_required("subsidies.review")
@require_GET
def review_claim(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    claim = get_object_or_404(selectors.claim_detail(user=user), pk=pk)
    events = list(claim.events.all())
    items = list(selectors.claim_items(claim=claim))
    actions = [
        MOVES[action]
        for action in (*sorted(FIRST_REVIEW), *sorted(SECOND_REVIEW))
        if claim.status in MOVES[action].source and MOVES[action].who.test(user, claim)
    ]
    return render(
        request,
        "subsidies/review_claim.html",
        {
            "claim": claim,
            "items": items,
            "caps": selectors.caps_of_items(items=items),
            "events": events,
            "steps": claim_progress(claim, events),
            "actions": actions,
            "approving": any(move.action == ClaimAction.APPROVE for move in actions),
            "can_pay": claim.status in MOVES["pay"].source and MOVES["pay"].who.test(user, claim),
            "same_person": claim.first_reviewer_id == user.pk and claim.status in MOVES["approve"].source,
            "today": timezone.localdate(),
        },
    )


@permission_required("subsidies.review")
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    claim = get_object_or_404(selectors.claim_visible(user=user), pk=pk)
    action = request.POST.get("action", "")
    approved = {
        int(key.removeprefix("approved_")): value
        for key, value in request.POST.items()
        if key.startswith("approved_") and key.removeprefix("approved_").isdigit()
    }
    try:
        claim = services.claim_review(
            claim=claim, action=action, opinion=request.POST.get("opinion", ""), by=user, approved=approved
        )
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("subsidies:review_claim", pk=pk)
    messages.success(request, f"已{MOVES[action].label}：{claim.reference}。")
    return redirect("subsidies:review_queue")


@permission_required("subsidies.record_payment")
@require_POST
def review_pay(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    claim = get_object_or_404(selectors.claim_visible(user=user), pk=pk)
    try:
        paid_on = datetime.date.fromisoformat(request.POST.get("paid_on", ""))
    except ValueError:
        messages.error(request, "请填写发放日期。")
        return redirect("subsidies:review_claim", pk=pk)
    try:
        services.claim_pay(claim=claim, paid_on=paid_on, reference=request.POST.get("payment_reference", ""), by=user)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("subsidies:review_claim", pk=pk)
    messages.success(request, f"已登记发放：{claim.reference}。")
    return redirect("subsidies:review_queue")


@permission_required("subsidies.record_person_exception")
@require_http_methods(["GET", "POST"])
def person_exceptions(request: HttpRequest) -> HttpResponse:
    """再次补助例外: the bureau records that a person may bring a referral subsidy once more (docs/subsidies.md,
    "Once per person"), and reads those recorded."""
    user = request_user(request)
    form = PersonExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exception = services.person_exception_record(by=user, **form.cleaned_data)
        except PortalError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已登记再次补助例外：{exception}。")
            return redirect("subsidies:person_exceptions")
    return render(
        request,
        "subsidies/person_exceptions.html",
        {"form": form, "exceptions": selectors.person_exceptions()},
    )
