"""API fuzzing (issue 7, item 7): schemathesis against ``/api/schema/`` for every operation and every role.

Each role's test walks every operation of the OpenAPI schema drf-spectacular serves and sends generated requests —
valid ones (positive) and ones that break the schema (negative) — through the WSGI application in-process, with the
role's DRF token. Every answer must be below 500, of the documented content type, and (for documented statuses)
shaped as the schema says.

The database is seeded once per module with a realistic spread of records (a district's posts in every state, hires
recorded, audited, under publicity and confirmed, an open objection, claims from draft to approved) inside one
outer transaction; each role's test runs in a savepoint of it (pytest-django's ``db``), and each generated request
in a savepoint of that, rolled back, so every request meets the same data and the run is repeatable.

Generation is derandomised (``derandomize=True``) and bounded (``FUZZ_EXAMPLES`` per operation, role and mode) so
the module runs in a minute or two on SQLite; ``FUZZ_EXAMPLES=200 pytest tests/security/test_api_fuzz.py`` is the
exploratory run. Path parameters ``{id}`` are drawn mostly from the seeded records, and half the JSON bodies have the
ids they name (employer, post, hires, a claim's lines) pointed at seeded records, so that requests reach the code
behind the 404 and the serializers: the services.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from portal.models import District, User
from referrals.constants import HireStatus
from referrals.models import Hire, Objection, PublicityNotice
from subsidies.models import Claim
from subsidies.services import ClaimData, ClaimLine, claim_create, claim_review, claim_submit
from tests.factories import (
    EmployerFactory,
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    attach_signed_annexes,
    claimable_hire,
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


def _notice(hires: list[Hire], clerk: User) -> PublicityNotice:
    """A notice under publicity now, straight into the table (the calendar's rules have their own tests)."""
    district = hires[0].district
    notice = PublicityNotice.objects.create(
        district=district,
        reference="GS-FUZZ-0001",
        title=f"{district.name}卓越工程师引进人才公示",
        published_on=timezone.localdate() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=3),
        published_by=clerk,
    )
    Hire.objects.filter(pk__in=[hire.pk for hire in hires]).update(status=HireStatus.IN_PUBLICITY, notice=notice)
    return notice


def _claim(user: User, employer: Any, *amounts: str) -> Claim:
    hires = [claimable_hire(user.third_party, employer) for _ in amounts]
    data = ClaimData(
        employer=employer,
        employer_contact="张经理",
        employer_phone="023-45678901",
        lines=tuple(
            ClaimLine(hire=hire, requested_amount=Decimal(amount)) for hire, amount in zip(hires, amounts, strict=True)
        ),
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
    )
    return claim_create(data=data, by=user)


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
    ]
    published = positions[3]
    hires = [
        HireFactory(position=published, recorded_by=clerk, education="", school="", arrived_on=None),
        HireFactory(position=published, recorded_by=clerk, audited=True),
        HireFactory(position=published, recorded_by=clerk, introduced=True, third_party=agency),
        HireFactory(position=positions[-1]),
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
    draft = _claim(third_party, employer, "30000")
    submitted = _claim(third_party, employer, "20000", "4000.50")
    attach_signed_annexes(submitted, third_party)
    submitted = claim_submit(claim=submitted, by=third_party)
    approved = _claim(third_party, employer, "25000")
    attach_signed_annexes(approved, third_party)
    approved = claim_submit(claim=approved, by=third_party)
    approved = claim_review(claim=approved, action="first_pass", opinion="材料齐全。", by=world.users["talent_centre"])
    item = approved.items.get()
    approved = claim_review(
        claim=approved,
        action="approve",
        opinion="核定激励金额。",
        by=world.users["bureau_reviewer"],
        approved={item.pk: "25000"},
    )
    claimable = claimable_hire(agency, employer)  # one more the third party may still claim
    world.ids = {
        "positions": [position.pk for position in positions],
        "hires": [hire.pk for hire in (*hires, *in_publicity)] + list(Hire.objects.values_list("pk", flat=True)),
        "publicity": [notice.pk],
        "objections": [objection.pk],
        "claims": [draft.pk, submitted.pk, approved.pk],
        # What request bodies name (``_known_ids``).
        "employer": [employer.pk, positions[-1].employer_id],
        "third_party": [agency.pk],
        "claimable": [claimable.pk, *draft.items.values_list("hire_id", flat=True)],
        "claim_items": list(submitted.items.values_list("pk", flat=True)),
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
# The schema and the calls


@pytest.fixture(scope="module")
def api_schema(_keep_connection: None) -> schemathesis.BaseSchema:
    """The schema as the application serves it, loaded through the application itself."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@pytest.fixture
def in_process(world: World, db: None) -> Iterator[None]:
    """Each role starts with no throttle history and leaves none to other modules."""
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
_ID_FIELDS = {"employer": "employer", "position": "positions", "hire": "hires", "third_party": "third_party"}


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


def fuzz_operation(operation: Any, *, role: str, world: World, examples: int) -> dict[tuple[str, ...], str]:
    """Send ``examples`` positive and negative cases of one operation as one role; the distinct failures (by
    operation, check and message), each with the first request that showed it."""
    failures: dict[tuple[str, ...], str] = {}
    headers = _headers(role, world)

    def send(case: Any, data: st.DataObject) -> None:
        if data.draw(st.booleans()):
            _known_ids(case, world, data)
        with transaction.atomic():
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (operation.label, failure.title, failure.message.splitlines()[0] if failure.message else "")
                    failures.setdefault(key, f"[{role}] {operation.label}: {group}")
            transaction.set_rollback(True)

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
    failures: dict[tuple[str, ...], str] = {}
    for result in api_schema.get_all_operations():
        failures |= fuzz_operation(result.ok(), role=role, world=world, examples=FUZZ_EXAMPLES)
    assert not failures, "\n\n".join(failures.values())
