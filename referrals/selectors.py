"""Reads of the referrals app, scoped to who is asking."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from referrals.constants import HireStatus
from referrals.models import Hire, PublicityNotice


def notice_list_public(*, now: datetime.datetime | None = None) -> QuerySet[PublicityNotice]:
    """Notices under publicity now: a notice leaves public view when its publicity ends (staff keep it)."""
    now = now or timezone.now()
    return (
        PublicityNotice.objects.filter(published_on__lte=timezone.localdate(now), closes_at__gt=now)
        .select_related("district")
        .order_by("closes_at", "pk")
    )


def notice_public_hires(*, notice: PublicityNotice) -> QuerySet[Hire]:
    """What the public notice shows per person: name, employer, post, education, school. Never an ID number,
    phone or bank detail: the query does not even load them."""
    return (
        notice.hires.filter(status__in=[HireStatus.IN_PUBLICITY, HireStatus.CONFIRMED, HireStatus.FAILED])
        .select_related("position__employer")
        .only("pk", "name", "education", "school", "major", "status", "position__name", "position__employer__name")
        .order_by("pk")
    )


def notices_public_with_hires(*, now: datetime.datetime | None = None) -> QuerySet[PublicityNotice]:
    return notice_list_public(now=now).prefetch_related(
        Prefetch(
            "hires",
            queryset=Hire.objects.select_related("position__employer").only(
                "pk", "notice_id", "name", "education", "school", "position__name", "position__employer__name"
            ),
        )
    )
