"""Pages for third-party sign-up (第三方注册), its verification (核验) or return for correction (退回补正), and the
third party's own registration page where it corrects and resubmits. Thin: parse, call a service, render."""

from __future__ import annotations

from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.contacts import CENTRE
from portal.errors import PortalError
from portal.models import ThirdParty, User
from portal.registration import services as registration
from portal.registration import verification
from portal.security.privacy import personal_data_reveal
from portal.security.ratelimit import count_attempt, request_address
from portal.web.decorators import permission_required
from portal.web.forms import RegistrationForm, ThirdPartyDetailsForm
from portal.web.http import client_address, redirect_back, request_user

#: Registration forms sent per address per hour, completed or not: enough for an office behind one address
#: (typing errors included), too few for a script.
REGISTRATIONS_PER_HOUR = 10
RATE_LIMITED = f"注册尝试过于频繁，请一小时后再试，或联系{CENTRE.inline}。"
PAGE_SIZE = 50
#: The session remembers the account just registered, for the confirmation page only.
SESSION_KEY = "portal.registered_user"
#: The masked fields an officer may see whole, each with the purpose recorded.
REVEALABLE = {"id_number": "第三方注册核验", "bank_account": "第三方注册核验"}


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, "您已登录。第三方注册请先退出当前账号。")
        return redirect("portal:workspace")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        # Every submission counts, valid or not: each one costs a password hash and lookups of the numbers given.
        limited = count_attempt(f"register-rate:{request_address(request)}", limit=REGISTRATIONS_PER_HOUR, seconds=3600)
        if limited:
            # Not validated (that is the work being limited): the form comes back as sent, passwords left out.
            form = RegistrationForm(None, initial=request.POST.dict())
            return render(request, "portal/register.html", {"form": form, "refusal": RATE_LIMITED}, status=429)
        if form.is_valid():
            try:
                user = registration.third_party_register(
                    data=form.registration_data(), password=form.cleaned_data["password"]
                )
            except registration.RegistrationRefused as refused:
                for error in refused.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                request.session[SESSION_KEY] = user.pk
                return redirect("portal:register_done")
    return render(request, "portal/register.html", {"form": form})


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    user_pk = request.session.get(SESSION_KEY)
    account = (
        User.objects.select_related("third_party").filter(pk=user_pk, third_party__isnull=False).first()
        if user_pk
        else None
    )
    return render(request, "portal/register_done.html", {"account": account})


@permission_required("portal.verify_third_party")
@require_GET
def third_party_list(request: HttpRequest) -> HttpResponse:
    keyword = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    if status not in verification.LIST_FILTERS:
        status = ""
    parties = verification.third_party_list_for_review(status=status, keyword=keyword)
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in (("q", keyword), ("status", status)) if value})
    return render(
        request,
        "portal/third_party_list.html",
        {
            "page": page,
            "keyword": keyword,
            "status": status,
            "query": query,
            "counts": verification.third_party_state_counts(),
            "reason_max_length": verification.REASON_MAX_LENGTH,
            "here": request.get_full_path(),
        },
    )


@permission_required("portal.verify_third_party")
@require_POST
def third_party_verify(request: HttpRequest, pk: int) -> HttpResponse:
    third_party = get_object_or_404(ThirdParty, pk=pk)
    try:
        verified = verification.third_party_verify(third_party=third_party, by=request_user(request))
    except PortalError as error:
        messages.info(request, error.message)
    else:
        messages.success(request, f"已核验：{verified.name}。该第三方现在可以申报引才补助。")
    return redirect_back(request, reverse("portal:third_party_list"))


@permission_required("portal.verify_third_party")
@require_POST
def third_party_return(request: HttpRequest, pk: int) -> HttpResponse:
    third_party = get_object_or_404(ThirdParty, pk=pk)
    try:
        returned = verification.third_party_return(
            third_party=third_party, reason=request.POST.get("reason", ""), by=request_user(request)
        )
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已退回补正：{returned.name}。该第三方修改后重新提交，将回到待核验列表。")
    return redirect_back(request, reverse("portal:third_party_list"))


@permission_required("portal.view_own_registration")
@require_http_methods(["GET", "POST"])
# The correction form holds the registrant's whole numbers: no cache may keep the page.
@cache_control(private=True, no_store=True)
def registration_details(request: HttpRequest) -> HttpResponse:
    """我的注册信息: the third party's registration, its state and, once returned, the correction form."""
    user = request_user(request)
    third_party = get_object_or_404(ThirdParty.objects.select_related("returned_by"), pk=user.third_party_id)
    can_correct = verification.MOVES["resubmit"].who.test(user, third_party) and third_party.status in (
        verification.MOVES["resubmit"].source
    )
    form = None
    if can_correct:
        form = ThirdPartyDetailsForm(
            request.POST if request.method == "POST" else None, initial=ThirdPartyDetailsForm.initial_of(third_party)
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, f"您的注册信息当前状态为“{third_party.get_status_display()}”，无需修改重新提交。")
            return redirect("portal:registration_details")
        if form.is_valid():
            try:
                verification.third_party_resubmit(third_party=third_party, details=form.details(), by=user)
            except registration.RegistrationRefused as refused:
                for error in refused.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "已重新提交核验。市人才交流服务中心核验通过后，您即可申报引才补助。")
                return redirect("portal:registration_details")
    return render(request, "portal/registration_details.html", {"party": third_party, "form": form})


@permission_required("portal.verify_third_party")
@require_POST
def third_party_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """One masked number whole (身份证号码 or 银行账号), recorded each time; htmx swaps it into the row."""
    if field not in REVEALABLE:
        return HttpResponse("无此字段。", status=404, content_type="text/plain; charset=utf-8")
    third_party = get_object_or_404(ThirdParty, pk=pk)
    if not getattr(third_party, field):
        return HttpResponse("未登记此项。", status=404, content_type="text/plain; charset=utf-8")
    user = request_user(request)
    try:
        number = personal_data_reveal(
            obj=third_party,
            field=field,
            by=user,
            allowed=rules.has_perm("portal.verify_third_party", user),
            purpose=REVEALABLE[field],
            remote_addr=client_address(request),
        )
    except PortalError as error:
        return HttpResponse(error.message, status=403, content_type="text/plain; charset=utf-8")
    return render(request, "portal/_revealed_number.html", {"number": number})
