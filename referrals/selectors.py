"""Reads of the referrals app, scoped to who is asking and joined for the pages that show them."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from portal import permissions as p
from portal.calendar import Span, TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.models import District, User
from portal.permissions import district_scope
from positions.constants import PositionStatus
from positions.models import Position
from referrals.constants import EmployerConfirmation, HireStatus, IntroductionStage, ObjectionStatus
from referrals.models import Hire, HireReport, Objection, PublicityNotice

#: The states of a post a person can be recorded on: published by the bureau (closed ones keep their hires).
HIRABLE = (PositionStatus.PUBLISHED, PositionStatus.CLOSED)

#: Hires that take a place of their post's headcount: everyone except those whose publicity failed.
COUNTS_AGAINST_HEADCOUNT = Q(status__in=[s for s in HireStatus.values if s != HireStatus.FAILED])


def _joined(hires: QuerySet[Hire]) -> QuerySet[Hire]:
    return hires.select_related("position__employer", "district", "third_party", "notice", "exemption_rule")


def with_headcount(hires: QuerySet[Hire]) -> QuerySet[Hire]:
    """Annotate ``post_hires`` (hires holding a place of the same post) and ``over_headcount`` (more than its
    需求人数): one correlated subquery, so a list of any length stays one query."""
    taken = (
        Hire.objects.filter(COUNTS_AGAINST_HEADCOUNT, position=OuterRef("position"))
        .order_by()
        .values("position")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return hires.annotate(post_hires=Coalesce(Subquery(taken, output_field=IntegerField()), 0)).annotate(
        over_headcount=Case(
            When(post_hires__gt=F("position__headcount"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def hire_scope(user: User) -> Q:
    """The hires a user may see: district staff their district's, city staff all, an employer its company's,
    a third party the people it introduced; nobody else any."""
    if p.is_employer.test(user) and user.employer_id:
        return Q(position__employer_id=user.employer_id)
    if p.is_third_party.test(user) and user.third_party_id:
        return Q(third_party_id=user.third_party_id)
    return district_scope(user)


def hire_visible(*, user: User) -> QuerySet[Hire]:
    return with_headcount(_joined(Hire.objects.filter(hire_scope(user))))


def hirable_positions(*, district: District) -> QuerySet[Position]:
    """The district's posts a person can be recorded on, as the Annex 3 form lists them."""
    return (
        Position.objects.filter(district=district, status__in=HIRABLE)
        .select_related("employer")
        .order_by("employer__name", "name")
    )


def hire_district_list(*, district: District, status: str = "") -> QuerySet[Hire]:
    hires = Hire.objects.filter(district=district)
    if status:
        hires = hires.filter(status=status)
    return with_headcount(_joined(hires)).order_by("-created_at", "-pk")


def objection_queue(*, user: User) -> QuerySet[Objection]:
    """Open objections against the user's district's hires, oldest first."""
    return (
        Objection.objects.filter(status=ObjectionStatus.OPEN)
        .filter(district_scope(user, "hire__district"))
        .select_related("hire__position__employer", "hire__notice")
        .order_by("created_at", "pk")
    )


def notice_visible(*, user: User) -> QuerySet[PublicityNotice]:
    """Staff keep every notice of their scope, closed or not."""
    return PublicityNotice.objects.filter(district_scope(user)).select_related("district")


def notice_api_list(*, user: User) -> QuerySet[PublicityNotice]:
    """The public's notices, plus for staff every notice of their scope (closed ones included), once each, with the
    hires' public fields only."""
    public = notice_list_public()
    if getattr(user, "is_authenticated", False):
        scope = notice_visible(user=user)
        notices = PublicityNotice.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=scope.values("pk")))
    else:
        notices = public
    hires = Hire.objects.select_related("position__employer").only(*PUBLIC_HIRE_FIELDS).order_by("pk")
    return (
        notices.select_related("district")
        .prefetch_related(Prefetch("hires", queryset=hires))
        .order_by("-published_on", "-pk")
    )


def objection_visible(*, user: User) -> QuerySet[Objection]:
    """Every objection against the user's scope's hires, resolved ones included (``objection_queue``: open ones)."""
    return (
        Objection.objects.filter(district_scope(user, "hire__district"))
        .select_related("hire__position__employer", "hire__district", "hire__notice", "resolved_by")
        .order_by("-created_at", "-pk")
    )


def hire_on_public_notice(*, pk: int) -> Hire | None:
    """The hire if it is on a notice the public can see now (what an objection may be lodged against)."""
    return Hire.objects.filter(pk=pk, notice__in=notice_list_public().values("pk")).first()


