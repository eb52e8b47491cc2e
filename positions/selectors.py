"""Reads of the positions app, already scoped to who is asking and joined for the pages that show them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from portal.calendar import TenDayPeriod
from portal.models import District, Employer, User
from portal.permissions import district_scope, scope_to_district
from positions.constants import PositionStatus
from positions.models import Position, PositionBatch

#: Posts that have left the district in a sent batch (what the city counts as reported).
REPORTED = (PositionStatus.SENT, PositionStatus.AGGREGATED, PositionStatus.PUBLISHED, PositionStatus.CLOSED)


def _joined(positions: QuerySet[Position]) -> QuerySet[Position]:
    return positions.select_related("employer", "district", "batch")


def position_public_list() -> QuerySet[Position]:
    """Published posts of both channels, for anyone, newest first; ``positions.filters.PositionFilter`` narrows it."""
    return (
        Position.objects.filter(status=PositionStatus.PUBLISHED)
        .select_related("employer", "district")
        .order_by("-published_at", "-pk")
    )


def position_public_detail_queryset() -> QuerySet[Position]:
    return Position.objects.filter(status=PositionStatus.PUBLISHED).select_related("employer", "district")


def position_visible(*, user: User) -> QuerySet[Position]:
    """Every post the user may see behind the login: district staff their own district's, city staff all."""
    return _joined(scope_to_district(Position.objects.all(), user))


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


def city_positions(*, period: TenDayPeriod) -> QuerySet[Position]:
    """Posts of ``period`` waiting at the city: sent (to aggregate) and aggregated (to publish)."""
    return _joined(
        Position.objects.filter(batch__period=str(period), status__in=(PositionStatus.SENT, PositionStatus.AGGREGATED))
    ).order_by("district__order", "employer__name", "pk")


def position_api_list(*, user: User) -> QuerySet[Position]:
    """For the API: published posts for anyone, plus the posts behind the login that the user may see."""
    return _joined(Position.objects.filter(Q(status=PositionStatus.PUBLISHED) | district_scope(user)))
