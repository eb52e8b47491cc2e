"""API fuzzing: schemathesis against ``/api/schema/`` for every operation and every role.

Each role's test walks every operation of the OpenAPI schema drf-spectacular serves and sends generated requests —
valid ones (positive) and ones that break the schema (negative) — through the WSGI application in-process, with the
role's DRF token. Every answer must be below 500, of the documented content type, and (for documented statuses)
shaped as the schema says.

The fuzz must also reach the code behind the gates: for every operation a role may call (``ALLOWED``, with the rule
that refuses every other role in ``REFUSED``), at least one request must get past authentication, permission and
validation to the service — a 2xx, or a business rule's refusal (a 400 with a ``PortalError`` code) — and no request
of a role that may not call it may. To get there the throttles are off for the module (``_unthrottled``), and each
allowed pair first sends one explicit request that meets the operation's preconditions (``_examples``: a draft claim
to edit, an audited hire to publish, a sent post to aggregate...). The operations × roles table of the run is printed
(``-s``) and kept in var/api-fuzz-reach.txt.

The database is seeded once per module with a realistic spread of records (a district's posts in every state, hires
recorded, returned, audited, under publicity and confirmed, an open objection, claims from draft to approved) inside
one outer transaction; each role's test runs in a savepoint of it (pytest-django's ``db``), and each request in a
savepoint of that, rolled back, so every request meets the same data and the run is repeatable.

Generation is derandomised (``derandomize=True``) and bounded (``FUZZ_EXAMPLES`` per operation, role and mode) so
the module runs in a minute or two on SQLite; ``FUZZ_EXAMPLES=200 pytest tests/security/test_api_fuzz.py`` is the
exploratory run. Path parameters ``{id}`` are drawn mostly from the seeded records, and half the JSON bodies have the
ids they name (employer, post, hires, a claim's lines) pointed at seeded records, so that generated requests reach
the code behind the 404 and the serializers too: the services.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from portal.calendar import is_working_day
from portal.models import District, Employer, User
from positions.proposals import proposal_create, proposal_return
from positions.services import PositionData
from referrals.constants import HireStatus
from referrals.declarations import DeclaredPost, PersonData, declaration_submit
from referrals.models import Hire, Objection, PublicityExemptionRule, PublicityNotice
from tests.factories import (
    SIGNED_SCAN,
    ClaimFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    PublicityNoticeFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
    make_id_number,
)

#: Generated requests per operation, role and generation mode in ``make test``; raise it for an exploratory run.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
ROLES = (
    "anonymous",
    "clerk",
    "district_reviewer",
    "employer",
    "third_party",
    "talent_centre",
    "bureau_reviewer",
    "admin",
)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


# ---------------------------------------------------------------------------------------------------------------
# The seeded world


@dataclass
class World:
    """The seeded records: the users by role and, per kind of path, the ids a request may name."""

    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    #: The one record each explicit example acts on (``_examples``), by the state it is in.
    records: dict[str, int] = field(default_factory=dict)


def _proposed_post(employer: Employer, name: str) -> PositionData:
    return PositionData(
        employer=employer,
        channel="bounty_list",
        name=name,
        headcount=1,
        education="bachelor",
        majors="工业工程",
        competencies="",
        recruits_graduates=True,
        salary_text="12-18万元/年",
    )


def _notice(hires: list[Hire], clerk: User) -> PublicityNotice:
    """A notice under publicity now, straight into the table (the calendar's rules have their own tests)."""
    district = hires[0].district
    return PublicityNoticeFactory(district=district, reference="GS-FUZZ-0001", published_by=clerk, hires=hires)


def seed_world() -> World:
    """Every role's account and records in every state the API acts on, mostly through the services."""
    call_command("load_reference_data", verbosity=0)  # the 41 districts, caps, policies, bases
    home, other = District.objects.get(code="500151"), District.objects.get(code="500103")
    employer = EmployerFactory(district=home, name="重庆示范智能装备有限公司")
    agency = ThirdPartyFactory(verified=True, name="重庆示范人力资源服务有限公司")
    world = World()
    world.users = {
        "clerk": UserFactory(clerk=True, district=home),
        "district_reviewer": UserFactory(district_reviewer=True, district=home),
        "employer": UserFactory(employer_user=True, employer=employer),
        "third_party": UserFactory(third_party_user=True, third_party=agency),
        "talent_centre": UserFactory(centre=True),
        "bureau_reviewer": UserFactory(bureau=True),
        "admin": UserFactory(admin=True),
    }
    world.tokens = {role: Token.objects.create(user=user).key for role, user in world.users.items()}
    clerk = world.users["clerk"]

    batch_kwargs = {"batch__district": home, "employer": employer, "created_by": clerk}
    positions = [
        PositionFactory(**batch_kwargs),
        PositionFactory(submitted=True, **batch_kwargs),
        PositionFactory(approved=True, **batch_kwargs),
        PositionFactory(published=True, **batch_kwargs),
        PositionFactory(published=True, channel="special_recruitment", **batch_kwargs),
        PositionFactory(status="closed", close_reason="filled", **batch_kwargs),
        PositionFactory(published=True, batch__district=other),
        PositionFactory(sent=True, **batch_kwargs),
        PositionFactory(aggregated=True, **batch_kwargs),
    ]
    published = positions[3]
    other_post = positions[6]
    hires = [
        HireFactory(position=published, recorded_by=clerk, education="", school="", arrived_on=None),
        HireFactory(position=published, recorded_by=clerk, audited=True),
        HireFactory(position=published, recorded_by=clerk, introduced=True, third_party=agency),
        HireFactory(position=other_post),
        HireFactory(position=published, recorded_by=clerk),
        HireFactory(position=published, recorded_by=clerk, status=HireStatus.RETURNED),
    ]
    in_publicity = [HireFactory(position=published, recorded_by=clerk, audited=True) for _ in range(2)]
    notice = _notice(in_publicity, clerk)
    objection = Objection.objects.create(
        hire=in_publicity[0],
        receipt="YY-FUZZ-0001",
        name="王五",
        phone="13800000000",
        statement="该人员学历信息与实际不符。",
    )
    third_party = world.users["third_party"]
    centre, bureau = world.users["talent_centre"], world.users["bureau_reviewer"]
    draft = ClaimFactory(by=third_party, employer=employer, amounts=("30000",), attached=True)  # ready to submit
    submitted = ClaimFactory(submitted=True, by=third_party, employer=employer, amounts=("20000", "4000.50"))
    approved = ClaimFactory(
        approved=True,
        by=third_party,
        employer=employer,
        amounts=("25000",),
        centre=centre,
        bureau=bureau,
        first_opinion="材料齐全。",
    )
    second = ClaimFactory(
        first_passed=True,
        by=third_party,
        employer=employer,
        amounts=("18000",),
        centre=centre,
        first_opinion="材料齐全。",
    )
    claimable = claimable_hire(agency, employer)  # one more the third party may still claim
    proposer = world.users["employer"]
    waiting = proposal_create(data=_proposed_post(employer, "数字化车间规划工程师"), by=proposer)
    returned = proposal_return(
        proposal=proposal_create(data=_proposed_post(employer, "工艺仿真工程师"), by=proposer),
        reason="请补充专业要求。",
        by=clerk,
    )
    # A person the third party declared at the employer, awaiting the employer's answer.
    declaration = declaration_submit(
        post=DeclaredPost(employer=employer, post_name="示范申报岗位", channel="bounty_list"),
        people=[
            PersonData(
                name="申报待确认人", id_number=make_id_number(4343), mode="full_time", contract_term="3年",
                programme="haiju", work_experience="2018-2025 某研究院 工程师",
            )
        ],
        by=third_party,
    )  # fmt: skip
    declared = declaration.people.get()
    world.ids = {
        "positions": [position.pk for position in positions],
        "hires": [hire.pk for hire in (*hires, *in_publicity)] + list(Hire.objects.values_list("pk", flat=True)),
        "publicity": [notice.pk],
        "objections": [objection.pk],
        "claims": [draft.pk, submitted.pk, approved.pk, second.pk],
        "post-proposals": [waiting.pk, returned.pk],
        "declarations": [declaration.pk],
        "declaration-confirmations": [declared.pk],
        # What request bodies name (``_known_ids``).
        "employer": [employer.pk, positions[-1].employer_id],
        "third_party": [agency.pk],
        "claimable": [claimable.pk, *draft.items.values_list("hire_id", flat=True)],
        "claim_items": list(submitted.items.values_list("pk", flat=True)),
    }
    world.records = {
        "draft_position": positions[0].pk,
        "submitted_position": positions[1].pk,
        "published_position": published.pk,
        "sent_position": positions[7].pk,
        "aggregated_position": positions[8].pk,
        "employer": employer.pk,
        "introduced_hire": hires[2].pk,
        "recorded_hire": hires[4].pk,
        "returned_hire": hires[5].pk,
        "audited_hire": hires[1].pk,
        "exemption_rule": PublicityExemptionRule.objects.get_or_create(name="涉密岗位人员")[0].pk,
        "publicised_hire": in_publicity[1].pk,
        "notice": notice.pk,
        "objection": objection.pk,
        "draft_claim": draft.pk,
        "submitted_claim": submitted.pk,
        "second_review_claim": second.pk,
        "approved_claim": approved.pk,
        "approved_claim_item": approved.items.get().pk,
        "second_review_item": second.items.get().pk,
        "claimable_hire": claimable.pk,
        "proposed_proposal": waiting.pk,
        "returned_proposal": returned.pk,
        "declaration": declaration.pk,
        "declared_person": declared.pk,
    }
    return world


@pytest.fixture(scope="module")
def _keep_connection() -> Iterator[None]:
    """Requests through the WSGI handler share the test's connection and transaction: the handler must not close
    it at the end of each request, as it does in production (Django's test client disconnects the same handler).
    On SQLite's in-memory test database a close is ignored; on PostgreSQL it would end the seeded transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(_keep_connection: None, django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Seeded once for the module, inside a transaction rolled back at its end: no other module sees the rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_world()
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------------------------------------------
# Who may call what, and a request that meets each operation's preconditions

CITY = ("talent_centre", "bureau_reviewer")
DISTRICT = ("clerk", "district_reviewer")
STAFF = (*DISTRICT, *CITY)
SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")

#: Operation → the roles the portal's rules let call it (the predicates in */permissions.py, the workflow tables'
#: movers and the viewsets' permission classes). Every other role is refused, for the reason in ``REFUSED``.
ALLOWED: dict[str, tuple[str, ...]] = {
    "GET /api/v1/positions/": ROLES,
    "GET /api/v1/positions/{id}/": ROLES,
    "POST /api/v1/positions/": ("clerk",),
    "PUT /api/v1/positions/{id}/": ("clerk",),
    "POST /api/v1/positions/{id}/move/": STAFF,
    "GET /api/v1/hires/": (*STAFF, "employer", "third_party", "admin"),
    "GET /api/v1/hires/{id}/": (*STAFF, "employer", "third_party", "admin"),
    "POST /api/v1/hires/": ("clerk",),
    "POST /api/v1/hires/{id}/move/": DISTRICT,
    "POST /api/v1/hires/{id}/reveal_id_number/": DISTRICT,
    "GET /api/v1/publicity/": ROLES,
    "GET /api/v1/publicity/{id}/": ROLES,
    "POST /api/v1/publicity/": DISTRICT,
    "POST /api/v1/publicity/exempt/": ("district_reviewer",),
    "GET /api/v1/objections/": (*STAFF, "admin"),
    "GET /api/v1/objections/{id}/": (*STAFF, "admin"),
    "POST /api/v1/objections/": ROLES,
    "POST /api/v1/objections/{id}/resolve/": DISTRICT,
    "GET /api/v1/claims/": ("third_party", *CITY),
    "GET /api/v1/claims/{id}/": ("third_party", *CITY),
    "POST /api/v1/claims/": ("third_party",),
    "PUT /api/v1/claims/{id}/": ("third_party",),
    "POST /api/v1/claims/{id}/submit/": ("third_party",),
    "POST /api/v1/claims/{id}/withdraw/": ("third_party",),
    "POST /api/v1/claims/{id}/attachments/": ("third_party",),
    "GET /api/v1/claims/claimable-hires/": ("third_party",),
    "POST /api/v1/claims/{id}/review/": CITY,
    "POST /api/v1/claims/{id}/pay/": ("bureau_reviewer",),
    "GET /api/v1/post-proposals/": ("clerk", "employer"),
    "GET /api/v1/post-proposals/{id}/": ("clerk", "employer"),
    "POST /api/v1/post-proposals/": ("employer",),
    "POST /api/v1/post-proposals/{id}/adopt/": ("clerk",),
    "POST /api/v1/post-proposals/{id}/return/": ("clerk",),
    "POST /api/v1/post-proposals/{id}/withdraw/": ("employer",),
    "POST /api/v1/post-proposals/{id}/repropose/": ("employer",),
    "GET /api/v1/declarations/": ("third_party",),
    "GET /api/v1/declarations/{id}/": ("third_party",),
    "POST /api/v1/declarations/": ("third_party",),
    "POST /api/v1/declarations/{id}/withdraw/": ("third_party",),
    "GET /api/v1/declaration-confirmations/": ("employer",),
    "GET /api/v1/declaration-confirmations/{id}/": ("employer",),
    "POST /api/v1/declaration-confirmations/{id}/confirm/": ("employer",),
    "POST /api/v1/declaration-confirmations/{id}/decline/": ("employer",),
}

#: Operation → why the roles missing from ``ALLOWED`` are refused (401 for the anonymous, 403 or 404 for the rest).
REFUSED: dict[str, str] = {
    "POST /api/v1/positions/": "positions.fill: district clerks only",
    "PUT /api/v1/positions/{id}/": "a draft or returned post: its district's clerk only",
    "POST /api/v1/positions/{id}/move/": "position MOVES: no move is the admin's; positions.move: staff only",
    "GET /api/v1/hires/": "hire_scope: signed-in users only",
    "GET /api/v1/hires/{id}/": "hire_scope: signed-in users only",
    "POST /api/v1/hires/": "referrals.record_hire: district clerks only",
    "POST /api/v1/hires/{id}/move/": "hire MOVES: audit/return by the district reviewer, resubmit by the clerk "
    "(the talent centre: hires without a district, none in this world)",
    "POST /api/v1/hires/{id}/reveal_id_number/": "referrals.reveal_id_number: the hire's office of record only",
    "POST /api/v1/publicity/": "referrals.run_publicity: district staff; the talent centre passes the gate and "
    "reaches no hire (unknown_hires: it publishes only hires without a district)",
    "POST /api/v1/publicity/exempt/": "referrals.exempt_from_publicity: the district reviewer; the talent centre passes "
    "the gate and reaches no hire (unknown_hires: it exempts only hires without a district)",
    "GET /api/v1/objections/": "IsStaff: district and city staff (the admin is city staff) only",
    "GET /api/v1/objections/{id}/": "IsStaff: district and city staff (the admin is city staff) only",
    "POST /api/v1/objections/{id}/resolve/": "objection_resolve: the hire's office of record only",
    "GET /api/v1/claims/": "ClaimAccess: third parties and the city's reviewers only",
    "GET /api/v1/claims/{id}/": "ClaimAccess: third parties and the city's reviewers only",
    "POST /api/v1/claims/": "subsidies.claim: third parties only",
    "PUT /api/v1/claims/{id}/": "subsidies.claim: the claimant only",
    "POST /api/v1/claims/{id}/submit/": "claim_submit: the claimant only",
    "POST /api/v1/claims/{id}/withdraw/": "claim_withdraw: the claimant only",
    "POST /api/v1/claims/{id}/attachments/": "attachment_add: the claimant only",
    "GET /api/v1/claims/claimable-hires/": "subsidies.claim: third parties only",
    "POST /api/v1/claims/{id}/review/": "claim MOVES: first review by the talent centre, second by the bureau",
    "POST /api/v1/claims/{id}/pay/": "subsidies.record_payment: the bureau only",
    "GET /api/v1/post-proposals/": "ProposalAccess: employers and district clerks only",
    "GET /api/v1/post-proposals/{id}/": "ProposalAccess: employers and district clerks only",
    "POST /api/v1/post-proposals/": "positions.propose: employers only",
    "POST /api/v1/post-proposals/{id}/adopt/": "proposal MOVES: the district's clerk only",
    "POST /api/v1/post-proposals/{id}/return/": "proposal MOVES: the district's clerk only",
    "POST /api/v1/post-proposals/{id}/withdraw/": "proposal MOVES: the proposing employer only",
    "POST /api/v1/post-proposals/{id}/repropose/": "proposal MOVES: the proposing employer only",
    "GET /api/v1/declarations/": "referrals.declare_introductions: third parties only",
    "GET /api/v1/declarations/{id}/": "referrals.declare_introductions: third parties only",
    "POST /api/v1/declarations/": "referrals.declare_introductions: third parties only",
    "POST /api/v1/declarations/{id}/withdraw/": "referrals.declare_introductions: third parties only",
    "GET /api/v1/declaration-confirmations/": "referrals.confirm_as_employer: employers only",
    "GET /api/v1/declaration-confirmations/{id}/": "referrals.confirm_as_employer: employers only",
    "POST /api/v1/declaration-confirmations/{id}/confirm/": "referrals.confirm_as_employer: employers only",
    "POST /api/v1/declaration-confirmations/{id}/decline/": "referrals.confirm_as_employer: employers only",
}

#: Business refusals that are a request's precondition failing (the record out of reach), not the rule it tested;
#: so are the ``Idempotency-Key`` header's (``idempotency_*``), checked before anything else.
PRECONDITION_CODES = frozenset({"forbidden", "unknown_hires", "not_in_publicity", "unknown_queue"})


def _working_day_from(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _examples(world: World, role: str) -> dict[str, dict[str, Any]]:
    """Operation → one request of ``role`` that meets the operation's preconditions (a draft claim to edit, an
    audited hire to publish, a sent post to aggregate...), sent before the generated ones: each allowed pair is
    reached at least once, whatever the generator draws."""
    r = world.records
    today = timezone.localdate()
    post = {
        "employer": r["employer"],
        "channel": "bounty_list",
        "name": "智能装备研发工程师",
        "headcount": 2,
        "education": "master",
        "majors": "机械工程、控制科学与工程",
        "recruits_graduates": True,
        "salary_text": "年薪20-30万元",
    }
    claim = {
        "employer": r["employer"],
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "declarations": {"introduced": True, "good_credit": True, "truthful": True},
        "lines": [{"hire": r["claimable_hire"], "requested_amount": "30000.00"}],
    }
    proposal = {key: value for key, value in post.items() if key != "employer"} | {"name": "智能产线调试工程师"}
    objection = {
        "hire": r["publicised_hire"],
        "name": "王五",
        "phone": "13800000000",
        "statement": "学历信息与实际不符。",
    }
    position_move = {
        "clerk": (r["draft_position"], "submit"),
        "district_reviewer": (r["submitted_position"], "approve"),
        "talent_centre": (r["sent_position"], "aggregate"),
        "bureau_reviewer": (r["aggregated_position"], "publish"),
    }
    hire_move = {"clerk": (r["returned_hire"], "resubmit"), "district_reviewer": (r["recorded_hire"], "audit")}
    review = {
        "talent_centre": (r["submitted_claim"], {"action": "first_pass", "opinion": "材料齐全，同意。"}),
        "bureau_reviewer": (
            r["second_review_claim"],
            {"action": "approve", "opinion": "核定。", "approved": {str(r["second_review_item"]): "18000.00"}},
        ),
    }
    examples: dict[str, dict[str, Any]] = {
        "GET /api/v1/positions/": {},
        "GET /api/v1/positions/{id}/": {"path_parameters": {"id": r["published_position"]}},
        "POST /api/v1/positions/": {"body": post},
        "PUT /api/v1/positions/{id}/": {"path_parameters": {"id": r["draft_position"]}, "body": post},
        "GET /api/v1/hires/": {},
        "GET /api/v1/hires/{id}/": {"path_parameters": {"id": r["introduced_hire"]}},
        "POST /api/v1/hires/": {
            "body": {
                "position": r["published_position"],
                "name": "赵六",
                "id_number": make_id_number(4242),
                "mode": "full_time",
                "contract_term": "3年",
                "work_experience": "2016年起从事装备研发",
            }
        },
        "POST /api/v1/hires/{id}/reveal_id_number/": {"path_parameters": {"id": r["introduced_hire"]}},
        "GET /api/v1/publicity/": {},
        "GET /api/v1/publicity/{id}/": {"path_parameters": {"id": r["notice"]}},
        "POST /api/v1/publicity/": {
            "body": {
                "hire_ids": [r["audited_hire"]],
                "published_on": _working_day_from(today).isoformat(),
                "title": "示范区引进人才公示（第二批）",
            }
        },
        "POST /api/v1/publicity/exempt/": {
            "body": {"hire_ids": [r["audited_hire"]], "exemption_rule": r["exemption_rule"], "note": "经批准。"}
        },
        "GET /api/v1/objections/": {},
        "GET /api/v1/objections/{id}/": {"path_parameters": {"id": r["objection"]}},
        "POST /api/v1/objections/": {"body": objection},
        "POST /api/v1/objections/{id}/resolve/": {
            "path_parameters": {"id": r["objection"]},
            "body": {"upheld": False, "reason": "经核实，学历信息属实。"},
        },
        "GET /api/v1/claims/": {},
        "GET /api/v1/claims/{id}/": {"path_parameters": {"id": r["approved_claim"]}},
        "POST /api/v1/claims/": {"body": claim},
        "PUT /api/v1/claims/{id}/": {
            "path_parameters": {"id": r["draft_claim"]},
            "body": claim | {"lines": [{"hire": r["claimable_hire"], "requested_amount": "20000.00"}]},
        },
        "POST /api/v1/claims/{id}/submit/": {"path_parameters": {"id": r["draft_claim"]}},
        "POST /api/v1/claims/{id}/withdraw/": {
            "path_parameters": {"id": r["draft_claim"]},
            "body": {"reason": "重新整理材料。"},
        },
        "POST /api/v1/claims/{id}/attachments/": {
            "path_parameters": {"id": r["draft_claim"]},
            "body": {"kind": "other", "file": SIGNED_SCAN},
            "media_type": "multipart/form-data",
        },
        "GET /api/v1/claims/claimable-hires/": {},
        "GET /api/v1/post-proposals/": {},
        "GET /api/v1/post-proposals/{id}/": {"path_parameters": {"id": r["proposed_proposal"]}},
        "POST /api/v1/post-proposals/": {"body": proposal},
        "POST /api/v1/post-proposals/{id}/adopt/": {
            "path_parameters": {"id": r["proposed_proposal"]},
            "body": {"headcount": 2},
        },
        "POST /api/v1/post-proposals/{id}/return/": {
            "path_parameters": {"id": r["proposed_proposal"]},
            "body": {"reason": "专业要求过宽，请细化。"},
        },
        "POST /api/v1/post-proposals/{id}/withdraw/": {"path_parameters": {"id": r["proposed_proposal"]}},
        "POST /api/v1/post-proposals/{id}/repropose/": {
            "path_parameters": {"id": r["returned_proposal"]},
            "body": proposal | {"majors": "工业工程、机械工程"},
        },
        "GET /api/v1/declarations/": {},
        "GET /api/v1/declarations/{id}/": {"path_parameters": {"id": r["declaration"]}},
        "POST /api/v1/declarations/": {
            "body": {
                "employer": r["employer"],
                "post_name": "示范申报岗位",
                "channel": "special_recruitment",
                "people": [
                    {
                        "name": "钱八",
                        "id_number": make_id_number(4344),
                        "mode": "flexible",
                        "contract_term": "2年",
                        "programme": "haiju",
                        "work_experience": "2018-2025 某研究院 工程师",
                    }
                ],
            }
        },
        "POST /api/v1/declarations/{id}/withdraw/": {
            "path_parameters": {"id": r["declaration"]},
            "body": {"person": r["declared_person"]},
        },
        "GET /api/v1/declaration-confirmations/": {},
        "GET /api/v1/declaration-confirmations/{id}/": {"path_parameters": {"id": r["declared_person"]}},
        "POST /api/v1/declaration-confirmations/{id}/confirm/": {"path_parameters": {"id": r["declared_person"]}},
        "POST /api/v1/declaration-confirmations/{id}/decline/": {
            "path_parameters": {"id": r["declared_person"]},
            "body": {"reason": "经核实，该人员系本单位自行招聘。"},
        },
        "POST /api/v1/claims/{id}/pay/": {
            "path_parameters": {"id": r["approved_claim"]},
            "body": {"paid_on": today.isoformat(), "payment_reference": "ZF-2026-0001"},
        },
    }
    if role in position_move:
        pk, action = position_move[role]
        examples["POST /api/v1/positions/{id}/move/"] = {"path_parameters": {"id": pk}, "body": {"action": action}}
    if role in hire_move:
        pk, action = hire_move[role]
        examples["POST /api/v1/hires/{id}/move/"] = {"path_parameters": {"id": pk}, "body": {"action": action}}
    if role in review:
        pk, body = review[role]
        examples["POST /api/v1/claims/{id}/review/"] = {"path_parameters": {"id": pk}, "body": body}
    return {label: case for label, case in examples.items() if role in ALLOWED[label]}


# ---------------------------------------------------------------------------------------------------------------
# What reached the service

#: (operation, role) → what got each pair past authentication, permission and validation ("201", "400 not_editable").
REACHED: dict[tuple[str, str], str] = {}
#: (operation, role) → the statuses a refused pair was answered with.
ANSWERED: dict[tuple[str, str], set[int]] = {}
#: The pairs that generated requests reached too, not only the explicit example.
GENERATED: set[tuple[str, str]] = set()
#: Requests sent per role.
SENT: dict[str, int] = {}
#: The roles whose fuzz ran in this process (the table covers those).
RAN: list[str] = []


def _reach(response: Any) -> str | None:
    """What a response tells of reaching the service: a 2xx, or a business rule's refusal (a ``PortalError``'s
    code, not one of a precondition); None for anything stopped before (401/403/404/405/429, a malformed body)."""
    if 200 <= response.status_code < 300:
        return str(response.status_code)
    if response.status_code != 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, str) and code not in PRECONDITION_CODES and not code.startswith("idempotency_"):
        return f"400 {code}"
    return None


def _record(label: str, role: str, response: Any, *, generated: bool) -> None:
    SENT[role] = SENT.get(role, 0) + 1
    ANSWERED.setdefault((label, role), set()).add(response.status_code)
    reached = _reach(response)
    if reached is None:
        return
    if generated:
        GENERATED.add((label, role))
    if not REACHED.get((label, role), "").startswith("2"):
        REACHED[(label, role)] = reached


# ---------------------------------------------------------------------------------------------------------------
# The schema and the calls


@pytest.fixture(scope="module")
def api_schema(_keep_connection: None) -> schemathesis.BaseSchema:
    """The schema as the application serves it, loaded through the application itself."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@pytest.fixture(scope="module")
