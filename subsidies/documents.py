"""The claim's printed documents: Annex 2 (卓越工程师引进补助申报表) and Annex 3 (用人单位引进人才确认表) as A4 PDFs,
and the public check of the verification code (核验码) they carry.

Each page of both PDFs carries the claim's reference, its verification code and a QR code of the absolute
``/verify/<code>/`` address on the portal's configured public address (``PORTAL_BASE_URL``, the one the deploy check
requires), never the host a request happened to come through: a paper printed from an intranet address or a proxy
must still send its reader to the portal. There anyone can see whether a paper is one the portal issued and what was
decided, without any personal data (``claim_verification``); ``/verify/`` takes the code typed off the paper.

What each PDF shows of a person's data, and why (docs/subsidies.md, "Documents"):
- Annex 2 is the claimant's payment instruction: the bank account is printed whole (the claimant and the city's
  reviewers, the only readers, need it); an individual claimant's ID number is printed whole, as the notice's form
  asks (荐才机构/社会组织/个人统一社会信用代码或身份证号码), and an organisation's credit code, public registry data,
  is whole.
- Annex 3 is the official paper the employer stamps and the city files: the hires' ID numbers are printed whole, as
  the notice's form asks (身份证号码, a required field).

So both are papers with whole ID numbers, and there is one render of each, the whole one: only the readers who may
see whole numbers may download them (``subsidies.print_claim_documents``: the claimant and the city's reviewers);
everyone else gets no PDF at all, never a masked copy that could be mistaken for the official paper. Each download
is recorded, one ``PersonalDataAccess`` row per person whose number was printed (``PrintedDocument.whole_numbers``),
whether the PDF was rendered or read from its stored copy.
Neither PDF is cached (``render_pdf`` without ``cache_timeout``): the cache must not hold bank accounts or ID
numbers, and a cached copy could reach a reader the record never saw.

Stored copies (``portal.documents``, docs/subsidies.md, "Stored documents"): both papers are rendered and stored,
encrypted, after the commit of the claim's submission and of each decision (``STORED_ACTIONS``; a background task,
``subsidies.tasks.store_claim_papers``, which never fails the decision). A download of a claim under review or
decided serves the copy of the event that brought the claim where it is, read from its file (``claim_paper``),
rendering and storing it then if it is missing. A claim the claimant is still editing (a draft, a claim returned for
correction), a withdrawn claim and an anonymised one are rendered at each download and never stored. The public check
lists the copies (kind, event, date, the digest's start) and tells whether a reader's file is one of them
(``paper_check``).
"""

from __future__ import annotations

import base64
import datetime
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Model, OuterRef
from django.urls import reverse
from django.utils import timezone

from portal import documents as stored_documents
from portal.constants import ThirdPartyKind
from portal.identity import mask_id_number
from portal.models import StoredDocument
from portal.pdf import render_pdf
from subsidies.constants import EDITABLE_STATUSES, STORED_ACTIONS, ClaimAction, ClaimStatus
from subsidies.models import Claim, ClaimEvent, ClaimItem

#: Decided in the claimant's favour: the opinion box of Annex 2 is filled with the approved amount.
APPROVED_STATUSES = frozenset({ClaimStatus.APPROVED, ClaimStatus.PAID})
REJECTIONS = (ClaimAction.FIRST_REJECT, ClaimAction.SECOND_REJECT)

# ---- 人民币大写 -------------------------------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
#: Units of each group of four digits, lowest first. Enough for any claim (a total has at most ten digits of yuan).
_GROUPS = ("", "万", "亿")
_CENT = Decimal("0.01")


def _group_upper(group: int) -> str:
    """One group of up to four digits (1–9999) without leading zeros: 1010 → 壹仟零壹拾, 4000 → 肆仟."""
    text, zero = "", False
    for place, unit in _PLACES:
        digit = group // place % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + unit
    return text


