"""Reads of the referrals app, scoped to who is asking and joined for the pages that show them."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
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
from portal.contacts import TALENT_CENTRE
from portal.models import District, Employer, User
from portal.permissions import district_scope, office_scope
from positions.constants import PositionStatus
from positions.models import Position
from positions.selectors import employer_is_base
from referrals.constants import (
    DeclarationStatus,
    EmployerConfirmation,
    HireStatus,
    IntroductionStage,
    ObjectionStatus,
)
from referrals.models import Declaration, DeclaredPerson, Hire, HireReport, Objection, PublicityNotice
from referrals.offices import Office

#: The states of a post a person can be recorded on: published by the bureau (closed ones keep their hires).
HIRABLE = (PositionStatus.PUBLISHED, PositionStatus.CLOSED)

#: Hires that take a place of their post's headcount: everyone except those whose publicity failed.
COUNTS_AGAINST_HEADCOUNT = Q(status__in=[s for s in HireStatus.values if s != HireStatus.FAILED])


def _joined(hires: QuerySet[Hire]) -> QuerySet[Hire]:
    return hires.select_related("position", "employer", "district", "third_party", "notice", "exemption_rule")


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
        return Q(employer_id=user.employer_id)
    if p.is_third_party.test(user) and user.third_party_id:
        return Q(third_party_id=user.third_party_id)
    return district_scope(user)


def hire_visible(*, user: User) -> QuerySet[Hire]:
    """The hires ``user`` may see, each saying whether its employer is a talent base (``employer_is_base``)."""
    return with_headcount(_joined(Hire.objects.filter(hire_scope(user)))).annotate(
        employer_is_base=employer_is_base("employer")
    )


def hire_office_visible(*, user: User) -> QuerySet[Hire]:
    """The hires the user's office acts on (``office_scope``): a district's staff its district's, the talent centre
    those without a district. The pages that change a hire look it up here, so the city's read-only view of every
    district's hires opens no door to acting on them."""
    return with_headcount(_joined(Hire.objects.filter(office_scope(user))))


#: Whether an employer confirmed a declaration of the hire's person: built once (each query resolves a copy of it).
_CONFIRMED_DECLARATION = Exists(DeclaredPerson.objects.filter(hire=OuterRef("pk"), status=DeclarationStatus.CONFIRMED))


def hire_office_editable(*, user: User) -> QuerySet[Hire]:
    """``hire_office_visible``'s hires (the same scope, so the same 404s), with only what the correction form needs
    joined (the office's district, the employer a declared hire keeps). The six joins and the headcount subquery of
    the listing cost a few milliseconds of SQL building and row reading per request, for fields the form never
    shows; the correction itself reads and locks the row again (``services.hire_update``). Whether an employer confirmed
    a declaration of the person (``confirmed_declaration``, which ``services.hire_is_declared`` reads) comes with the
    row, not in a query of its own from the form."""
    return (
        Hire.objects.filter(office_scope(user))
        .select_related("district", "employer")
        .annotate(confirmed_declaration=_CONFIRMED_DECLARATION)
    )


def hirable_positions(*, district: District) -> QuerySet[Position]:
    """The district's posts a person can be recorded on, as the Annex 3 form lists them."""
    return (
        Position.objects.filter(district=district, status__in=HIRABLE)
        .select_related("employer")
        .order_by("employer__name", "name")
    )


def hire_office_list(*, office: Office, status: str = "") -> QuerySet[Hire]:
    """The hires the office audits and publicises: a district's, or the talent centre's (those without a district)."""
    hires = Hire.objects.filter(office.owns())
    if status:
        hires = hires.filter(status=status)
    return with_headcount(_joined(hires)).order_by("-created_at", "-pk")


def objection_queue(*, user: User) -> QuerySet[Objection]:
    """Open objections the user's office resolves, oldest first: against its district's hires, or for the talent
    centre against hires without a district. City staff read every objection through ``objection_visible``."""
    return (
        Objection.objects.filter(status=ObjectionStatus.OPEN)
        .filter(office_scope(user, "hire__district"))
        .select_related("hire__employer", "hire__notice")
        .order_by("created_at", "pk")
    )


