"""Reads of the positions app, already scoped to who is asking and joined for the pages that show them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from portal import permissions as p
from portal.calendar import Span, TenDayPeriod
from portal.models import District, Employer, User
from portal.permissions import district_scope, scope_to_district
from positions.constants import BatchStatus, PositionStatus, ProposalStatus
from positions.models import Position, PositionBatch, PostProposal

#: Posts that have left the district in a sent batch (what the city counts as reported).
REPORTED = (PositionStatus.SENT, PositionStatus.AGGREGATED, PositionStatus.PUBLISHED, PositionStatus.CLOSED)


def employer_is_base(employer: str = "employer") -> Exists:
    """Whether the employer at the path ``employer`` (from the model queried) is a talent base of any batch
    (docs/bases.md, "Where a base shows"): an EXISTS subquery on the reverse relation ``talent_bases`` of
    ``bases.TalentBase``, named as a string, so the apps below ``bases`` never import it. As a filter it counts a base in
    two batches once (a join on the relation would count it twice); as an annotation it costs no query of its own."""
    return Exists(Employer.objects.filter(pk=OuterRef(employer), talent_bases__isnull=False))


def _joined(positions: QuerySet[Position]) -> QuerySet[Position]:
    return positions.select_related("employer", "district", "batch")


def position_public_list() -> QuerySet[Position]:
    """Published posts of both channels, for anyone, newest first; ``positions.filters.PositionFilter`` narrows it.
    Each post says whether its employer is a talent base (``employer_is_base``), for the 基地 badge."""
    return (
        Position.objects.filter(status=PositionStatus.PUBLISHED)
        .select_related("employer", "district")
        .annotate(employer_is_base=employer_is_base())
        .order_by("-published_at", "-pk")
    )


def position_public_detail_queryset() -> QuerySet[Position]:
    return (
        Position.objects.filter(status=PositionStatus.PUBLISHED)
        .select_related("employer", "district")
        .annotate(employer_is_base=employer_is_base())
    )


def position_visible(*, user: User) -> QuerySet[Position]:
    """Every post the user may see behind the login: district staff their own district's, city staff all."""
    return _joined(scope_to_district(Position.objects.all(), user))


def position_editable(*, user: User) -> QuerySet[Position]:
    """``position_visible``'s posts (the same scope, so the same 404s), with only what the edit form needs joined:
    the district (the employers it offers) and the batch (the 旬 it goes back to). The employer's row is not shown
    (the form names it by id), and the save itself reads and locks the post again (``services.position_update``)."""
    return scope_to_district(Position.objects.select_related("district", "batch"), user)


#: The district's work queues: the posts waiting for the clerk (returned, draft) or the reviewer (submitted, approved).
CLERK_QUEUES = (PositionStatus.RETURNED, PositionStatus.DRAFT)
REVIEWER_QUEUES = (PositionStatus.SUBMITTED, PositionStatus.APPROVED)
DISTRICT_QUEUES = CLERK_QUEUES + REVIEWER_QUEUES
#: The city's work queue: posts sent up (the talent centre aggregates) and aggregated (the bureau publishes).
CITY_QUEUES = (PositionStatus.SENT, PositionStatus.AGGREGATED)


def position_district_queue(*, user: User, status: str) -> QuerySet[Position]:
    """The user's district's posts in ``status`` (one of ``DISTRICT_QUEUES``), whatever their 旬: a post returned
    by the city or carried over by a send sits in a later 旬's batch than the one on screen, and still waits."""
    return _joined(scope_to_district(Position.objects.filter(status=status), user)).order_by(
        "batch__period", "created_at", "pk"
    )


@dataclass(frozen=True)
class BatchOutlook:
    """What sending a batch would do: ``approved`` posts go up, ``submitted`` ones block the send (the reviewer
    decides on them first), ``carried`` ones (drafts and returned posts) move on to the next 旬. Nothing approved
    and nothing waiting: a zero report."""

    approved: int = 0
    submitted: int = 0
    carried: int = 0

    @classmethod
    def of(cls, statuses: Iterable[str]) -> BatchOutlook:
        counts = Counter(statuses)
        return cls(
            approved=counts[PositionStatus.APPROVED],
            submitted=counts[PositionStatus.SUBMITTED],
            carried=counts[PositionStatus.DRAFT] + counts[PositionStatus.RETURNED],
        )

    @property
    def is_zero_report(self) -> bool:
        return not self.approved and not self.submitted


def position_queue_counts(*, user: User, statuses: Iterable[str]) -> dict[str, int]:
    """One query: how many of the user's visible posts are in each of ``statuses``, whatever their 旬 — the
    figures of the work queues, whose pages (``position_district_queue``, ``city_positions``) list the same posts."""
    return scope_to_district(Position.objects.all(), user).aggregate(
        **{str(status): Count("pk", filter=Q(status=status)) for status in statuses}
    )


def batch_outlooks(*, batches: Iterable[PositionBatch]) -> dict[int, BatchOutlook]:
    """Each batch's ``BatchOutlook``, in one query."""
    statuses: dict[int, list[str]] = {batch.pk: [] for batch in batches}
    for batch_id, status in Position.objects.filter(batch_id__in=statuses).values_list("batch_id", "status"):
        statuses[batch_id].append(status)
    return {pk: BatchOutlook.of(found) for pk, found in statuses.items()}


def batch_visible(*, user: User) -> QuerySet[PositionBatch]:
    return scope_to_district(PositionBatch.objects.select_related("district"), user)


def batch_positions(*, batch: PositionBatch) -> QuerySet[Position]:
    return _joined(batch.positions.all()).order_by("created_at", "pk")


def district_employers(*, district: District) -> QuerySet[Employer]:
    return Employer.objects.filter(district=district).order_by("name")