def _unthrottled() -> Iterator[None]:
    """No throttle stops the fuzz (the rates are tested in their own modules): every DRF rate throttle — the
    anonymous and user rates, the claims write throttle (``subsidies.apis.ClaimWriteThrottle``) and the objections'
    per-address one — lets every request through. The throttle classes are bound when the views are defined, so a
    settings override would not reach them; their one decision is patched instead, for this module only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
        yield


@pytest.fixture
def in_process(world: World, db: None, _unthrottled: None) -> Iterator[None]:
    """Each role starts with no cached state and leaves none to other modules."""
    cache.clear()
    yield
    cache.clear()


def _collection(path: str) -> str:
    return path.strip("/").split("/")[2]  # /api/v1/<collection>/...


def _strategy(operation: Any, mode: GenerationMode, world: World) -> st.SearchStrategy[Any]:
    """Cases of one operation; an ``{id}`` in the path is mostly a seeded record's, sometimes anything."""
    if "{id}" not in operation.path:
        return operation.as_strategy(generation_mode=mode)
    known = world.ids[_collection(operation.path)]
    return st.one_of(
        st.sampled_from(known).flatmap(
            lambda pk: operation.as_strategy(generation_mode=mode, path_parameters={"id": pk})
        ),
        operation.as_strategy(generation_mode=mode),
    )


