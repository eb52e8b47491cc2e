"""The claim's printed documents (Annexes 2 and 3) and the public check of their verification code. Thin: find what
the visitor may see, print or look it up, serve it."""

from __future__ import annotations

from urllib.parse import quote

import rules
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from portal.models import StoredDocument, User
from portal.security.privacy import personal_data_printed, personal_data_reveal
from portal.web.http import client_address, request_user
from subsidies import documents, selectors
from subsidies.models import Claim
from subsidies.workflow import is_claimant

#: The response header that carries a stored copy's SHA-256.
DIGEST_HEADER = "X-Document-SHA256"
#: Code checks per address per minute: plenty for a person checking a pile of papers, far too few to guess
#: 12-hex-digit codes (2^48 of them).
VERIFICATIONS_PER_MINUTE = 30


def _claim(request: HttpRequest, pk: int) -> Claim:
    """The claim if the visitor may open it; otherwise 404 whether or not it exists (nothing is revealed)."""
    user = request_user(request)
    claim = selectors.claim_visible(user=user).filter(pk=pk).first()
    if claim is None or not rules.has_perm("subsidies.view_claim", user, claim):
        raise Http404
    return claim


def _pdf_response(pdf: bytes, filename: str, ascii_filename: str, stored: StoredDocument | None = None) -> HttpResponse:
    """Shown in the browser (inline); the Chinese name per RFC 5987/6266, an ASCII one for older clients. A stored
    copy's digest goes with it (``ETag``, ``X-Document-SHA256``): what the public check compares a file with."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"
    if stored is not None:
        response["ETag"] = f'"{stored.sha256}"'
        response[DIGEST_HEADER] = stored.sha256
    return response


def _printable_claim(request: HttpRequest, pk: int) -> Claim:
    """The claim if the visitor may download its papers, which print ID numbers whole; otherwise 404, as for a claim
    it may not open: there is no masked edition of an official paper (docs/subsidies.md, "Documents")."""
    claim = _claim(request, pk)
    if not rules.has_perm("subsidies.print_claim_documents", request_user(request), claim):
        raise Http404
    return claim


def _handed_out(
    request: HttpRequest, user: User, claim: Claim, document: documents.PrintedDocument, *, purpose: str
) -> documents.PrintedDocument:
    """Record one personal-data access per person whose ID number ``document`` prints whole, before it is served."""
    personal_data_printed(
        objs=document.whole_numbers,
        field=document.field,
        by=user,
        allowed=rules.has_perm("subsidies.print_claim_documents", user, claim),
        purpose=purpose,
        remote_addr=client_address(request),
    )
    return document


@login_required
@require_GET
# A bank account and ID numbers are printed whole: no cache anywhere may keep them.
@cache_control(private=True, no_store=True)
def annex2_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _printable_claim(request, pk)
    user = request_user(request)
    # Read from its stored copy, or rendered first (seconds for a long claim), outside the transaction; served only
    # once every record is written.
    document, stored = documents.claim_paper(claim=claim, kind=documents.ANNEX2)
    with transaction.atomic():
        if not is_claimant(user, claim):
            # The city's reviewers see the claimant's whole bank account: recorded, like any reveal of personal data.
            personal_data_reveal(
                obj=documents.claim_payee(claim).source,
                field="bank_account",
                by=user,
                allowed=True,
                purpose=f"打印引进补助申报表（附件2）{claim.reference}",
                remote_addr=client_address(request),
            )
        _handed_out(request, user, claim, document, purpose=f"下载附件2 PDF {claim.reference}")
    return _pdf_response(
        document.pdf, f"卓越工程师引进补助申报表-{claim.reference}.pdf", f"{claim.reference}-annex2.pdf", stored
    )


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def annex3_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _printable_claim(request, pk)
    user = request_user(request)
    paper, stored = documents.claim_paper(claim=claim, kind=documents.ANNEX3)
    document = _handed_out(request, user, claim, paper, purpose=f"下载附件3 PDF {claim.reference}")
    return _pdf_response(
        document.pdf, f"用人单位引进人才确认表-{claim.reference}.pdf", f"{claim.reference}-annex3.pdf", stored
    )


def _rate_limited(request: HttpRequest) -> bool:
    """A fixed one-minute window per address, counted in the shared cache."""
    key = f"verify-rate:{client_address(request) or ''}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        # Expired between the add and the increment: this lookup starts a new minute.
        cache.set(key, 1, timeout=60)
        return False
    return count > VERIFICATIONS_PER_MINUTE


#: The longest code the form takes: a code with spaces and dashes between its groups, typed generously.
CODE_INPUT_MAX_LENGTH = 40


def _checked(request: HttpRequest, code: str, *, form: bool) -> HttpResponse:
    """One lookup of a verification code, counted against the address's limit. From the form (``/verify/``) a code
    that cannot be one, or matches nothing, is a message beside the field; from a printed address or QR code
    (``/verify/<code>/``) it is the page's answer, 404."""
    context: dict[str, object] = {"code": code[:CODE_INPUT_MAX_LENGTH], "form": form}
    if _rate_limited(request):
        response = render(request, "subsidies/verify.html", context | {"state": "limited"}, status=429)
        response["Retry-After"] = "60"
        return response
    normalised = documents.normalise_code(code)
    problem = documents.code_problem(normalised)
    verification = None if problem else documents.claim_verification(normalised)
    if verification is not None:
        found = {"state": "found", "verification": verification, "normalised": normalised}
        return render(request, "subsidies/verify.html", context | found)
    state = "invalid" if problem and form else "unknown"
    status = 200 if form else 404
    return render(request, "subsidies/verify.html", context | {"state": state, "problem": problem}, status=status)


