"""The 旬 roll-ups of a year, the dashboard and the year-end evaluation tell the same figures, for any records.

A property test: hypothesis draws posts (any 旬 around the year, reported or not, any channel and education), post
batches and hire reports (on time, late, zero), hires of both programmes in any state, confirmed at any moment
around the year — a 旬's first or last second included — with a programme year that may differ from the year they
were confirmed in, publicised or exempt, at posts of employers with or without a district, and hires without a
district (at a base whose district is not known: the talent centre audits and publicises them, in its own notices);
publicity notices of districts and of the talent centre; objections in every state; claims in every state with
amounts, of employers with or without a district.

Then, for the year (wholly closed, so every one of its 36 旬 is rolled up):
- the sum of the 36 roll-ups (``compute_figures``, the figures each stored revision holds) equals the dashboard's
  year — hires by programme, district and channel, the progress at every 旬, money asked, approved and paid in
  every month — and the evaluation's rows and totals row — every counted column, district by district, the row
  of employers without a district included;
- a few figures are also counted here straight from the drawn records, by the time rule of docs/figures.md, so
  agreement is not three readings of one mistake;
- the talent bases' own figures (employer 0, named in two batches and counted once, and employer 2, without a
  district, are bases): the sum of the roll-ups' base sections equals, base by base and in total, the dashboard's
  and the evaluation's base tables, and the records counted straight.
Every example runs in a savepoint rolled back at its end. The same test runs on SQLite and PostgreSQL
(``DATABASE_URL``).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from portal.calendar import Span, TenDayPeriod
from portal.calendar.tenday import SHANGHAI
from portal.constants import Channel, Education, Programme
from portal.models import District, Employer, User
from positions.models import PositionBatch
from referrals.models import Hire, HireReport, Objection, PublicityExemptionRule, PublicityNotice
from rollups.dashboard import dashboard_data
from rollups.evaluation import evaluation_base_table, evaluation_table
from rollups.figures import NO_DISTRICT_NAME, at_end
from rollups.tenday import compute_figures
from subsidies.models import Claim
from tests.factories import (
    BaseBatchFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionBatchFactory,
    PositionFactory,
    TalentBaseFactory,
    ThirdPartyFactory,
    UserFactory,
)
from tests.rollups.reading import (
    add,
    base_figures,
    counted,
    evaluation_figures,
    get,
    rollup_as_evaluation,
    sum_base_rollups,
    sum_rollups,
)

pytestmark = pytest.mark.django_db

YEAR = 2025  # wholly closed whenever the suite runs (the tests run from 2026 on)
SPAN = Span.of_year(YEAR)
#: The year's 旬 and one on each side: records just outside the year must stay outside.
AROUND = [TenDayPeriod(YEAR - 1, 12, 3), *SPAN.periods, TenDayPeriod(YEAR + 1, 1, 1)]
DISTRICTS = 2
#: Employer 0 and 1 are in district 0 and 1; employer 2 has no district. Employers 0 and 2 are talent bases.
EMPLOYERS = 3
BASES = (0, 2)
CENT = Decimal("0.01")

property_settings = settings(
    max_examples=12,
    deadline=None,
    # No shrinking: each example writes a year of records, and a failure already prints the records it drew.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@st.composite
def instants(draw: st.DrawFn) -> datetime.datetime:
    """Any moment of a 旬 around the year, its first and last second likely."""
    period = draw(st.sampled_from(AROUND))
    span = Span.of_period(period)
    where = draw(st.sampled_from(["first", "last", "inside"]))
    if where == "first":
        return span.start
    if where == "last":
        return span.end - datetime.timedelta(seconds=1)
    seconds = int((span.end - span.start).total_seconds())
    return span.start + datetime.timedelta(seconds=draw(st.integers(0, seconds - 1)))


days = st.dates(min_value=AROUND[0].first_day, max_value=AROUND[-1].last_day)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("90000"), places=2)


@dataclass(frozen=True)
class PostSpec:
    district: int
    period: TenDayPeriod
    status: str
    channel: str
    education: str
    headcount: int
    employer_without_district: bool


@dataclass(frozen=True)
class HireSpec:
    district: int
    programme: str
    year_offset: int
    status: str
    confirmed_at: datetime.datetime
    mode: str
    education: str
    channel: str
    publicised: bool
    #: How an unpublicised hire was exempted: under one of the admin's rules, on an older written reason, or not.
    exempt: str | None
    employer_without_district: bool
    #: No district at all (a declared post at a base): the talent centre's hire, in the row without a district.
    without_district: bool


@dataclass(frozen=True)
class ObjectionSpec:
    hire: int
    status: str
    lodged: datetime.datetime
    hours_to_decide: int


@dataclass(frozen=True)
class ClaimSpec:
    employer: int
    status: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime
    paid_on: datetime.date
    requested: Decimal
    approved_share: int  # percent of the requested amount approved


@dataclass(frozen=True)
class ReportSpec:
    district: int
    period: TenDayPeriod
    kind: str  # post batch: "on_time" | "late" | "zero"; hire report: "on_time" | "late"
    is_batch: bool


district_index = st.integers(0, DISTRICTS - 1)
posts = st.builds(
    PostSpec,
    district_index,
    st.sampled_from(AROUND),
    st.sampled_from(["draft", "submitted", "sent", "aggregated", "published", "closed"]),
    st.sampled_from(Channel.values),
    st.sampled_from(Education.values),
    st.integers(1, 9),
    st.booleans(),
)
hires = st.builds(
    HireSpec,
    district_index,
    st.sampled_from(Programme.values),
    st.integers(-1, 1),
    st.sampled_from(["confirmed", "confirmed", "confirmed", "audited", "failed"]),
    instants(),
    st.sampled_from(["full_time", "flexible"]),
    st.sampled_from(Education.values),
    st.sampled_from(Channel.values),
    st.booleans(),
    st.sampled_from([None, "rule", "note"]),
    st.booleans(),
    st.booleans(),
)
objections = st.builds(
    ObjectionSpec, st.integers(0, 20), st.sampled_from(["open", "upheld", "dismissed"]), instants(), st.integers(0, 900)
)
claims = st.builds(
    ClaimSpec,
    st.integers(0, EMPLOYERS - 1),
    st.sampled_from(
        ["draft", "submitted", "returned", "first_passed", "approved", "paid", "paid", "rejected", "withdrawn"]
    ),
    st.one_of(st.none(), instants()),
    instants(),
    days,
    money,
    st.integers(0, 100),
)
reports = st.builds(
    ReportSpec, district_index, st.sampled_from(AROUND), st.sampled_from(["on_time", "late", "zero"]), st.booleans()
)
#: A notice's district (None: the talent centre's), first day and length in days.
notices = st.lists(st.tuples(st.one_of(st.none(), district_index), days, st.integers(0, 30)), max_size=3)


# --- building the records -----------------------------------------------------------------------------------


@dataclass
class World:
    districts: list[District]
    employers: list[Employer]
    clerks: list[User]
    #: A talent-centre officer: publishes the notices without a district, records nothing of a district's.
    centre: User
    exemption_rule: PublicityExemptionRule


def _world() -> World:
    districts = [DistrictFactory(order=n) for n in range(DISTRICTS)]
    employers = [EmployerFactory(district=district) for district in districts] + [EmployerFactory(district=None)]
    clerks = [UserFactory(clerk=True, district=district) for district in districts]
    first, second = BaseBatchFactory(year=YEAR - 2, number=1), BaseBatchFactory(year=YEAR, number=1)
    TalentBaseFactory(batch=first, employer=employers[0], number=1)
    TalentBaseFactory(batch=first, employer=employers[2], number=2)
    TalentBaseFactory(batch=second, employer=employers[0], number=1)  # a base again: still one base
    rule = PublicityExemptionRule.objects.create(name="涉密岗位（测试）", basis="测试依据")
    return World(districts, employers, clerks, UserFactory(centre=True), rule)


def _build(
    world: World,
    post_specs: list[PostSpec],
    hire_specs: list[HireSpec],
    objection_specs: list[ObjectionSpec],
    claim_specs: list[ClaimSpec],
    report_specs: list[ReportSpec],
    notice_specs: list[tuple[int | None, datetime.date, int]],
) -> list[Hire]:
    for report in report_specs:
        district, clerk = world.districts[report.district], world.clerks[report.district]
        sent_at = report.period.closes_at + datetime.timedelta(
            hours=3 if report.kind == "late" else -3
        )  # late: after the 旬 closed
        if report.is_batch:
            PositionBatch.objects.update_or_create(
                district=district,
                period=str(report.period),
                defaults={"status": "sent", "sent_at": sent_at, "is_zero_report": report.kind == "zero"},
            )
        else:
            HireReport.objects.update_or_create(
                district=district,
                period=str(report.period),
                defaults={"sent_at": sent_at, "sent_by": clerk, "is_late": report.kind == "late"},
            )
    for post in post_specs:
        district = world.districts[post.district]
        PositionFactory(
            batch=PositionBatchFactory(district=district, period=str(post.period)),
            employer=world.employers[2] if post.employer_without_district else world.employers[post.district],
            status=post.status,
            channel=post.channel,
            education=post.education,
            headcount=post.headcount,
            close_reason="已招满" if post.status == "closed" else "",
            created_by=world.clerks[post.district],
        )
    # Keyed by the district's index; None: the talent centre's notices.
    notice_by_district: dict[int | None, PublicityNotice] = {}
    for n, (index, published_on, length) in enumerate(notice_specs):
        published = PublicityNotice.objects.create(
            district=None if index is None else world.districts[index],
            reference=f"GS-P-{n}",
            title=f"公示{n}",
            published_on=published_on,
            closes_at=datetime.datetime.combine(published_on, datetime.time(), tzinfo=SHANGHAI)
            + datetime.timedelta(days=length),
            published_by=world.centre if index is None else world.clerks[index],
        )
        notice_by_district.setdefault(index, published)
    # One published post per district, channel and employer kind: hires are recorded at one of them.
    made: list[Hire] = []
    for spec in hire_specs:
        if spec.without_district:
            made.append(_hire_without_district(world, spec, notice_by_district))
            continue
        district = world.districts[spec.district]
        position = PositionFactory(
            batch=PositionBatchFactory(district=district, period=str(AROUND[0])),
            employer=world.employers[2] if spec.employer_without_district else world.employers[spec.district],
            status="published",
            channel=spec.channel,
            created_by=world.clerks[spec.district],
        )
        notice: PublicityNotice | None = None
        if spec.publicised:
            notice = notice_by_district.get(spec.district) or PublicityNotice.objects.create(
                district=district,
                reference=f"GS-H-{spec.district}",
                title=f"公示H{spec.district}",
                published_on=datetime.date(YEAR - 2, 6, 1),
                closes_at=datetime.datetime(YEAR - 2, 6, 8, tzinfo=SHANGHAI),
                published_by=world.clerks[spec.district],
            )
            notice_by_district[spec.district] = notice
        made.append(
            HireFactory(
                position=position,
                programme=spec.programme,
                year=spec.confirmed_at.astimezone(SHANGHAI).year + spec.year_offset,
                status=spec.status,
                confirmed_at=spec.confirmed_at if spec.status == "confirmed" else None,
                mode=spec.mode,
                education=spec.education,
                notice=notice,
                exemption_rule=world.exemption_rule if spec.exempt == "rule" and notice is None else None,
                exemption_note="按规定不公示" if spec.exempt == "note" and notice is None else "",
                recorded_by=world.clerks[spec.district],
            )
        )
    for n, objection_spec in enumerate(objection_specs):
        if not made:
            break
        decided = objection_spec.status != "open"
        objection = Objection.objects.create(
            hire=made[objection_spec.hire % len(made)],
            receipt=f"YY-P-{n}",
            name="张三",
            phone="13800000000",
            statement="学历存疑",
            status=objection_spec.status,
            resolution="已核实" if decided else "",
            resolved_at=objection_spec.lodged + datetime.timedelta(hours=objection_spec.hours_to_decide)
            if decided
            else None,
            resolved_by=world.clerks[0] if decided else None,
        )
        Objection.objects.filter(pk=objection.pk).update(created_at=objection_spec.lodged)
    party = ThirdPartyFactory(verified=True)
    for n, claim_spec in enumerate(claim_specs):
        approves = claim_spec.status in ("approved", "paid")
        Claim.objects.create(
            reference=f"BZ-P-{n}",
            verification_code=f"P{n:011d}",
            third_party=party,
            employer=world.employers[claim_spec.employer],
            employer_contact="王经理",
            employer_phone="023-88888888",
            status=claim_spec.status,
            status_since=claim_spec.reviewed_at,
            submitted_at=None if claim_spec.status == "draft" else claim_spec.submitted_at,
            second_reviewed_at=claim_spec.reviewed_at if approves or claim_spec.status == "rejected" else None,
            requested_total=claim_spec.requested,
            approved_total=(claim_spec.requested * claim_spec.approved_share / 100).quantize(CENT)
            if approves
            else None,
            paid_on=claim_spec.paid_on if claim_spec.status == "paid" else None,
            payment_reference="ZF" if claim_spec.status == "paid" else "",
            declares_introduced=True,
            declares_good_credit=True,
            declares_truthful=True,
            created_by=world.clerks[0],
        )
    return made


def _hire_without_district(world: World, spec: HireSpec, notice_by_district: dict[int | None, PublicityNotice]) -> Hire:
    """A hire at the base without a district on a post it declared: publicised, if at all, in a talent-centre notice."""
    notice: PublicityNotice | None = None
    if spec.publicised:
        notice = notice_by_district.get(None) or PublicityNotice.objects.create(
            district=None,
            reference="GS-H-RCZX",
            title="公示H-RCZX",
            published_on=datetime.date(YEAR - 2, 6, 1),
            closes_at=datetime.datetime(YEAR - 2, 6, 8, tzinfo=SHANGHAI),
            published_by=world.centre,
        )
        notice_by_district[None] = notice
    return HireFactory(
        without_district=True,
        employer=world.employers[2],
        channel=spec.channel,
        programme=spec.programme,
        year=spec.confirmed_at.astimezone(SHANGHAI).year + spec.year_offset,
        status=spec.status,
        confirmed_at=spec.confirmed_at if spec.status == "confirmed" else None,
        mode=spec.mode,
        education=spec.education,
        notice=notice,
        exemption_note="按规定不公示" if spec.exempt and notice is None else "",
        recorded_by=world.centre,
    )


def _in_year(moment: datetime.datetime | datetime.date | None) -> bool:
    if moment is None:
        return False
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(SHANGHAI).date()
    return moment.year == YEAR


def _check(
    world: World,
    post_specs: list[PostSpec],
    hire_specs: list[HireSpec],
    claim_specs: list[ClaimSpec],
) -> None:
    rolled = [compute_figures(period) for period in SPAN.periods]
    totals, rows, on_time = sum_rollups(rolled)
    names = [district.name for district in world.districts]

    # Straight from the drawn records, by the time rule: hires by their confirmation day in Chongqing, posts by their
    # batch's 旬, claims' money by submission, approval and payment.
    confirmed = Counter(s.programme for s in hire_specs if s.status == "confirmed" and _in_year(s.confirmed_at))
    assert (get(totals, "hires", "by_programme") or {}) == {p: n for p, n in confirmed.items() if n}
    # 不公示确认人数: confirmed in the year without a notice, on a rule or an older written reason.
    exempted = [
        s
        for s in hire_specs
        if s.status == "confirmed" and _in_year(s.confirmed_at) and not s.publicised and s.exempt is not None
    ]
    assert get(totals, "hires", "exempt") == len(exempted)
    for n, name in enumerate(names):
        mine = [s for s in exempted if s.district == n and not s.without_district]
        assert get(rows.get(name, {}), "hires", "exempt") == len(mine)
    reported = [
        s for s in post_specs if s.period.year == YEAR and s.status in ("sent", "aggregated", "published", "closed")
    ]
    assert (get(totals, "posts", "posts"), get(totals, "posts", "headcount")) == (
        len(reported),
        sum(s.headcount for s in reported),
    )
    submitted = sum((s.requested for s in claim_specs if s.status != "draft" and _in_year(s.submitted_at)), Decimal(0))
    approved = sum(
        (
            (s.requested * s.approved_share / 100).quantize(CENT)
            for s in claim_specs
            if s.status in ("approved", "paid") and _in_year(s.reviewed_at)
        ),
        Decimal(0),
    )
    paid = sum(
        (
            (s.requested * s.approved_share / 100).quantize(CENT)
            for s in claim_specs
            if s.status == "paid" and _in_year(s.paid_on)
        ),
        Decimal(0),
    )
    assert Decimal(get(totals, "claims", "submitted_amount")) == submitted
    assert Decimal(get(totals, "claims", "approved_amount")) == approved
    assert Decimal(get(totals, "claims", "paid_amount")) == paid
    no_district_claims = [s for s in claim_specs if s.employer == 2]
    if any(s.status != "draft" and _in_year(s.submitted_at) for s in no_district_claims):
        assert get(rows.get(NO_DISTRICT_NAME, {}), "claims", "submitted") > 0
    # Hires without a district: in the row without a district (and so in 合计), never in a district's row.
    centre_hires = Counter(
        s.programme for s in hire_specs if s.without_district and s.status == "confirmed" and _in_year(s.confirmed_at)
    )
    assert (get(rows.get(NO_DISTRICT_NAME, {}), "hires", "by_programme") or {}) == dict(centre_hires)
    district_hires = sum(s.status == "confirmed" and _in_year(s.confirmed_at) for s in hire_specs) - sum(
        centre_hires.values()
    )
    assert sum(get(rows.get(name, {}), "hires", "confirmed") for name in names) == district_hires

    # The dashboard's year.
    data = dashboard_data(year=YEAR)
    by_programme = get(totals, "hires", "by_programme") or {}
    assert data["totals"] == {p: by_programme.get(p, 0) for p in Programme.values}
    so_far: dict[str, Any] = {}
    for n, figures in enumerate(rolled):
        add(so_far, counted(figures["totals"]))
        for programme in Programme.values:
            assert data["progress"][programme][n] == get(so_far, "hires", "by_programme", programme)
    ranking = {row["name"]: (row["qihang"], row["haiju"]) for row in data["districts"]}
    for name in names:
        assert ranking[name] == (
            get(rows.get(name, {}), "hires", "by_programme", "qihang"),
            get(rows.get(name, {}), "hires", "by_programme", "haiju"),
        )
    channels = {row["name"]: (row["qihang"], row["haiju"]) for row in data["channels"]}
    for value, label in Channel.choices:
        assert channels[str(label)] == (
            get(totals, "hires", "by_channel", value, "qihang"),
            get(totals, "hires", "by_channel", value, "haiju"),
        )
    for month in range(1, 13):
        of_month: dict[str, Any] = {}
        for figures in rolled[(month - 1) * 3 : month * 3]:
            add(of_month, counted(figures["totals"]))
        row = data["subsidies"][month - 1]
        assert (Decimal(row["asked"]), Decimal(row["approved"]), Decimal(row["paid"])) == (
            Decimal(get(of_month, "claims", "submitted_amount")),
            Decimal(get(of_month, "claims", "approved_amount")),
            Decimal(get(of_month, "claims", "paid_amount")),
        )
    assert {key: Decimal(value) for key, value in data["subsidy_totals"].items()} == {
        "asked": submitted,
        "approved": approved,
        "paid": paid,
    }

    # The evaluation: every district's row, the row of employers without a district, and the totals row.
    table = evaluation_table(year=YEAR)
    *district_rows, total = table
    assert total.is_total
    by_name = {row.district: row for row in district_rows}
    # The row of employers without a district is there when it has a figure the evaluation shows (claims merely
    # submitted are not one of its columns).
    shown_without_district = any(rollup_as_evaluation(rows.get(NO_DISTRICT_NAME, {})).values())
    assert set(by_name) == set(names) | ({NO_DISTRICT_NAME} if shown_without_district else set())
    for name, row in by_name.items():
        assert evaluation_figures(row) == rollup_as_evaluation(rows.get(name, {})), name
        if name != NO_DISTRICT_NAME:
            assert (row.batches_on_time, row.reports_on_time, row.closed_periods) == (
                on_time[name, "positions"],
                on_time[name, "hires"],
                36,
            )
    assert evaluation_figures(total) == rollup_as_evaluation(totals)
    assert total.hires == data["totals"]["qihang"] + data["totals"]["haiju"]
    assert (total.approved_amount, total.paid_amount) == (approved, paid)

    _check_bases(world, rolled, post_specs, hire_specs, claim_specs, data, in_year=_in_year)

    # Counts at a moment: the year's end is its last 旬's end.
    last = rolled[-1]["totals"].get("publicity", {})
    year_end = at_end(span=SPAN)
    assert last.get("notices_open", 0) == sum(f["publicity"].get("notices_open", 0) for f in year_end.values())


def _employer_of(spec: PostSpec | HireSpec) -> int:
    """The index of the spec's employer: the one without a district (2) has the talent centre's hires too."""
    without_district = spec.employer_without_district or getattr(spec, "without_district", False)
    return 2 if without_district else spec.district


def _check_bases(
    world: World,
    rolled: list[dict[str, Any]],
    post_specs: list[PostSpec],
    hire_specs: list[HireSpec],
    claim_specs: list[ClaimSpec],
    data: dict[str, Any],
    *,
    in_year: Any,
) -> None:
    base_totals, base_rows = sum_base_rollups(rolled)
    names = {index: world.employers[index].name for index in BASES}
    # Every base of the list is in every roll-up, once, whatever its number of batches.
    assert all(sorted(row["name"] for row in figures["bases"]["rows"]) == sorted(names.values()) for figures in rolled)

    # Straight from the records, by the same time rules as the districts' figures.
    expected: dict[str, dict[str, Any]] = {}
    for index, name in names.items():
        posts = [
            s
            for s in post_specs
            if _employer_of(s) == index
            and s.period.year == YEAR
            and s.status in ("sent", "aggregated", "published", "closed")
        ]
        hires = Counter(
            s.programme
            for s in hire_specs
            if _employer_of(s) == index and s.status == "confirmed" and in_year(s.confirmed_at)
        )
        claims = [s for s in claim_specs if s.employer == index]

        def approved_of(s: ClaimSpec) -> Decimal:
            return (s.requested * s.approved_share / 100).quantize(CENT)

        expected[name] = {
            "posts": len(posts),
            "headcount": sum(s.headcount for s in posts),
            "qihang": hires["qihang"],
            "haiju": hires["haiju"],
            "confirmed": hires["qihang"] + hires["haiju"],
            "asked": sum((s.requested for s in claims if s.status != "draft" and in_year(s.submitted_at)), Decimal(0)),
            "approved": sum(
                (approved_of(s) for s in claims if s.status in ("approved", "paid") and in_year(s.reviewed_at)),
                Decimal(0),
            ),
            "paid": sum((approved_of(s) for s in claims if s.status == "paid" and in_year(s.paid_on)), Decimal(0)),
        }
        assert base_figures(base_rows.get(name, {})) == expected[name], name
    total_expected = {key: sum((row[key] for row in expected.values()), start=0) for key in expected[names[0]]}
    assert base_figures(base_totals) == total_expected

    # The evaluation's base table: every base, and the total row.
    *evaluated, total = evaluation_base_table(year=YEAR)
    assert total.is_total and {row.name for row in evaluated} == set(names.values())
    for row in [*evaluated, total]:
        figures = expected[row.name] if not row.is_total else total_expected
        assert (
            row.posts,
            row.headcount,
            row.qihang_hires,
            row.haiju_hires,
            row.hires,
            row.submitted_amount,
            row.approved_amount,
            row.paid_amount,
        ) == (
            figures["posts"],
            figures["headcount"],
            figures["qihang"],
            figures["haiju"],
            figures["confirmed"],
            figures["asked"],
            figures["approved"],
            figures["paid"],
        ), row.name

    # The dashboard's: the bases with any figure of the year, and the bases' total.
    def dashboard_figures(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "posts": row["posts"],
            "headcount": row["headcount"],
            "qihang": row["qihang"],
            "haiju": row["haiju"],
            "confirmed": row["total"],
            "asked": Decimal(row["asked"]),
            "approved": Decimal(row["approved"]),
            "paid": Decimal(row["paid"]),
        }

    shown = {row["name"]: dashboard_figures(row) for row in data["bases"]}
    zero = {key: 0 for key in total_expected}
    assert shown == {name: figures for name, figures in expected.items() if figures != zero}
    assert dashboard_figures(data["base_totals"]) == total_expected


@property_settings
@given(
    post_specs=st.lists(posts, max_size=6),
    hire_specs=st.lists(hires, max_size=8),
    objection_specs=st.lists(objections, max_size=4),
    claim_specs=st.lists(claims, max_size=6),
    report_specs=st.lists(reports, max_size=4),
    notice_specs=notices,
)
def test_the_year_of_rollups_the_dashboard_and_the_evaluation_agree(
    post_specs: list[PostSpec],
    hire_specs: list[HireSpec],
    objection_specs: list[ObjectionSpec],
    claim_specs: list[ClaimSpec],
    report_specs: list[ReportSpec],
    notice_specs: list[tuple[int | None, datetime.date, int]],
) -> None:
    with transaction.atomic():
        world = _world()
        _build(world, post_specs, hire_specs, objection_specs, claim_specs, report_specs, notice_specs)
        _check(world, post_specs, hire_specs, claim_specs)
        transaction.set_rollback(True)