def notice_next_sequence(*, district: District, year: int) -> int:
    """The next notice's number in its district's year: 1 for the first (its reference ends -001, its title says 第1批)."""
    return PublicityNotice.objects.filter(district=district, published_on__year=year).count() + 1


def notice_default_title(*, district: District, year: int, sequence: int) -> str:
    """A notice's title when the clerk gives none: distinct within the district, since the public picks a notice
    from the list by its title (several of a district's notices can be under publicity at once)."""
    return f"{district.name}卓越工程师引进人才公示（{year}年第{sequence}批）"


def notice_next_default_title(*, district: District, on: datetime.date) -> str:
    """The title the district's next notice, published on ``on``, gets when the clerk leaves the title blank."""
    sequence = notice_next_sequence(district=district, year=on.year)
    return notice_default_title(district=district, year=on.year, sequence=sequence)


def notice_list_public(*, now: datetime.datetime | None = None) -> QuerySet[PublicityNotice]:
    """Notices under publicity now: a notice leaves public view when its publicity ends (staff keep it)."""
    now = now or timezone.now()
    return (
        PublicityNotice.objects.filter(published_on__lte=timezone.localdate(now), closes_at__gt=now)
        .select_related("district")
        .order_by("closes_at", "pk")
    )


#: What a public notice shows per person: name, employer, post, education, school. Never an ID number, phone or
#: bank detail: the queries do not even load them.
PUBLIC_HIRE_FIELDS = (
    "pk",
    "notice_id",
    "name",
    "education",
    "school",
    "major",
    "status",
    "position__name",
    "position__employer__name",
)


def notice_public_hires(*, notice: PublicityNotice) -> QuerySet[Hire]:
    return (
        notice.hires.filter(status__in=[HireStatus.IN_PUBLICITY, HireStatus.CONFIRMED, HireStatus.FAILED])
        .select_related("position__employer")
        .only(*PUBLIC_HIRE_FIELDS)
        .order_by("pk")
    )