#: Body fields that name a record → the seeded records they may name (``World.ids``).
_ID_FIELDS = {
    "employer": "employer",
    "position": "positions",
    "hire": "hires",
    "third_party": "third_party",
    "person": "declaration-confirmations",
}


def _known_ids(case: Any, world: World, data: st.DataObject) -> None:
    """Point the ids a generated JSON body names at seeded records, so that a valid request gets past "not found"
    into the services: the employer, post, hire or third party, the hires of a publicity notice or an exemption,
    a claim's lines (hires the third party may claim) and a re-review's approved amounts (the claim's lines)."""
    body = case.body
    if not isinstance(body, dict):
        return
    for name, kind in _ID_FIELDS.items():
        if isinstance(body.get(name), int) and not isinstance(body[name], bool):
            body[name] = data.draw(st.sampled_from(world.ids[kind]))
    if isinstance(body.get("hire_ids"), list) and body["hire_ids"]:
        body["hire_ids"] = data.draw(st.lists(st.sampled_from(world.ids["hires"]), min_size=1, max_size=3))
    if isinstance(body.get("lines"), list):
        for line in body["lines"]:
            if isinstance(line, dict) and isinstance(line.get("hire"), int):
                line["hire"] = data.draw(st.sampled_from(world.ids["claimable"]))
    if isinstance(body.get("approved"), dict) and body["approved"]:
        amounts = list(body["approved"].values())
        body["approved"] = {str(pk): amounts[index % len(amounts)] for index, pk in enumerate(world.ids["claim_items"])}


