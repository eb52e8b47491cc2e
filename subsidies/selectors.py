"""Reads of the subsidies app, scoped to who is asking."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from portal import permissions as p
from portal.calendar import Span, TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.errors import PortalError
from portal.models import SubsidyCap, User
from positions.selectors import employer_is_base
from referrals.constants import EmployerConfirmation, HireStatus, IntroductionStage
from referrals.models import DeclaredPerson, Hire
from referrals.selectors import hires_introduced
from subsidies.constants import INTRODUCED_STAGES, ClaimStage, ClaimStatus
from subsidies.models import Claim, ClaimItem, PersonException
from subsidies.services import ClaimRows, hire_cap, hire_cap_key

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def claim_scope(user: User) -> Q:
    """A third party sees its own claims only; the talent centre and the bureau see all; nobody else any."""
    if p.is_third_party.test(user) and user.third_party_id:
        return Q(third_party_id=user.third_party_id)
    if (p.is_talent_centre | p.is_bureau_reviewer).test(user):
        # Reviewers see what has been submitted to them, never a claimant's unsent drafts.
        return Q(submitted_at__isnull=False)
    return Q(pk__in=[])


def claim_visible(*, user: User) -> QuerySet[Claim]:
    """The claims ``user`` may see, each saying whether its employer is a talent base (``employer_is_base``)."""
    return (
        Claim.objects.filter(claim_scope(user))
        .select_related("third_party", "employer", "first_reviewer", "second_reviewer", "paid_by")
        .annotate(employer_is_base=employer_is_base())
        .order_by("-created_at", "-pk")
    )


def claim_items(*, claim: Claim) -> QuerySet[ClaimItem]:
    """The claim's lines with each hire's publicity record and employer confirmation, for the review screen."""
    return claim.items.select_related(
        "hire__employer",
        "hire__notice",
        "hire__district",
        "hire__employer_confirmed_by",
        "hire__exemption_rule",
        "person_exception",
    ).prefetch_related("hire__objections")


def claim_detail(*, user: User, with_publicity: bool = True) -> QuerySet[Claim]:
    """One claim with its lines, scans and history. Each line's hire comes with its post; ``with_publicity`` adds the
    post's employer and the hire's notice (the review screens; the claimant's API reply shows neither)."""
    line_related = ("hire__employer", "hire__notice", "hire__exemption_rule") if with_publicity else ("hire",)
    return claim_visible(user=user).prefetch_related(
        Prefetch("items", queryset=ClaimItem.objects.select_related(*line_related)),
        "attachments",
        "events__actor",
    )


def claim_detail_in_hand(claim: Claim, rows: ClaimRows) -> Claim:
    """``claim`` as ``claim_detail(with_publicity=False)`` reads it (its lines each with its hire, its scans, its
    history each step with who took it), from the rows the service that just wrote it holds (``ClaimRows``) rather
    than read again; what the service did not hold is read here (one query each). The claimant's reply to its own
    write. The claim carries its third party and employer already (the service read or set them); its reviewers,
    where it has any, are read when asked for."""
    cache: dict[str, QuerySet[Any]] = claim.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in ("items", "attachments", "events"):
        cache.pop(name, None)
    attachments = list(claim.attachments.all()) if rows.attachments is None else rows.attachments
    events = list(claim.events.select_related("actor")) if rows.events is None else rows.events
    for name, objects in (("items", rows.items), ("attachments", attachments), ("events", events)):
        # What ``prefetch_related`` leaves: the related manager's own queryset (a later ``.filter()`` on it still
        # asks the database about this claim only), its results filled in.
        queryset = getattr(claim, name).get_queryset()
        queryset._result_cache = list(objects)
        queryset._prefetch_done = True
        cache[name] = queryset
    return claim


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
        .select_related("position", "employer", "district")
        .order_by("employer__name", "name")
    )


def introduced_hires(*, user: User, stage: str = "") -> QuerySet[Hire]:
    """The third party's 我推荐的人才: every hire it introduced (``referrals.selectors.hires_introduced``), each with
    ``stage``, one of ``INTRODUCED_STAGES``: its way through the district and the employer, then 可申报 (confirmed by
    both, on no live claim, and the third party verified: what ``claimable_hires`` offers), or 已申报 with its live
    claim in ``live_claim_items`` (one, by the one-live-line rule). ``stage`` keeps one stage. Two queries."""
    on_live_claim = Exists(ClaimItem.objects.filter(hire=OuterRef("pk"), live=True))
    can_claim = p.is_verified_third_party.test(user)
    hires = hires_introduced(user=user).annotate(
        stage=Case(
            When(on_live_claim, then=Value(ClaimStage.CLAIMED)),
            When(
                introduction_stage=IntroductionStage.CONFIRMED,
                then=Value(ClaimStage.CLAIMABLE if can_claim else IntroductionStage.CONFIRMED),
            ),
            default=F("introduction_stage"),
            output_field=CharField(),
        )
    )
    if stage:
        hires = hires.filter(stage=stage)
    live_items = ClaimItem.objects.filter(live=True).select_related("claim")
    return hires.prefetch_related(Prefetch("claim_items", queryset=live_items, to_attr="live_claim_items"))


def introduced_hire_counts(*, user: User) -> list[tuple[str, StrOrPromise, int]]:
    """Each stage of ``INTRODUCED_STAGES`` with how many of the third party's hires are at it now (one query)."""
    counted = (
        introduced_hires(user=user)
        .prefetch_related(None)
        .aggregate(**{key: Count("pk", filter=Q(stage=key)) for key, _ in INTRODUCED_STAGES})
    )
    return [(key, label, counted.get(key, 0)) for key, label in INTRODUCED_STAGES]