@dataclass(frozen=True)
class DistrictReport:
    district: District
    batch: PositionBatch | None
    reported: int

    @property
    def state(self) -> str:
        """``sent`` (已报送), ``zero`` (零报告) or ``missing`` (未报送)."""
        if self.batch is None or self.batch.sent_at is None or self.batch.status != "sent":
            return "missing"
        return "zero" if self.batch.is_zero_report else "sent"


def city_district_reports(*, period: TenDayPeriod) -> list[DistrictReport]:
    """Every district with its batch of ``period`` (two queries, whatever the number of districts)."""
    batches = {
        batch.district_id: batch
        for batch in PositionBatch.objects.filter(period=str(period)).annotate(
            reported=Count("positions", filter=Q(positions__status__in=REPORTED))
        )
    }
    return [
        DistrictReport(
            district=district,
            batch=batches.get(district.pk),
            reported=getattr(batches.get(district.pk), "reported", 0),
        )
        for district in District.objects.order_by("order", "code")
    ]


def city_positions() -> QuerySet[Position]:
    """Every post waiting at the city, whatever 旬 it was sent in: sent (to aggregate) and aggregated (to
    publish). A 旬's batch is usually sent after the 旬 closes, so its posts wait while a later 旬 runs."""
    return _joined(Position.objects.filter(status__in=CITY_QUEUES)).order_by(
        "batch__period", "district__order", "employer__name", "pk"
    )


def position_api_list(*, user: User) -> QuerySet[Position]:
    """For the API: published posts for anyone, plus the posts behind the login that the user may see."""
    return _joined(Position.objects.filter(Q(status=PositionStatus.PUBLISHED) | district_scope(user)))


# Employers' post proposals (positions.proposals)


def proposal_of_employer(*, user: User) -> QuerySet[PostProposal]:
    """The employer account's own company's proposals, whatever their district, with the post each became."""
    if not p.is_employer.test(user) or user.employer_id is None:
        return PostProposal.objects.none()
    return PostProposal.objects.filter(employer_id=user.employer_id).select_related("district", "position", "employer")


def proposal_of_district(*, user: User) -> QuerySet[PostProposal]:
    """The proposals sent to the clerk's district (another district's are not there: 404)."""
    if not p.is_district_clerk.test(user):
        return PostProposal.objects.none()
    return scope_to_district(PostProposal.objects.select_related("employer", "district", "position"), user)


def proposal_waiting_count(*, user: User) -> int:
    """How many proposals wait for the clerk's decision (the clerk's work queue)."""
    return proposal_of_district(user=user).filter(status=ProposalStatus.PROPOSED).count()


def proposal_returned_count(*, user: User) -> int:
    """How many of the employer's proposals came back with a reason (the employer's work queue)."""
    return proposal_of_employer(user=user).filter(status=ProposalStatus.RETURNED).count()


# The figures the bureau reads (docs/figures.md): one selector per figure, over a span of whole 旬, grouped by district
# and 旬 in the database. A post belongs to its batch's 旬.


@dataclass(frozen=True)
class PostCount:
    """Posts reported to the city of one district's batch of one 旬, of one channel and education."""

    district: str | None
    period: TenDayPeriod
    channel: str
    education: str
    posts: int
    headcount: int


def _reported_in(span: Span) -> QuerySet[Position]:
    """The time rule of the posts figure, stated once: posts that left their district in a sent batch
    (``REPORTED``) of a 旬 of the span."""
    return Position.objects.filter(batch__period__in=span.codes, status__in=REPORTED)


def posts_reported(*, span: Span) -> list[PostCount]:
    """Posts and their headcount that left their district in a sent batch (``REPORTED``), by district, 旬, channel
    and education: the post's batch's 旬 puts it in the span. One query."""
    rows = (
        _reported_in(span)
        .values_list("district__code", "batch__period", "channel", "education")
        .annotate(posts=Count("pk"), headcount=Coalesce(Sum("headcount"), 0))
        .order_by()
    )
    return [
        PostCount(code, TenDayPeriod.parse(period), channel, education, posts, headcount)
        for code, period, channel, education, posts, headcount in rows
    ]


@dataclass(frozen=True)
class BasePostCount:
    """Posts reported in one 旬 by one talent base (its employer), and their headcount."""

    employer_id: int
    period: TenDayPeriod
    posts: int
    headcount: int


def base_posts_reported(*, span: Span) -> list[BasePostCount]:
    """``posts_reported``'s posts (same time rule) of the employers that are talent bases, by employer and 旬. One
    query."""
    rows = (
        _reported_in(span)
        .filter(employer_is_base())
        .values_list("employer_id", "batch__period")
        .annotate(posts=Count("pk"), headcount=Coalesce(Sum("headcount"), 0))
        .order_by()
    )
    return [
        BasePostCount(employer_id, TenDayPeriod.parse(period), posts, headcount)
        for employer_id, period, posts, headcount in rows
    ]


def batches_reported(*, span: Span) -> dict[tuple[str, TenDayPeriod], str]:
    """How each district's post batch of each 旬 of the span was sent: ``"sent"``, ``"zero"`` (a zero report) or
    ``"late"`` (sent after its 旬 closed); a district and 旬 missing here sent nothing. One query."""
    states: dict[tuple[str, TenDayPeriod], str] = {}
    batches = PositionBatch.objects.filter(period__in=span.codes, status=BatchStatus.SENT).values_list(
        "district__code", "period", "is_zero_report", "sent_at"
    )
    for code, code_period, is_zero, sent_at in batches:
        period = TenDayPeriod.parse(code_period)
        if sent_at is not None and sent_at >= period.closes_at:
            states[code, period] = "late"
        else:
            states[code, period] = "zero" if is_zero else "sent"
    return states