def _headers(role: str, world: World) -> dict[str, str]:
    token = world.tokens.get(role)
    return {"Authorization": f"Token {token}"} if token else {}


def _send(
    case: Any, *, role: str, headers: dict[str, str], failures: dict[tuple[str, ...], str], generated: bool
) -> None:
    """One request in a savepoint rolled back: every request meets the seeded world as it was."""
    label = case.operation.label
    with transaction.atomic():
        response = case.call(headers=headers)
        _record(label, role, response, generated=generated)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (label, failure.title, failure.message.splitlines()[0] if failure.message else "")
                failures.setdefault(key, f"[{role}] {label}: {group}")
        transaction.set_rollback(True)


def fuzz_operation(operation: Any, *, role: str, world: World, examples: int) -> dict[tuple[str, ...], str]:
    """Send the role's explicit example of one operation (``_examples``), then ``examples`` positive and negative
    generated cases; the distinct failures (by operation, check and message), each with the first request that
    showed it."""
    failures: dict[tuple[str, ...], str] = {}
    headers = _headers(role, world)
    explicit = _examples(world, role).get(operation.label)
    if explicit is not None:
        if "body" in explicit:
            explicit = {"media_type": "application/json", **explicit}
        _send(operation.Case(**explicit), role=role, headers=headers, failures=failures, generated=False)

    def send(case: Any, data: st.DataObject) -> None:
        if data.draw(st.booleans()):
            _known_ids(case, world, data)
        _send(case, role=role, headers=headers, failures=failures, generated=True)

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        test: Callable[[], None] = hypothesis.given(case=_strategy(operation, mode, world), data=st.data())(send)
        hypothesis.settings(
            max_examples=examples,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(test)()
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    role: str, world: World, api_schema: Any, in_process: None
) -> None:
    """Every operation answers the role within its schema, and every operation the role may call was reached."""
    failures: dict[tuple[str, ...], str] = {}
    labels = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        failures |= fuzz_operation(operation, role=role, world=world, examples=FUZZ_EXAMPLES)
    RAN.append(role)
    assert not failures, "\n\n".join(failures.values())
    assert sorted(labels) == sorted(ALLOWED), "ALLOWED must name every operation of the schema, and only those"
    throttled = sorted(label for (label, who), codes in ANSWERED.items() if who == role and 429 in codes)
    assert not throttled, f"throttled despite the override: {throttled}"
    missed = [label for label, roles in ALLOWED.items() if role in roles and (label, role) not in REACHED]
    assert not missed, f"{role} never got past the gates of: " + "; ".join(
        f"{label} (answered {sorted(ANSWERED.get((label, role), ()))})" for label in missed
    )
    leaked = [label for label, roles in ALLOWED.items() if role not in roles and (label, role) in REACHED]
    assert not leaked, f"{role} got past the gates of operations it may not call: {leaked}"