@require_GET
@cache_control(no_cache=True)
def verify_form(request: HttpRequest) -> HttpResponse:
    """文件核验: public, no login. A person types the code printed on a paper (``?code=``, a GET form: the answer
    is a page that can be reloaded and shared)."""
    if "code" not in request.GET:
        response = render(request, "subsidies/verify.html", {"state": "form", "form": True, "code": ""})
    elif not request.GET["code"].strip():
        context = {"state": "invalid", "form": True, "code": "", "problem": documents.code_problem("")}
        response = render(request, "subsidies/verify.html", context)
    else:
        response = _checked(request, request.GET["code"], form=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
# The status changes as the claim is reviewed: always asked afresh.
@cache_control(no_cache=True)
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """核验: public, no login. Whether a paper carrying this code is one the portal issued, and what was decided;
    nothing personal (``documents.Verification``)."""
    response = _checked(request, code, form=False)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
@cache_control(no_store=True)
def verify_paper(request: HttpRequest, code: str) -> HttpResponse:
    """核验文件内容: public, no login. Anyone holding a claim's PDF (or its SHA-256) learns whether it is one of the
    copies the portal stored for the claim with this code. Counted against the same per-address limit as the code
    checks; the file is read, digested and forgotten (never stored, never logged)."""
    if _rate_limited(request):
        context = {"code": code[:CODE_INPUT_MAX_LENGTH], "form": False, "state": "limited"}
        response = render(request, "subsidies/verify.html", context, status=429)
        response["Retry-After"] = "60"
        return response
    normalised = documents.normalise_code(code)
    claim = documents.claim_by_code(normalised)
    verification = documents.claim_verification(normalised) if claim is not None else None
    if claim is None or verification is None:
        context = {"code": code[:CODE_INPUT_MAX_LENGTH], "form": False, "state": "unknown", "problem": ""}
        return render(request, "subsidies/verify.html", context, status=404)
    upload = request.FILES.get("pdf")
    if upload is not None:
        # One byte past the limit is enough to refuse a larger file.
        check = documents.paper_check(claim, data=upload.read(documents.MAX_CHECKED_BYTES + 1))
    else:
        check = documents.paper_check(claim, sha256=request.POST.get("sha256", "")[:200])
    context = {
        "code": normalised,
        "form": False,
        "state": "found",
        "verification": verification,
        "normalised": normalised,
        "check": check,
        "sha256_input": "" if upload is not None else request.POST.get("sha256", "")[:200],
    }
    response = render(request, "subsidies/verify.html", context, status=400 if check.problem else 200)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
