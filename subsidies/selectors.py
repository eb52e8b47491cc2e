"""Reads of the subsidies app, scoped to who is asking."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from portal import permissions as p
from portal.models import User
from referrals.constants import EmployerConfirmation, HireStatus
from referrals.models import Hire
from subsidies.constants import ClaimStatus
from subsidies.models import Claim, ClaimItem


def claim_scope(user: User) -> Q:
    """A third party sees its own claims only; the talent centre and the bureau see all; nobody else any."""
    if p.is_third_party.test(user) and user.third_party_id:
        return Q(third_party_id=user.third_party_id)
    if (p.is_talent_centre | p.is_bureau_reviewer).test(user):
        # Reviewers see what has been submitted to them, never a claimant's unsent drafts.
        return Q(submitted_at__isnull=False)
    return Q(pk__in=[])


def claim_visible(*, user: User) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(claim_scope(user))
        .select_related("third_party", "employer", "first_reviewer", "second_reviewer", "paid_by")
        .order_by("-created_at", "-pk")
    )


def claim_items(*, claim: Claim) -> QuerySet[ClaimItem]:
    """The claim's lines with each hire's publicity record and employer confirmation, for the review screen."""
    return claim.items.select_related(
        "hire__position__employer", "hire__notice", "hire__district", "hire__employer_confirmed_by"
    ).prefetch_related("hire__objections")


def claim_detail(*, user: User, with_publicity: bool = True) -> QuerySet[Claim]:
    """One claim with its lines, scans and history. Each line's hire comes with its post; ``with_publicity`` adds the
    post's employer and the hire's notice (the review screens; the claimant's API reply shows neither)."""
    line_related = ("hire__position__employer", "hire__notice") if with_publicity else ("hire__position",)
    return claim_visible(user=user).prefetch_related(
        Prefetch("items", queryset=ClaimItem.objects.select_related(*line_related)),
        "attachments",
        "events__actor",
    )


def claim_status_counts(*, user: User) -> dict[str, int]:
    """One query: how many of the user's visible claims wait in each state that has a queue."""
    waiting = (
        ClaimStatus.DRAFT,
        ClaimStatus.RETURNED,
        ClaimStatus.SUBMITTED,
        ClaimStatus.FIRST_PASSED,
        ClaimStatus.APPROVED,
    )
    return Claim.objects.filter(claim_scope(user)).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in waiting}
    )


#: Where each reviewer's queue is.
QUEUE_STATUS = {"first": ClaimStatus.SUBMITTED, "second": ClaimStatus.FIRST_PASSED, "payment": ClaimStatus.APPROVED}


def review_queue(*, user: User, step: str) -> QuerySet[Claim]:
    """The claims waiting at ``step``, longest-waiting first."""
    return (
        claim_visible(user=user)
        .filter(status=QUEUE_STATUS[step])
        .prefetch_related(Prefetch("items", queryset=ClaimItem.objects.select_related("hire")))
        .order_by("status_since", "pk")
    )


def claimable_hires(*, user: User) -> QuerySet[Hire]:
    """The third party's hires it may put on a claim now: confirmed, confirmed by the employer, on no live claim."""
    if not user.third_party_id:
        return Hire.objects.none()
    return (
        Hire.objects.filter(
            third_party_id=user.third_party_id,
            status=HireStatus.CONFIRMED,
            employer_confirmation=EmployerConfirmation.CONFIRMED,
        )
        .exclude(claim_items__live=True)
        .select_related("position__employer", "district")
        .order_by("position__employer__name", "name")
    )
