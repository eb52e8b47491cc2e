"""The subsidies app's part of retention (``portal.retention``, whose docstring says what is kept and when): the
claims, their signed scans and the stored copies of their papers, and the hires and recommenders a claim within its period still needs."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from auditlog.context import disable_auditlog
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from portal import documents as stored_documents
from portal.constants import ThirdPartyKind
from portal.models import AnonymisationRun
from portal.retention import (
    ANONYMISED_NAME,
    Cutoffs,
    RetentionStep,
    register_step,
    register_third_party_hold,
    scrub_trail,
    start_of,
)
from referrals.retention import register_hire_hold
from subsidies.constants import ClaimStatus
from subsidies.models import Claim, ClaimAttachment, ClaimItem

#: The personal fields of a claim, and what they become. Everything else of the claim stays.
CLAIM_FIELDS: dict[str, Any] = {
    "payee_phone": "",
    "bank_account": "",
    "employer_contact": ANONYMISED_NAME,
    "employer_phone": "",
}
#: Only when the payee is a person: an organisation's name is public.
CLAIM_PERSON_FIELDS: dict[str, Any] = {"payee_name": ANONYMISED_NAME}
ATTACHMENT_FIELDS = ("original_name", "file", "stored_name", "sha256")


def claims_past_retention(cutoffs: Cutoffs) -> QuerySet[Claim]:
    """Claims closed before the cut-off, or abandoned as a draft or returned claim since before it (anonymised
    already or not)."""
    since_before = start_of(cutoffs.claims_closed_before)
    closed_before = Q(status=ClaimStatus.PAID, paid_on__lt=cutoffs.claims_closed_before) | Q(
        status__in=[ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN], status_since__lt=since_before
    )
    abandoned = Q(status__in=[ClaimStatus.DRAFT, ClaimStatus.RETURNED], status_since__lt=since_before)
    return Claim.objects.filter(closed_before | abandoned)


def claims_due(cutoffs: Cutoffs) -> QuerySet[Claim]:
    return claims_past_retention(cutoffs).filter(anonymised_at__isnull=True)


def anonymise_claims(claim_ids: list[int], *, run: AnonymisationRun, now: datetime.datetime) -> None:
    claims = Claim.objects.filter(pk__in=claim_ids)
    claims.update(**CLAIM_FIELDS, anonymised_at=now)
    claims.filter(third_party__kind=ThirdPartyKind.INDIVIDUAL).update(**CLAIM_PERSON_FIELDS)
    # The lines' copy of the person's keyed digest would still link them to the person: it goes too.
    ClaimItem.objects.filter(claim_id__in=claim_ids).update(person_digest=None)
    run.claims = len(claim_ids)

    # The signed scans carry names, ID numbers and signatures: rows and files go. The rows go without auditlog's
    # delete entries (which would copy the file names); the claims' entry below says how many went.
    attachments = ClaimAttachment.objects.filter(claim_id__in=claim_ids)
    files = [name for name in attachments.values_list("file", flat=True) if name]
    attachment_ids = list(attachments.values_list("pk", flat=True))
    with disable_auditlog():
        attachments.delete()
    for name in files:
        transaction.on_commit(partial(default_storage.delete, name))
    run.attachments = len(attachment_ids)
    # The stored copies of the claim's papers print the payee's account and the hires' ID numbers whole: they go
    # (and an anonymised claim never gets one again: its papers are rendered at each download).
    stored_documents.forget(Claim, claim_ids)
    run.audit_entries += scrub_trail(ClaimAttachment, attachment_ids, ATTACHMENT_FIELDS)
    run.audit_entries += scrub_trail(Claim, claim_ids, [*CLAIM_FIELDS, *CLAIM_PERSON_FIELDS])


def claim_holds_hire(cutoffs: Cutoffs) -> Exists:
    """A hire on a claim not itself past its period (live, or closed too recently) is kept. A claim past it frees
    its hires in the same run, anonymised yet or not."""
    return Exists(
        ClaimItem.objects.filter(hire=OuterRef("pk")).exclude(claim__in=claims_past_retention(cutoffs).values("pk"))
    )


def claim_holds_third_party(cutoffs: Cutoffs) -> Exists:
    """An individual with a claim not itself past its period is kept."""
    return Exists(
        Claim.objects.filter(third_party=OuterRef("pk")).exclude(pk__in=claims_past_retention(cutoffs).values("pk"))
    )


def register() -> None:
    register_step(RetentionStep(order=10, counts_as="claims", due=claims_due, anonymise=anonymise_claims))
    register_hire_hold(claim_holds_hire)
    register_third_party_hold(claim_holds_third_party)