def _integer_upper(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(text)
            continue
        # A zero between groups (壹亿零壹仟) or at the head of a group (壹万零伍拾) is written once.
        if text and (gap or group < 1000):
            text += "零"
        text += _group_upper(group) + _GROUPS[index]
        gap = False
    return text


def rmb_upper(amount: Decimal) -> str:
    """An amount of yuan in Chinese capitals (人民币大写), as a cheque or a payment order writes it (支付结算办法):
    ``45000`` → 肆万伍仟元整, ``10.05`` → 壹拾元零伍分, ``0.5`` → 伍角, ``1004000.10`` → 壹佰万肆仟元壹角.

    整 follows an amount in whole yuan; a zero 角 before a 分 is written 零. Negative amounts, fractions of a fen
    and amounts of 10^12 yuan (万亿) or more are refused (``ValueError``)."""
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"不能转换为大写金额：{amount}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"金额最多到分：{amount}")
    if amount >= Decimal(10) ** 12:
        raise ValueError(f"金额过大：{amount}")
    total = int(cents)
    yuan, jiao, fen = total // 100, total // 10 % 10, total % 10
    if total == 0:
        return "零元整"
    text = _integer_upper(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def yuan(amount: Decimal | None) -> str:
    """``45000`` → ``45,000.00``: the figure as the forms print it."""
    return "" if amount is None else f"{amount.quantize(_CENT):,.2f}"


# ---- The verification code, its address and its QR code ------------------------------------------------------


def verify_path(claim: Claim) -> str:
    return reverse("subsidies:verify", args=[claim.verification_code])


def verify_url(claim: Claim) -> str:
    """The absolute check address printed on the claim's papers: on ``PORTAL_BASE_URL``, whoever prints them."""
    return settings.PORTAL_BASE_URL.rstrip("/") + verify_path(claim)


#: Pixels per module of the QR code's image: at the 2 cm it is printed (print.css, .claim-verify-qr) that is above
#: 300 dpi for any address, so a viewer that smooths images anyway blurs an eighth of a module at most.
QR_SCALE = 8


@functools.lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG ``data:`` URI (the PDF renderer loads nothing else but static files).

    A grey-scale PNG, which WeasyPrint embeds as it is, once per PDF whatever the pages: an SVG of the same modules
    was drawn path by path on every page, the dearest element of a one-page claim document. Printed unsmoothed
    (``image-rendering: pixelated``), its modules are as sharp as the vector's. The same paper is printed again and
    again (the claimant, then each reviewer): the code of each address is made once per process."""
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    modules = code.get_matrix()
    size = len(modules)
    pixels = bytes(0 if dark else 255 for row in modules for dark in row)
    image = Image.frombytes("L", (size, size), pixels).resize(
        (size * QR_SCALE, size * QR_SCALE), Image.Resampling.NEAREST
    )
    png = io.BytesIO()
    image.save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


# ---- What the forms print --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payee:
    """The claimant as Annex 2 prints it. Until the claim is submitted (and while it is being corrected) that is
    the third party's current record, which submission will copy; afterwards the copy taken at submission, so a
    later change of account never alters a decided claim's paper. ``source`` is the record the account is read
    from (for the record of who saw it)."""

    name: str
    identity: str
    phone: str
    bank_name: str
    bank_account: str
    source: Model
    #: The record whose ID number ``identity`` prints whole (an individual claimant), else ``None``.
    whole_id_of: Model | None = None


def claim_payee(claim: Claim) -> Payee:
    party = claim.third_party
    if claim.anonymised_at is not None:
        # Past its retention period (portal.retention): the copy is gone, and today's account is not the claim's;
        # the paper is reprinted for the archive's figures only, so the person's number is masked too.
        identity = party.credit_code or mask_id_number(party.id_number or "")
        return Payee(claim.payee_name or party.name, identity, "", claim.bank_name, "", claim)
    identity = party.credit_code or party.id_number or ""
    whole_id_of = party if not party.credit_code and party.id_number else None
    if claim.status in EDITABLE_STATUSES or not claim.bank_account:
        return Payee(party.name, identity, party.phone, party.bank_name, party.bank_account, party, whole_id_of)
    return Payee(
        claim.payee_name or party.name,
        identity,
        claim.payee_phone or party.phone,
        claim.bank_name,
        claim.bank_account,
        claim,
        whole_id_of,
    )


@dataclass(frozen=True)
class Signature:
    name: str
    on: datetime.date | None


@dataclass(frozen=True)
class Opinion:
    """The 审核意见 box of Annex 2: ``state`` is ``pending`` (the blank template), ``approved`` or ``rejected``."""

    state: str
    amount: str = ""
    amount_upper: str = ""
    text: str = ""
    first: Signature | None = None
    second: Signature | None = None
    on: datetime.date | None = None


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _last_rejection(claim: Claim) -> ClaimEvent | None:
    return claim.events.filter(action__in=REJECTIONS).select_related("actor").order_by("-at", "-pk").first()


def claim_opinion(claim: Claim) -> Opinion:
    if claim.status in APPROVED_STATUSES and claim.approved_total is not None:
        first = Signature(str(claim.first_reviewer or ""), _day(claim.first_reviewed_at))
        second = Signature(str(claim.second_reviewer or ""), _day(claim.second_reviewed_at))
        return Opinion(
            "approved",
            amount=yuan(claim.approved_total),
            amount_upper=rmb_upper(claim.approved_total),
            text=claim.second_opinion,
            first=first,
            second=second,
            on=second.on,
        )
    if claim.status == ClaimStatus.REJECTED:
        event = _last_rejection(claim)
        on = _day(event.at) if event else None
        signature = Signature(str(event.actor), on) if event else None
        # Rejected at re-review: the first reviewer had passed it. Rejected at first review: nobody re-reviewed.
        at_second = event is not None and event.action == ClaimAction.SECOND_REJECT
        first_review = Signature(str(claim.first_reviewer or ""), _day(claim.first_reviewed_at))
        return Opinion(
            "rejected",
            text=event.opinion if event else "",
            first=first_review if at_second else signature,
            second=signature if at_second else None,
            on=on,
        )
    return Opinion("pending")


def _items(claim: Claim) -> list[ClaimItem]:
    return list(claim.items.select_related("hire").order_by("pk"))


@dataclass(frozen=True)
class AmountRow:
    """One person on Annex 2's list, amounts formatted as the form prints them (the zh-hans locale groups digits
    by four without a separator: not how a payment form writes yuan)."""

    name: str
    post: str
    channel: str
    requested: str
    approved: str


def _verification_context(claim: Claim) -> dict[str, Any]:
    url = verify_url(claim)
    return {"claim": claim, "verify_url": url, "qr": qr_data_uri(url)}


def annex2_context(claim: Claim) -> dict[str, Any]:
    approved = claim.status in APPROVED_STATUSES
    rows = [
        AmountRow(
            name=item.hire.name,
            post=item.hire.post_name,
            channel=str(item.hire.get_channel_display()),
            requested=yuan(item.requested_amount),
            approved=yuan(item.approved_amount) if approved else "",
        )
        for item in _items(claim)
    ]
    return _verification_context(claim) | {
        "payee": claim_payee(claim),
        "opinion": claim_opinion(claim),
        "rows": rows,
        "requested_total": yuan(claim.requested_total),
        "approved_total": yuan(claim.approved_total) if approved else "",
        "is_individual": claim.third_party.kind == ThirdPartyKind.INDIVIDUAL,
    }


@dataclass(frozen=True)
class PrintedDocument:
    """A claim document as rendered, with the records whose ID number it printed whole (``field`` of each): whoever
    is handed ``pdf`` is recorded as having seen each of them."""

    pdf: bytes
    whole_numbers: tuple[Model, ...]
    field: str = "id_number"


def annex2_document(*, claim: Claim) -> PrintedDocument:
    """附件2 卓越工程师引进补助申报表, filled: the employer, the claimant (an individual's ID number whole) and its
    bank account, the declarations, the review opinion once decided (the approved amount), and the people claimed
    for with their amounts."""
    context = annex2_context(claim)
    payee: Payee = context["payee"]
    whole = (payee.whole_id_of,) if payee.whole_id_of is not None else ()
    return PrintedDocument(render_pdf("pdf/claim_annex2.html", context), whole)


def annex2_pdf(*, claim: Claim) -> bytes:
    return annex2_document(claim=claim).pdf


def annex3_context(claim: Claim) -> dict[str, Any]:
    return _verification_context(claim) | {"items": _items(claim)}


def annex3_document(*, claim: Claim) -> PrintedDocument:
    """附件3 用人单位引进人才确认表 for the employer to stamp: the claimed hires with the required and optional
    fields of Annex 3, ID numbers whole (an anonymised hire has none left to print). Landscape A4."""
    context = annex3_context(claim)
    whole = tuple(item.hire for item in context["items"] if item.hire.id_number)
    return PrintedDocument(render_pdf("pdf/claim_annex3.html", context), whole)


def annex3_pdf(*, claim: Claim) -> bytes:
    return annex3_document(claim=claim).pdf


# ---- Stored copies ---------------------------------------------------------------------------------------------

ANNEX2 = "annex2"
ANNEX3 = "annex3"
#: The claim's papers, by ``StoredDocument.kind``, as the public check names them.
KINDS = {ANNEX2: "附件2 卓越工程师引进补助申报表", ANNEX3: "附件3 用人单位引进人才确认表"}
_RENDER = {ANNEX2: annex2_document, ANNEX3: annex3_document}


def whole_numbers(claim: Claim, kind: str) -> tuple[Model, ...]:
    """The records whose ID number ``kind`` prints whole for ``claim`` (what a download records), without rendering."""
    if kind == ANNEX2:
        payee = claim_payee(claim)
        return (payee.whole_id_of,) if payee.whole_id_of is not None else ()
    return tuple(item.hire for item in _items(claim) if item.hire.id_number)


def _latest_event(claim: Claim) -> ClaimEvent | None:
    return claim.events.order_by("-at", "-pk").first()


def _serves_stored(claim: Claim) -> bool:
    """Whether a download serves a stored copy: the claim is out of the claimant's hands and still whole."""
    return (
        claim.status not in EDITABLE_STATUSES and claim.status != ClaimStatus.WITHDRAWN and claim.anonymised_at is None
    )


def _still_latest(claim: Claim, event: ClaimEvent) -> bool:
    latest = _latest_event(claim)
    return latest is not None and latest.pk == event.pk


def claim_paper(*, claim: Claim, kind: str) -> tuple[PrintedDocument, StoredDocument | None]:
    """``kind`` of ``claim`` as a download hands it out, with the stored copy it was read from (``None`` when the
    claim's state is never stored: it is rendered, as before the store existed).

    Under review or decided, the paper is the stored copy of the claim's latest event (the one that brought it where
    it is), read from its file; a claim whose copy is missing (older than the store, a render that failed) has it
    rendered and stored now."""
    render = _RENDER[kind]
    event = _latest_event(claim) if _serves_stored(claim) else None
    if event is None or event.action not in STORED_ACTIONS:
        return render(claim=claim), None
    pdf, document = stored_documents.load(
        claim,
        kind=kind,
        event=event.action,
        event_id=event.pk,
        render=lambda: render(claim=claim).pdf,
        by_id=event.actor_id,
        still_current=lambda: _still_latest(claim, event),
    )
    return PrintedDocument(pdf, whole_numbers(claim, kind)), document


def claim_papers_store(*, claim_id: int, event_id: int) -> int:
    """Render and store both papers of the claim at this event (the task after the event's commit). Nothing is
    stored when the claim has moved on since (a later event's task stores its own state), or is anonymised.
    Returns how many copies were written (0–2); a copy already stored stays."""
    claim = Claim.objects.select_related("third_party", "employer").filter(pk=claim_id).first()
    if claim is None or claim.anonymised_at is not None:
        return 0
    event = claim.events.filter(pk=event_id).first()
    if event is None or event.action not in STORED_ACTIONS:
        return 0
    written = 0
    for kind, render in _RENDER.items():
        if not _still_latest(claim, event):
            break
        if stored_documents.stored(claim, kind=kind, event=event.action, event_id=event.pk) is not None:
            continue
        pdf = render(claim=claim).pdf
        # Rendered from what the database held by now: stored only if no later event committed meanwhile.
        if not _still_latest(claim, event):
            break
        stored_documents.store(claim, kind=kind, event=event.action, event_id=event.pk, pdf=pdf, by_id=event.actor_id)
        written += 1
    return written


#: The sweep leaves an event this long to its own task (kicked after the commit) before rendering it itself…
SWEEP_AFTER = datetime.timedelta(minutes=2)
#: …and looks this far back: a copy still missing after that is made at the first download.
SWEEP_WITHIN = datetime.timedelta(days=2)


def claim_papers_sweep(*, now: datetime.datetime | None = None, limit: int = 20) -> int:
    """Store the papers of recent events whose task never ran (a broker that was down, a worker lost), at most
    ``limit`` claims a run: the scheduled catch-up of ``claim_papers_store``. Returns how many copies were written."""
    now = now or timezone.now()
    claim_type = ContentType.objects.get_for_model(Claim)

    def copy(kind: str) -> Exists:
        return Exists(
            StoredDocument.objects.filter(
                content_type=claim_type, object_id=OuterRef("claim_id"), kind=kind, event_id=OuterRef("pk")
            )
        )

    events = (
        ClaimEvent.objects.filter(
            action__in=STORED_ACTIONS, at__lt=now - SWEEP_AFTER, at__gte=now - SWEEP_WITHIN, claim__anonymised_at=None
        )
        .filter(~copy(ANNEX2) | ~copy(ANNEX3))
        .order_by("-at", "-pk")
        .values_list("claim_id", "pk")
    )
    written, seen = 0, set()
    for claim_id, event_id in events.iterator():
        if claim_id in seen:
            continue  # only a claim's latest event is stored, and it comes first
        seen.add(claim_id)
        written += claim_papers_store(claim_id=claim_id, event_id=event_id)
        if len(seen) >= limit:
            break
    return written


@dataclass(frozen=True)
class PublicDocument:
    """A stored copy as the public check lists it: what, at which event, when, and the start of its digest."""

    kind: str
    event: str
    made_at: datetime.datetime
    digest_start: str
    on_demand: bool


#: How much of a digest the public page shows beside each copy: enough to tell the copies apart by eye.
DIGEST_SHOWN = 16


def public_document(document: StoredDocument) -> PublicDocument:
    return PublicDocument(
        kind=KINDS.get(document.kind, document.kind),
        event=str(ClaimAction(document.event).label) if document.event in ClaimAction.values else document.event,
        made_at=document.made_at,
        digest_start=document.sha256[:DIGEST_SHOWN],
        on_demand=document.on_demand,
    )


# ---- The public check ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public check shows of a claim: nothing that identifies a person (no ID number, bank account, phone
    or hired person's name). An individual claimant's name is masked to its first character."""

    reference: str
    status: str
    status_label: str
    third_party: str
    employer: str
    people: int
    requested_total: str
    approved_total: str
    decided_on: datetime.date | None
    paid_on: datetime.date | None
    issued_on: datetime.date
    #: The copies of the claim's papers the portal holds, oldest first.
    documents: tuple[PublicDocument, ...] = ()


CODE_LENGTH = 12
CODE_ALPHABET = frozenset("0123456789ABCDEF")
#: Letters a person reads off paper for the digits they resemble; none of them is a hex digit, so no code changes.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", "-‐‑‒–—_.·")
#: A claim's reference (``BZ-2026-000123``) once normalised: the other number on the paper, typed by mistake.
_REFERENCE = re.compile(r"BZ\d{10}")


def normalise_code(code: str) -> str:
    """Codes are 12 upper-case hex digits. A person typing one off paper may use lower case, spaces or dashes
    between groups, full-width characters (a Chinese input method), or O/I/L for 0/1: all read as meant."""
    text = unicodedata.normalize("NFKC", code)
    return "".join(text.split()).translate(_SEPARATORS).upper().translate(_LOOKALIKES)


def code_problem(code: str) -> str:
    """Why ``code`` (normalised) cannot be a verification code, in Chinese; empty when it could be one."""
    if not code:
        return "请输入文件上印制的12位核验码。"
    if _REFERENCE.fullmatch(code):
        return "您输入的是申报编号（BZ-年份-序号），请输入文件页脚“核验码：”后的12位核验码。"
    strange = sorted({c for c in code if c not in CODE_ALPHABET})
    if strange:
        shown = "”“".join(strange[:3])
        return f"核验码只含数字0–9和字母A–F，您输入的“{shown}”不在其中，请核对。"
    if len(code) != CODE_LENGTH:
        return f"核验码应为{CODE_LENGTH}位，您输入了{len(code)}位，请核对。"
    return ""


def _public_name(claim: Claim) -> str:
    party = claim.third_party
    if party.kind == ThirdPartyKind.INDIVIDUAL:
        return party.name[:1] + "*" * max(len(party.name) - 1, 1) + "（个人）"
    return party.name


def claim_verification(code: str) -> Verification | None:
    """The public facts of the claim with this verification code, or ``None``."""
    code = normalise_code(code)
    if code_problem(code):
        return None
    claim = (
        Claim.objects.filter(verification_code=code)
        .select_related("third_party", "employer")
        .annotate(people=Count("items"))
        .first()
    )
    if claim is None:
        return None
    decided_on = None
    if claim.status in APPROVED_STATUSES:
        decided_on = _day(claim.second_reviewed_at)
    elif claim.status == ClaimStatus.REJECTED:
        event = claim.events.filter(action__in=REJECTIONS).order_by("-at", "-pk").first()
        decided_on = _day(event.at) if event else None
    return Verification(
        reference=claim.reference,
        status=claim.status,
        status_label=str(claim.get_status_display()),
        third_party=_public_name(claim),
        employer=claim.employer.name,
        people=claim.people,
        requested_total=yuan(claim.requested_total),
        approved_total=yuan(claim.approved_total) if claim.status in APPROVED_STATUSES else "",
        decided_on=decided_on,
        paid_on=claim.paid_on if claim.status == ClaimStatus.PAID else None,
        issued_on=timezone.localdate(claim.created_at),
        documents=tuple(public_document(document) for document in stored_documents.documents_of(claim)),
    )


def claim_by_code(code: str) -> Claim | None:
    code = normalise_code(code)
    if code_problem(code):
        return None
    return Claim.objects.filter(verification_code=code).first()


#: The largest file the public check takes: a claim's papers are well under a megabyte.
MAX_CHECKED_BYTES = 10 * 1024 * 1024
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class PaperCheck:
    """The answer to a reader's file or digest: ``problem`` (the input cannot be checked, in Chinese), or whether it
    is one of the claim's stored copies (``match``)."""

    problem: str = ""
    match: PublicDocument | None = None
    sha256: str = ""

    @property
    def matches(self) -> bool:
        return self.match is not None


def normalise_digest(text: str) -> str:
    """A digest as pasted: spaces, colons and line breaks between groups and upper case are all read as meant."""
    cleaned = unicodedata.normalize("NFKC", text)
    return "".join(c for c in cleaned if not c.isspace() and c not in ":-").lower()


def digest_problem(sha256: str) -> str:
    if len(sha256) != stored_documents.DIGEST_LENGTH or not set(sha256) <= _HEX:
        return (
            f"SHA-256校验值应为{stored_documents.DIGEST_LENGTH}位十六进制字符（数字0–9和字母a–f），"
            f"您输入了{len(sha256)}位，请核对。"
        )
    return ""


def pdf_problem(data: bytes) -> str:
    """Why ``data`` cannot be a PDF the portal issued, in Chinese; empty when it may be one."""
    if not data:
        return "您上传的文件是空的，请重新选择。"
    if len(data) > MAX_CHECKED_BYTES:
        return f"文件超过{MAX_CHECKED_BYTES // (1024 * 1024)}MB，本平台出具的申报表不会这么大，请核对后重新选择。"
    # A PDF starts with its header (%PDF-), which the standard lets readers find within the first kilobyte.
    if b"%PDF-" not in data[:1024]:
        return "只能核验PDF文件（按文件内容判断，不看扩展名）。请上传平台下载的PDF原件，不要上传扫描件或照片。"
    return ""


def paper_check(claim: Claim, *, data: bytes | None = None, sha256: str = "") -> PaperCheck:
    """Is this file (``data``) or this digest one of ``claim``'s stored copies? Only that claim's copies are
    compared: a file of another claim is “not this claim's”, and says nothing about the other."""
    if data is not None:
        problem = pdf_problem(data)
        if problem:
            return PaperCheck(problem=problem)
        sha256 = stored_documents.digest(data)
    else:
        sha256 = normalise_digest(sha256)
        if not sha256:
            return PaperCheck(problem="请选择要核验的PDF文件，或填写其SHA-256校验值。")
        problem = digest_problem(sha256)
        if problem:
            return PaperCheck(problem=problem)
    document = stored_documents.matching(claim, sha256)
    return PaperCheck(match=public_document(document) if document else None, sha256=sha256)