# The figures the bureau reads (docs/figures.md): one selector per figure, over a span of whole 旬, grouped by district
# (the employer's; ``None`` for an employer without one) and 旬 in the database.

#: The three steps a claim's money is counted at: each by its own moment.
CLAIM_STEPS = ("submitted", "approved", "paid")
ClaimStep = Literal["submitted", "approved", "paid"]


@dataclass(frozen=True)
class ClaimCount:
    """Claims of one district's employers at one step in one 旬, and their amount (asked when submitted, approved
    when approved or paid)."""

    district: str | None
    period: TenDayPeriod
    step: ClaimStep
    claims: int
    amount: Decimal


def _claim_steps(span: Span) -> tuple[tuple[ClaimStep, Q, Any, str], ...]:
    """The time rule of the claims figures, stated once: per step, which claims count in the span, the day that puts
    each in its 旬, and the amount counted."""
    # An instant counts by its calendar day in Asia/Shanghai; a payment date is already a day.
    return (
        ("submitted", span.instant_in("submitted_at"), TruncDate("submitted_at", tzinfo=SHANGHAI), "requested_total"),
        (
            "approved",
            span.instant_in("second_reviewed_at") & Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID]),
            TruncDate("second_reviewed_at", tzinfo=SHANGHAI),
            "approved_total",
        ),
        ("paid", span.day_in("paid_on") & Q(status=ClaimStatus.PAID), F("paid_on"), "approved_total"),
    )


def claims_counted(*, span: Span) -> list[ClaimCount]:
    """Claims submitted in the span (by their first submission, whatever became of them since; the amount asked),
    approved in it (approved or paid, by the re-review that approved them; the amount approved) and paid in it (by the
    payment date; the amount approved), by the employer's district. Three queries."""
    counts: dict[tuple[str | None, TenDayPeriod, ClaimStep], list[Any]] = {}
    for step, condition, on, amount in _claim_steps(span):
        rows = (
            Claim.objects.filter(condition)
            .annotate(day=on)
            .values_list("employer__district__code", "day")
            .annotate(n=Count("pk"), total=Coalesce(Sum(amount), ZERO))
            .order_by()
        )
        for code, on_day, n, total in rows:
            entry = counts.setdefault((code, TenDayPeriod.of(on_day), step), [0, Decimal("0.00")])
            entry[0] += n
            entry[1] += total
    return [ClaimCount(code, period, step, n, total) for (code, period, step), (n, total) in counts.items()]


def caps_of_items(*, items: Iterable[ClaimItem]) -> list[SubsidyCap]:
    """The caps the claim's lines fall under (in force on each hire's date), each once, for the note that says where
    each comes from (docs/figures.md, "Where the caps and targets come from"). One query per channel and date; a line
    whose cap is missing or doubled today is left out (the line keeps the cap stored when it was claimed)."""
    by_key: dict[tuple[str, datetime.date], SubsidyCap | None] = {}
    for item in items:
        key = hire_cap_key(item.hire)
        if key not in by_key:
            try:
                by_key[key] = hire_cap(item.hire)
            except PortalError:
                by_key[key] = None
    found = {cap.pk: cap for cap in by_key.values() if cap is not None}
    return sorted(found.values(), key=lambda cap: (cap.channel, cap.pk))


@dataclass(frozen=True)
class BaseClaimCount:
    """Claims for one talent base (its employer) at one step in one 旬, and their amount."""

    employer_id: int
    period: TenDayPeriod
    step: ClaimStep
    claims: int
    amount: Decimal


def base_claims_counted(*, span: Span) -> list[BaseClaimCount]:
    """``claims_counted``'s claims (same steps, time rule and amounts) for employers that are talent bases, by
    employer, 旬 and step. Three queries."""
    counts: dict[tuple[int, TenDayPeriod, ClaimStep], list[Any]] = {}
    for step, condition, on, amount in _claim_steps(span):
        rows = (
            Claim.objects.filter(condition, employer_is_base())
            .annotate(day=on)
            .values_list("employer_id", "day")
            .annotate(n=Count("pk"), total=Coalesce(Sum(amount), ZERO))
            .order_by()
        )
        for employer_id, on_day, n, total in rows:
            entry = counts.setdefault((employer_id, TenDayPeriod.of(on_day), step), [0, Decimal("0.00")])
            entry[0] += n
            entry[1] += total
    return [
        BaseClaimCount(employer_id, period, step, n, total)
        for (employer_id, period, step), (n, total) in counts.items()
    ]


def with_live_claim(people: QuerySet[DeclaredPerson]) -> QuerySet[DeclaredPerson]:
    """The live claim a declared person's hire is on (``claim_reference``, ``claim_id``; empty when none): registered
    with ``referrals.selectors.declared_people_followed`` so the third party follows its people up to the claim."""
    live = ClaimItem.objects.filter(hire=OuterRef("hire"), live=True).order_by()
    return people.annotate(
        claim_reference=Subquery(live.values("claim__reference")[:1]),
        claim_id=Subquery(live.values("claim_id")[:1]),
    )


def person_exceptions() -> QuerySet[PersonException]:
    """The bureau's exceptions to once per person, newest first, each with the live claim line that uses it (if
    any) for the page to name: two queries whatever their number."""
    return PersonException.objects.select_related("recorded_by").prefetch_related(
        Prefetch("items", queryset=ClaimItem.objects.filter(live=True).select_related("claim"), to_attr="live_items")
    )