def _table() -> str:
    """Operations × roles: what reached each allowed pair, and how each refused pair was answered."""
    roles = [role for role in ROLES if role in RAN]
    rows = []
    for label in sorted(ALLOWED, key=lambda label: (label.split()[1], label.split()[0])):
        cells = [label]
        for role in roles:
            if role in ALLOWED[label]:
                if (label, role) not in REACHED:
                    cells.append("NOT REACHED")
                else:
                    cells.append(f"reached {REACHED[(label, role)]}{'' if (label, role) in GENERATED else ' *'}")
            else:
                codes = "/".join(str(code) for code in sorted(ANSWERED.get((label, role), ())))
                cells.append(f"not allowed {codes}")
        rows.append(cells)
    header = ["operation", *roles]
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in (header, *rows)]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("")
    lines.append(
        "reached: a 2xx, or a business rule's 400 (its code); * only by the explicit example, not yet by a generated "
        "request. not allowed: the statuses the role's requests got, as"
    )
    lines.extend(f"  {label}: {reason}" for label, reason in REFUSED.items())
    lines.append("requests sent: " + ", ".join(f"{role} {SENT.get(role, 0)}" for role in roles))
    return "\n".join(lines)


def test_reach_table(request: pytest.FixtureRequest) -> None:
    """The operations × roles table of the run (``pytest -s`` prints it; var/api-fuzz-reach.txt keeps it)."""
    if not RAN:
        pytest.skip("no role was fuzzed in this run")
    table = _table()
    print("\n" + table)
    out = settings.VAR_DIR / "api-fuzz-reach.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table + "\n", encoding="utf-8")
    assert "NOT REACHED" not in table