def notice_visible(*, user: User) -> QuerySet[PublicityNotice]:
    """Staff keep every notice of their scope, closed or not."""
    return PublicityNotice.objects.filter(district_scope(user)).select_related("district")


def notice_office_list(*, office: Office) -> QuerySet[PublicityNotice]:
    """The notices the office published (its 公示记录), each with its number of people (``hire_count``), newest first."""
    return (
        PublicityNotice.objects.filter(office.owns())
        .select_related("district")
        .annotate(hire_count=Count("hires", distinct=True))
        .order_by("-published_on", "-pk")
    )


def notice_api_list(*, user: User) -> QuerySet[PublicityNotice]:
    """The public's notices, plus for staff every notice of their scope (closed ones included), once each, with the
    hires' public fields only."""
    public = notice_list_public()
    if getattr(user, "is_authenticated", False):
        scope = notice_visible(user=user)
        notices = PublicityNotice.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=scope.values("pk")))
    else:
        notices = public
    hires = Hire.objects.select_related("employer").only(*PUBLIC_HIRE_FIELDS).order_by("pk")
    return (
        notices.select_related("district")
        .prefetch_related(Prefetch("hires", queryset=hires))
        .order_by("-published_on", "-pk")
    )


def objection_visible(*, user: User) -> QuerySet[Objection]:
    """Every objection against the user's scope's hires, resolved ones included (``objection_queue``: open ones)."""
    return (
        Objection.objects.filter(district_scope(user, "hire__district"))
        .select_related("hire__employer", "hire__district", "hire__notice", "resolved_by")
        .order_by("-created_at", "-pk")
    )


def hire_on_public_notice(*, pk: int) -> Hire | None:
    """The hire if it is on a notice the public can see now (what an objection may be lodged against)."""
    return Hire.objects.filter(pk=pk, notice__in=notice_list_public().values("pk")).first()


def notice_next_sequence(*, district: District | None, year: int) -> int:
    """The next notice's number in its district's year: 1 for the first (its reference ends -001, its title says 第1批)."""
    return PublicityNotice.objects.filter(district=district, published_on__year=year).count() + 1


def notice_default_title(*, district: District | None, year: int, sequence: int) -> str:
    """A notice's title when the clerk gives none: distinct within the district (or the talent centre's own), since
    the public picks a notice from the list by its title (several of its notices can be under publicity at once)."""
    office = district.name if district is not None else TALENT_CENTRE
    return f"{office}卓越工程师引进人才公示（{year}年第{sequence}批）"


def notice_next_default_title(*, district: District | None, on: datetime.date) -> str:
    """The title the next notice of the district (None: the talent centre), published on ``on``, gets when the title
    is left blank."""
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
    "post_name",
    "employer__name",
)