def notice_public_next_change(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """When the public's list of notices next changes by the clock alone: the first close of a notice under
    publicity, or the next midnight (a notice dated for a later day opens then). ``portal.web.public_cache`` keeps
    the public's copies no longer than this."""
    now = now or timezone.now()
    midnight = datetime.datetime.combine(
        timezone.localdate(now) + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    first_close = notice_list_public(now=now).aggregate(first=Min("closes_at"))["first"]
    return min(first_close, midnight) if first_close else midnight


def notices_public_with_counts(*, now: datetime.datetime | None = None) -> QuerySet[PublicityNotice]:
    """The public list of notices: each with its number of people (``people``), counted by the database. The list
    shows no one by name, so loading every hire with its post and employer (hundreds of rows) would be waste."""
    return notice_list_public(now=now).annotate(people=Count("hires"))


def report_pending_hires(*, district: District, until: datetime.datetime) -> QuerySet[Hire]:
    """Confirmed hires of the district not yet in a 旬 report, confirmed by ``until``."""
    return _joined(
        Hire.objects.filter(
            district=district, status=HireStatus.CONFIRMED, report__isnull=True, confirmed_at__lte=until
        )
    ).order_by("confirmed_at", "pk")


def report_visible(*, user: User) -> QuerySet[HireReport]:
    return HireReport.objects.filter(district_scope(user)).select_related("district", "sent_by")


@dataclass(frozen=True)
class DistrictHireReport:
    district: District
    report: HireReport | None
    hires: int
    closed: bool

    @property
    def state(self) -> str:
        """``sent`` (按时报送), ``late`` (逾期报送), ``zero`` (零报告), ``missing`` (未报送, the 旬 has closed) or
        ``open`` (not sent yet, the 旬 still runs)."""
        if self.report is None:
            return "missing" if self.closed else "open"
        if self.report.is_late:
            return "late"
        return "zero" if self.hires == 0 else "sent"


def city_hire_reports(*, period: TenDayPeriod, now: datetime.datetime | None = None) -> list[DistrictHireReport]:
    """Every district with its 旬 report of ``period`` (two queries, whatever the number of districts)."""
    closed = (now or timezone.now()) >= period.closes_at
    reports = {
        report.district_id: report
        for report in HireReport.objects.filter(period=str(period)).annotate(n=Count("hires")).select_related("sent_by")
    }
    return [
        DistrictHireReport(
            district=district,
            report=reports.get(district.pk),
            hires=getattr(reports.get(district.pk), "n", 0),
            closed=closed,
        )
        for district in District.objects.order_by("order", "code")
    ]


def employer_hires(*, user: User) -> QuerySet[Hire]:
    """The hires at the employer account's company, third-party introductions waiting for its confirmation first."""
    if user.employer_id is None:
        return Hire.objects.none()
    return _joined(Hire.objects.filter(position__employer_id=user.employer_id)).order_by(
        "-third_party_id", "-created_at"
    )


def hires_introduced(*, user: User) -> QuerySet[Hire]:
    """The hires the user's third party introduced, at every stage from recorded on, newest first; each with its post,
    employer, district and notice, and ``introduction_stage`` (``IntroductionStage``: where the hire stands on the
    way to being confirmed by publicity and by its employer). Nobody but a third party's own account sees any."""
    if not (p.is_third_party.test(user) and user.third_party_id):
        return Hire.objects.none()
    confirmed = Q(status=HireStatus.CONFIRMED)
    stage = Case(
        When(status__in=[HireStatus.RECORDED, HireStatus.RETURNED], then=Value(IntroductionStage.RECORDED)),
        When(status=HireStatus.AUDITED, then=Value(IntroductionStage.AUDITED)),
        When(status=HireStatus.IN_PUBLICITY, then=Value(IntroductionStage.IN_PUBLICITY)),
        When(status=HireStatus.FAILED, then=Value(IntroductionStage.FAILED)),
        When(
            confirmed & Q(employer_confirmation=EmployerConfirmation.DECLINED),
            then=Value(IntroductionStage.EMPLOYER_DECLINED),
        ),
        When(
            confirmed & Q(employer_confirmation=EmployerConfirmation.CONFIRMED), then=Value(IntroductionStage.CONFIRMED)
        ),
        default=Value(IntroductionStage.AWAITING_EMPLOYER),
        output_field=CharField(),
    )
    return (
        _joined(Hire.objects.filter(third_party_id=user.third_party_id))
        .annotate(introduction_stage=stage)
        .order_by("-created_at", "-pk")
    )


# The figures the bureau reads (docs/figures.md): one selector per figure, over a span of whole 旬, grouped by district
# and 旬 in the database (the day of an instant in Asia/Shanghai is grouped on, then named by its 旬 here).


@dataclass(frozen=True)
class HireCount:
    """Hires confirmed in one 旬 by one district, of one programme, mode, education and channel of their post."""

    district: str | None
    period: TenDayPeriod
    programme: str
    mode: str
    education: str
    channel: str
    hires: int
    #: Confirmed after a publicity notice (those confirmed on an exemption are ``hires_exempted``'s).
    publicised: int


#: Confirmed without publicity on an exemption (按规定不公示): under a rule, or on an older written reason.
EXEMPT = Q(notice__isnull=True) & (Q(exemption_rule__isnull=False) | ~Q(exemption_note=""))


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=SHANGHAI)


def hires_confirmed(*, span: Span) -> list[HireCount]:
    """Hires confirmed (已确认) in the span: a hire falls in the 旬 of its confirmation time in Asia/Shanghai, whatever
    its programme year (``Hire.year``). One query."""
    rows = (
        Hire.objects.filter(span.instant_in("confirmed_at"), status=HireStatus.CONFIRMED)
        .annotate(day=_day("confirmed_at"))
        .values_list("district__code", "day", "programme", "mode", "education", "position__channel")
        .annotate(
            n=Count("pk"),
            publicised=Count("pk", filter=Q(notice__isnull=False)),
        )
        .order_by()
    )
    # Several days of one 旬 fold into one count.
    counts: dict[tuple[str | None, TenDayPeriod, str, str, str, str], list[int]] = {}
    for code, day, programme, mode, education, channel, n, publicised in rows:
        entry = counts.setdefault((code, TenDayPeriod.of(day), programme, mode, education, channel), [0, 0])
        entry[0] += n
        entry[1] += publicised
    return [HireCount(*key, *values) for key, values in counts.items()]


@dataclass(frozen=True)
class ExemptionCount:
    """Hires confirmed without publicity (按规定不公示) in one 旬 by one district, under one rule (None: a hire
    exempted on a written reason before the rules were kept)."""

    district: str | None
    period: TenDayPeriod
    rule: str | None
    hires: int


def hires_exempted(*, span: Span) -> list[ExemptionCount]:
    """不公示确认人数: hires confirmed (已确认) in the span without a publicity notice, on an exemption, by the 旬 of
    their confirmation time as ``hires_confirmed`` counts them (its ``exempt`` is their total). One query."""
    rows = (
        Hire.objects.filter(EXEMPT, span.instant_in("confirmed_at"), status=HireStatus.CONFIRMED)
        .annotate(day=_day("confirmed_at"))
        .values_list("district__code", "day", "exemption_rule__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[tuple[str | None, TenDayPeriod, str | None]] = Counter()
    for code, day, rule, n in rows:
        counts[(code, TenDayPeriod.of(day), rule)] += n
    return [ExemptionCount(*key, hires=n) for key, n in counts.items()]


def hire_majors(*, span: Span) -> dict[str | None, Counter[str]]:
    """The majors of the hires ``hires_confirmed`` counts over the span, per district (a blank major is left out)."""
    majors: dict[str | None, Counter[str]] = {}
    rows = (
        Hire.objects.filter(span.instant_in("confirmed_at"), status=HireStatus.CONFIRMED)
        .exclude(major="")
        .values_list("district__code", "major")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for code, major, n in rows:
        majors.setdefault(code, Counter())[major.strip()] += n
    return majors


def notices_published(*, span: Span) -> dict[tuple[str | None, TenDayPeriod], int]:
    """Publicity notices by district and the 旬 of their first day (``published_on``). One query."""
    counts: dict[tuple[str | None, TenDayPeriod], int] = {}
    rows = (
        PublicityNotice.objects.filter(span.day_in("published_on"))
        .values_list("district__code", "published_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for code, day, n in rows:
        key = (code, TenDayPeriod.of(day))
        counts[key] = counts.get(key, 0) + n
    return counts


def notices_under_way(*, span: Span) -> dict[str | None, int]:
    """Publicity under way when the span ends (公示中): published by its last day and closing after its end. A count
    at a moment, not over the span: a year's is its last 旬's. One query."""
    return dict(
        PublicityNotice.objects.filter(published_on__lte=span.last_day, closes_at__gt=span.end)
        .values_list("district__code")
        .annotate(n=Count("pk"))
        .order_by()
    )


@dataclass(frozen=True)
class ObjectionCount:
    """Objections against one district's hires in one 旬: lodged then, and decided (upheld or dismissed) then."""

    district: str | None
    period: TenDayPeriod
    lodged: int = 0
    upheld: int = 0
    dismissed: int = 0


def objections_counted(*, span: Span) -> list[ObjectionCount]:
    """Objections lodged in the span (by when they were lodged) and decided in it (by when they were decided), by the
    district of the hire objected to. Two queries."""
    counts: dict[tuple[str | None, TenDayPeriod], list[int]] = {}
    lodged = (
        Objection.objects.filter(span.instant_in("created_at"))
        .annotate(day=_day("created_at"))
        .values_list("hire__district__code", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for code, day, n in lodged:
        counts.setdefault((code, TenDayPeriod.of(day)), [0, 0, 0])[0] += n
    decided = (
        Objection.objects.filter(
            span.instant_in("resolved_at"), status__in=[ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED]
        )
        .annotate(day=_day("resolved_at"))
        .values_list("hire__district__code", "day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for code, day, status, n in decided:
        counts.setdefault((code, TenDayPeriod.of(day)), [0, 0, 0])[1 if status == ObjectionStatus.UPHELD else 2] += n
    return [ObjectionCount(code, period, *values) for (code, period), values in counts.items()]


def objections_open(*, span: Span) -> dict[str | None, int]:
    """Objections lodged in the span and still undecided when it ends (decided later, or not yet). Counted at the
    span's end, so it does not add up across 旬: an objection lodged in one 旬 and decided in the next is open at
    the end of the first and not at the end of the year. One query."""
    return dict(
        Objection.objects.filter(span.instant_in("created_at"))
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=span.end))
        .values_list("hire__district__code")
        .annotate(n=Count("pk"))
        .order_by()
    )


def objection_resolution_days(*, span: Span) -> dict[str | None, list[float]]:
    """Days from lodging to decision of each objection decided in the span, per district (for a median). One query."""
    days: dict[str | None, list[float]] = {}
    rows = Objection.objects.filter(
        span.instant_in("resolved_at"), status__in=[ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED]
    ).values_list("hire__district__code", "created_at", "resolved_at")
    for code, lodged_at, resolved_at in rows:
        if resolved_at is None:  # excluded by the filter; kept for the type checker
            continue
        days.setdefault(code, []).append((resolved_at - lodged_at).total_seconds() / 86400)
    return days


def hire_reports_sent(*, span: Span) -> dict[tuple[str, TenDayPeriod], str]:
    """How each district's hire report (入职结果旬报) of each 旬 of the span was sent: ``"sent"``, ``"zero"`` (no hire)
    or ``"late"``; a district and 旬 missing here sent nothing. One query."""
    states: dict[tuple[str, TenDayPeriod], str] = {}
    reports = (
        HireReport.objects.filter(period__in=span.codes)
        .values_list("district__code", "period", "is_late")
        .annotate(n=Count("hires"))
        .order_by()
    )
    for code, period, is_late, n in reports:
        states[code, TenDayPeriod.parse(period)] = "late" if is_late else ("sent" if n else "zero")
    return states