def notice_public_hires(*, notice: PublicityNotice) -> QuerySet[Hire]:
    return (
        notice.hires.filter(status__in=[HireStatus.IN_PUBLICITY, HireStatus.CONFIRMED, HireStatus.FAILED])
        .select_related("employer")
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


def hires_confirmed_without_district(*, period: TenDayPeriod) -> int:
    """Hires without a district confirmed in the 旬 (by their confirmation time, as ``hires_confirmed``): the talent
    centre audits and publicises them, and no district's 旬 report carries them (docs/workflows.md, "Hires without a
    district")."""
    return Hire.objects.filter(
        Span.of_period(period).instant_in("confirmed_at"), district__isnull=True, status=HireStatus.CONFIRMED
    ).count()


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
    return _joined(Hire.objects.filter(employer_id=user.employer_id)).order_by("-third_party_id", "-created_at")


def introduction_stage(prefix: str = "") -> Case:
    """Where a hire a third party introduced stands (``IntroductionStage``): the hire's own status, with confirmation
    split by the employer's answer. ``prefix`` reaches the hire through a relation (``"hire__"``)."""

    def q(**lookups: object) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    confirmed = q(status=HireStatus.CONFIRMED)
    return Case(
        When(q(status__in=[HireStatus.RECORDED, HireStatus.RETURNED]), then=Value(IntroductionStage.RECORDED)),
        When(q(status=HireStatus.AUDITED), then=Value(IntroductionStage.AUDITED)),
        When(q(status=HireStatus.IN_PUBLICITY), then=Value(IntroductionStage.IN_PUBLICITY)),
        When(q(status=HireStatus.FAILED), then=Value(IntroductionStage.FAILED)),
        When(
            confirmed & q(employer_confirmation=EmployerConfirmation.DECLINED),
            then=Value(IntroductionStage.EMPLOYER_DECLINED),
        ),
        When(
            confirmed & q(employer_confirmation=EmployerConfirmation.CONFIRMED),
            then=Value(IntroductionStage.CONFIRMED),
        ),
        default=Value(IntroductionStage.AWAITING_EMPLOYER),
        output_field=CharField(),
    )


def hires_introduced(*, user: User) -> QuerySet[Hire]:
    """The hires the user's third party introduced, at every stage from recorded on, newest first; each with its post,
    employer, district and notice, and ``introduction_stage`` (``IntroductionStage``: where the hire stands on the
    way to being confirmed by publicity and by its employer). Nobody but a third party's own account sees any."""
    if not (p.is_third_party.test(user) and user.third_party_id):
        return Hire.objects.none()
    return (
        _joined(Hire.objects.filter(third_party_id=user.third_party_id))
        .annotate(introduction_stage=introduction_stage())
        .order_by("-created_at", "-pk")
    )


# --- declarations by third parties (docs/workflows.md, "Declarations by third parties") ---------------------------


def declarable_employers(*, search: str = "") -> QuerySet[Employer]:
    """The employers a third party may declare introductions to: those the portal can identify, by a credit code or
    a district. ``search`` matches the name or the credit code."""
    employers = Employer.objects.filter(Q(credit_code__isnull=False) | Q(district__isnull=False))
    search = search.strip()
    if search:
        employers = employers.filter(Q(name__icontains=search) | Q(credit_code__iexact=search.upper()))
    return employers.select_related("district").order_by("name")


def declarable_positions(*, employer: Employer | None = None) -> QuerySet[Position]:
    """The employer's posts on the portal's lists (published, or closed after being filled), as the form offers them."""
    posts = Position.objects.filter(status__in=HIRABLE).select_related("employer")
    if employer is not None:
        posts = posts.filter(employer=employer)
    return posts.order_by("employer__name", "name", "pk")


#: Extensions a higher app adds to ``declared_people_followed`` (subsidies: the claim a person's hire is on),
#: registered in its AppConfig.ready(): referrals knows nothing of claims.
_FOLLOW_EXTENSIONS: list[Callable[[QuerySet[DeclaredPerson]], QuerySet[DeclaredPerson]]] = []


def register_follow_extension(extend: Callable[[QuerySet[DeclaredPerson]], QuerySet[DeclaredPerson]]) -> None:
    if extend not in _FOLLOW_EXTENSIONS:
        _FOLLOW_EXTENSIONS.append(extend)


def declared_people_followed(*, user: User, status: str = "") -> QuerySet[DeclaredPerson]:
    """我的推荐申报: every person the user's third party declared, newest first, with its declaration, employer and
    the hire it became; ``stage`` is the declaration's own status until the employer confirmed, then the hire's
    ``IntroductionStage``. Registered extensions add what later steps know (the claim). Nobody else sees any."""
    if not (p.is_third_party.test(user) and user.third_party_id):
        return DeclaredPerson.objects.none()
    people = DeclaredPerson.objects.filter(third_party_id=user.third_party_id)
    if status:
        people = people.filter(status=status)
    people = (
        people.select_related("declaration__employer", "declaration__position", "hire__notice", "hire__district")
        .annotate(
            # The 基地 badge beside the employer, with no query of its own.
            employer_is_base=employer_is_base("employer"),
            hire_stage=Case(
                When(hire__isnull=True, then=Value("")),
                default=introduction_stage("hire__"),
                output_field=CharField(),
            ),
        )
        .order_by("-declaration__submitted_at", "-pk")
    )
    for extend in _FOLLOW_EXTENSIONS:
        people = extend(people)
    return people


def employer_declared_people(*, user: User, pending_only: bool = False) -> QuerySet[DeclaredPerson]:
    """The people third parties declared at the employer account's company, pending ones first, each with
    ``competing``: how many other third parties' declarations of the same person at the company are pending or
    confirmed (one subquery: the list stays one query)."""
    if not (p.is_employer.test(user) and user.employer_id):
        return DeclaredPerson.objects.none()
    rivals = (
        DeclaredPerson.objects.filter(
            id_number_digest=OuterRef("id_number_digest"),
            employer_id=OuterRef("employer_id"),
            status__in=[DeclarationStatus.PENDING, DeclarationStatus.CONFIRMED],
        )
        .exclude(third_party_id=OuterRef("third_party_id"))
        .order_by()
        .values("employer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = DeclaredPerson.objects.filter(employer_id=user.employer_id)
    if pending_only:
        people = people.filter(status=DeclarationStatus.PENDING)
    return (
        people.select_related("declaration__third_party", "declaration__position", "hire")
        .annotate(
            competing=Coalesce(Subquery(rivals, output_field=IntegerField()), 0),
            pending_first=Case(
                When(status=DeclarationStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("pending_first", "name", "-declaration__submitted_at", "pk")
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


def _confirmed_in(span: Span) -> QuerySet[Hire]:
    """The time rule of the hires figure, stated once: hires confirmed (已确认) at a moment of the span."""
    return Hire.objects.filter(span.instant_in("confirmed_at"), status=HireStatus.CONFIRMED)


def hires_confirmed(*, span: Span) -> list[HireCount]:
    """Hires confirmed (已确认) in the span: a hire falls in the 旬 of its confirmation time in Asia/Shanghai, whatever
    its programme year (``Hire.year``). One query."""
    rows = (
        _confirmed_in(span)
        .annotate(day=_day("confirmed_at"))
        .values_list("district__code", "day", "programme", "mode", "education", "channel")
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
class BaseHireCount:
    """Hires of one programme confirmed in one 旬 at one talent base (its employer)."""

    employer_id: int
    period: TenDayPeriod
    programme: str
    hires: int


def base_hires_confirmed(*, span: Span) -> list[BaseHireCount]:
    """``hires_confirmed``'s hires (same time rule) at employers that are talent bases, by employer, 旬 and
    programme. One query."""
    rows = (
        _confirmed_in(span)
        .filter(employer_is_base("employer"))
        .annotate(day=_day("confirmed_at"))
        .values_list("employer", "day", "programme")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, TenDayPeriod, str], int] = {}
    for employer_id, day, programme, n in rows:
        key = (employer_id, TenDayPeriod.of(day), programme)
        counts[key] = counts.get(key, 0) + n
    return [BaseHireCount(*key, hires) for key, hires in counts.items()]


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


def declarations_of(*, user: User) -> QuerySet[Declaration]:
    """The user's third party's declarations, newest first, each with its people as ``declared_people_followed``
    gives them (two queries whatever the number)."""
    if not (p.is_third_party.test(user) and user.third_party_id):
        return Declaration.objects.none()
    return (
        Declaration.objects.filter(third_party_id=user.third_party_id)
        .select_related("third_party", "employer", "position")
        .prefetch_related(Prefetch("people", queryset=declared_people_followed(user=user).order_by("pk")))
        .order_by("-submitted_at", "-pk")
    )
