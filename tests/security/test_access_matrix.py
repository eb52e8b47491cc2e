"""The access matrix (docs/roles.md, "District scope"): every role × every URL × own / other district / other third party / other
employer. A forbidden cell answers 403 or 404 (the anonymous visitor: the login page, or 401/403 from the API),
changes nothing and shows none of the row; an allowed cell answers 200 (or its own success) — so the matrix fails
both ways, when a door is open that should be shut and when one is shut that should be open.

How it reads:

* ``tests/security/world.py`` builds the world: districts A and B, employers E1, E2 (in A) and EB (in B), third
  parties TP1 and TP2, and on each *side* (own / other_third_party / other_employer / other_district) the objects
  every URL needs, in the states that matter. The acting users are A's clerk and reviewer, E1's account, TP1's
  account, the talent centre, the bureau and the admin.
* ``MATRIX`` below says, for every URL name the resolver knows, who passes the page's gate (``roles``), which
  objects it is asked about (``targets``, each with the sides each role may reach), the method and body, and which
  rows may appear in what it returns (``rows`` for pages and downloads, ``api_rows`` for JSON lists). A URL the
  resolver knows and the matrix does not fails ``test_every_url_is_in_the_matrix``.
* ``test_access_matrix`` requests every cell inside a transaction it rolls back (so every cell sees the same world,
  and a cell that writes is seen to write), and collects every bad cell into one failure that names each
  (role, URL name, target, side).

Outcomes of a cell: ``ok`` (the expected status; a write must change the database), ``deny`` (403/404, nothing
changed, no marker of the target in the body), ``refuse`` (the role reaches the page but the business rule or the
scope of the body says no: the page answers with its message — 200/302/400 — and nothing changes). On top, in every
response: no person's whole ID number and no bank account, unless the cell is an allowed reveal.

The PDF layout engine is stubbed (``html_to_pdf`` returns the HTML it would lay out), so the documents' content is
checked for leaks in milliseconds; the real PDFs are tested in tests/*/test_documents.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.models import ThirdParty
from referrals.models import Hire, PublicityExemptionRule
from rollups.dashboard import CHARTS
from tests.factories import SIGNED_SCAN, make_id_number
from tests.security.world import (
    ADMIN,
    ANON,
    BUREAU,
    CENTRE,
    CLERK,
    EMPLOYER,
    OTHER_DISTRICT,
    OTHER_EMPLOYER,
    OTHER_THIRD_PARTY,
    OTHER_USER,
    OWN,
    PENDING,
    REVIEWER,
    ROLES,
    THIRD_PARTY,
    World,
    build_world,
)

pytestmark = pytest.mark.django_db

OK, DENY, REFUSE = "ok", "deny", "refuse"
LOGIN = "/accounts/login/"

# ---- who may reach which side ------------------------------------------------------------------------------------

Scope = Mapping[str, frozenset[str]]

EVERY_SIDE = frozenset({OWN, OTHER_THIRD_PARTY, OTHER_EMPLOYER, OTHER_DISTRICT, OTHER_USER, PENDING})
#: District A's sides: what A's clerk and reviewer reach.
IN_DISTRICT = frozenset({OWN, OTHER_THIRD_PARTY, OTHER_EMPLOYER})
SIGNED_IN = frozenset(ROLES) - {ANON}
DISTRICT = frozenset({CLERK, REVIEWER})
CITY = frozenset({CENTRE, BUREAU, ADMIN})
STAFF = DISTRICT | CITY
CLAIM_REVIEWERS = frozenset({CENTRE, BUREAU})


def sees(sides: Iterable[str], *roles: str) -> dict[str, frozenset[str]]:
    return {role: frozenset(sides) for role in roles}


NOBODY: Scope = {}
EVERYONE = sees(EVERY_SIDE, *ROLES)
OWN_DISTRICT = sees(IN_DISTRICT, *DISTRICT)
#: The offices of record (docs/roles.md, "The office of record"): a district's staff, and the talent centre for hires
#: without a district; the centre passes the gates of the publicity pages and reaches none of a district's hires.
OFFICES = DISTRICT | {CENTRE}
CENTRE_READS = OWN_DISTRICT | sees(EVERY_SIDE, CENTRE)
DISTRICT_RECORDS = OWN_DISTRICT | sees(EVERY_SIDE, *CITY)
EMPLOYER_HIRES = sees({OWN, OTHER_THIRD_PARTY}, EMPLOYER)
THIRD_PARTY_HIRES = sees({OWN, OTHER_EMPLOYER}, THIRD_PARTY)
#: Hires: the district's staff, the city, the employer its company's, the third party those it introduced.
HIRES = DISTRICT_RECORDS | EMPLOYER_HIRES | THIRD_PARTY_HIRES
#: Declarations: the third party its own (at any employer), the employer those at its company (by any third party).
DECLARED_BY = sees({OWN, OTHER_EMPLOYER}, THIRD_PARTY)
DECLARED_AT = sees({OWN, OTHER_THIRD_PARTY}, EMPLOYER)
#: Claims: the claimant its own; the talent centre and the bureau every claim once submitted, never a draft.
OWN_CLAIMS = sees({OWN, OTHER_EMPLOYER}, THIRD_PARTY)
SUBMITTED_CLAIMS = OWN_CLAIMS | sees(EVERY_SIDE, *CLAIM_REVIEWERS)
#: A notice after its publicity: its district's staff and the city; under publicity: everyone.
CLOSED_NOTICES = DISTRICT_RECORDS
OWN_USER = sees({OWN}, *SIGNED_IN)
#: Post proposals: the employer its own company's; the clerk of the district they went to (not its reviewer).
OWN_PROPOSALS = sees({OWN}, EMPLOYER)
DISTRICT_PROPOSALS = sees({OWN, OTHER_EMPLOYER}, CLERK)
PROPOSALS = OWN_PROPOSALS | DISTRICT_PROPOSALS
#: A sheet import: its owner (A's clerk), the district's staff, the admins.
IMPORT_JOBS = sees({OWN}, *DISTRICT) | sees(EVERY_SIDE, ADMIN)


# ---- the matrix --------------------------------------------------------------------------------------------------


class Cell(NamedTuple):
    world: World
    role: str
    target: str
    side: str
    obj: Any


def _pk(cell: Cell) -> dict[str, Any]:
    return {"pk": cell.obj.pk} if cell.obj is not None else {}


@dataclass(frozen=True)
class Check:
    """One way of calling one URL. ``targets`` maps a world target ("hire.recorded") to the sides each role may
    reach; no targets means one cell per role. ``in_body``: the target is named in the body or query, not the path,
    so a target out of scope is a refusal by the form or serializer (nothing written, nothing shown), not a 404."""

    roles: frozenset[str]
    targets: Mapping[str, Scope] = field(default_factory=dict)
    method: str = "GET"
    api: bool = False
    #: The URL's arguments; by default the target's pk, or none when the target is in the body.
    kwargs: Callable[[Cell], dict[str, Any]] | None = None
    query: Callable[[Cell], dict[str, Any]] | None = None
    body: Callable[[Cell], dict[str, Any]] | None = None
    multipart: bool = False
    in_body: bool = False
    refused: frozenset[str] = frozenset()
    status: int | None = None
    status_for: Mapping[str, int] = field(default_factory=dict)
    rows: Mapping[str, Scope] = field(default_factory=dict)
    api_rows: Mapping[str, Scope] = field(default_factory=dict)
    reveals: frozenset[str] = frozenset()
    fresh_client: bool = False
    #: A POST that answers without writing (the public check of a paper): allowed, it changes nothing.
    reads_only: bool = False

    def expected_status(self, role: str) -> int:
        if role in self.status_for:
            return self.status_for[role]
        if self.status is not None:
            return self.status
        if self.method == "GET":
            return 200
        return 200 if self.api else 302

    def outcome(self, role: str, target: str, side: str) -> str:
        if role not in self.roles:
            return DENY
        if target and side not in self.targets[target].get(role, frozenset()):
            return REFUSE if self.in_body else DENY
        return REFUSE if role in self.refused else OK


def page(*roles: Iterable[str] | str, **options: Any) -> Check:
    return Check(roles=_roles(roles), **options)


def post(*roles: Iterable[str] | str, **options: Any) -> Check:
    return Check(roles=_roles(roles), method="POST", **options)


def api(*roles: Iterable[str] | str, method: str = "GET", **options: Any) -> Check:
    return Check(roles=_roles(roles), method=method, api=True, **options)


def _roles(groups: tuple[Iterable[str] | str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for group in groups:
        found |= {group} if isinstance(group, str) else set(group)
    return frozenset(found)


def _no_kwargs(cell: Cell) -> dict[str, Any]:
    return {}


def _notice_of_hire(cell: Cell) -> dict[str, Any]:
    return {"pk": cell.obj.notice_id}


def _attachment(cell: Cell) -> dict[str, Any]:
    if isinstance(cell.obj, tuple):
        claim, attachment = cell.obj
        return {"pk": claim.pk, "attachment_pk": attachment.pk}
    return {"pk": cell.obj.claim_id, "attachment_pk": cell.obj.pk}


def _period(cell: Cell) -> dict[str, Any]:
    return {"period": str(cell.world.rolled_period)}


def _position_body(cell: Cell) -> dict[str, Any]:
    """An Annex 1 post for the API, at the target employer (or the target post's employer)."""
    employer = getattr(cell.obj, "employer", cell.obj)
    return {
        "employer": employer.pk,
        "channel": "bounty_list",
        "name": f"矩阵新岗位{cell.role}",
        "headcount": 3,
        "education": "master",
        "majors": "机械工程",
        "competencies": "",
        "recruits_graduates": True,
        "salary_text": "15-25万元/年",
    }


def _position_form(cell: Cell) -> dict[str, Any]:
    return {
        "employer": cell.obj.pk,
        "channel": "bounty_list",
        "name": "矩阵表单新岗位",
        "headcount": "3",
        "education": "master",
        "majors": "机械工程",
        "recruits_graduates": "1",
        "salary_text": "面议",
    }


def _proposal_body(cell: Cell) -> dict[str, Any]:
    """An employer's post proposal for the API (its own fields only: the employer is the account's)."""
    return {
        "channel": "special_recruitment",
        "name": f"矩阵新需求{cell.role}",
        "headcount": 2,
        "education": "master",
        "majors": "机械工程",
        "competencies": "",
        "recruits_graduates": False,
        "salary_text": "面议",
    }


def _proposal_form(cell: Cell) -> dict[str, Any]:
    return _proposal_body(cell) | {"headcount": "2", "recruits_graduates": "0"}


def _hire_body(cell: Cell) -> dict[str, Any]:
    return {
        "position": cell.obj.pk,
        "name": "矩阵新登记人",
        "id_number": make_id_number(901, birthday="20000101"),
        "mode": "full_time",
        "contract_term": "3年",
        "work_experience": "2020年起从事工程研发",
    }


def _exemption_rule() -> int:
    """The rule the world made (``build_world``) for 按规定不公示."""
    return PublicityExemptionRule.objects.get(name="矩阵不公示规则").pk


def _hire_form(cell: Cell) -> dict[str, Any]:
    """The HTML form of Annex 3: the target hire's post, or the target post."""
    position = getattr(cell.obj, "position", cell.obj)
    return _hire_body(cell) | {"position": position.pk, "programme": "", "education": "", "third_party": ""}


def _claim_lines(cell: Cell, amount: str = "1000.00") -> dict[str, Any]:
    hire = cell.obj if cell.target.startswith("hire.") else cell.obj.items.get().hire
    employer = hire.employer
    return {
        "employer": employer.pk,
        "employer_contact": "矩阵联系人",
        "employer_phone": "023-66666666",
        "declarations": {"declares_introduced": True, "declares_good_credit": True, "declares_truthful": True},
        "lines": [{"hire": hire.pk, "requested_amount": amount}],
    }


def _claim_form(cell: Cell) -> dict[str, Any]:
    hire = cell.obj if cell.target.startswith("hire.") else cell.obj.items.get().hire
    return {
        "employer_contact": "矩阵联系人",
        "employer_phone": "023-66666666",
        "declares_introduced": "on",
        "declares_good_credit": "on",
        "declares_truthful": "on",
        f"hire_{hire.pk}": "on",
        f"amount_{hire.pk}": "1000.00",
    }


def _declaration_form(cell: Cell) -> dict[str, Any]:
    """A declaration of one person at E1, a post not in the portal, as the HTML form posts it."""
    return {
        "employer": cell.world.employers["E1"].pk,
        "action": "submit",
        "position": "",
        "post_name": "矩阵表单申报岗位",
        "channel": "bounty_list",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "1",
        "people-MAX_NUM_FORMS": "50",
        "people-0-name": "矩阵表单申报人",
        "people-0-id_number": make_id_number(881, birthday="19960606"),
        "people-0-mode": "full_time",
        "people-0-contract_term": "3年",
        "people-0-programme": "haiju",
        "people-0-work_experience": "2018-2025 某研究院 工程师",
    }


def _declaration_body(cell: Cell) -> dict[str, Any]:
    return {
        "employer": cell.world.employers["E1"].pk,
        "post_name": "矩阵接口申报岗位",
        "channel": "special_recruitment",
        "people": [
            {
                "name": "矩阵接口申报人",
                "id_number": make_id_number(882, birthday="19960606"),
                "mode": "flexible",
                "contract_term": "2年",
                "programme": "haiju",
                "work_experience": "2018-2025 某研究院 工程师",
            }
        ],
    }


def _spare_employer(cell: Cell) -> dict[str, Any]:
    return {"employer": cell.world.employers["E1"].pk}


def _upload(cell: Cell) -> dict[str, Any]:
    return {"kind": "other", "file": SimpleUploadedFile("矩阵扫描件.pdf", SIGNED_SCAN, content_type="application/pdf")}


def _objection(cell: Cell) -> dict[str, Any]:
    return {
        "hire": cell.obj.pk,
        "name": "矩阵公众",
        "phone": "13900001111",
        "statement": "该人员的工作经历与公示不符，请核查。",
    }


def _today(cell: Cell) -> str:
    return cell.world.today.isoformat()


PUBLIC = frozenset(ROLES)
#: The claimant and the city's reviewers see the claimant's whole bank account (Annex 2 is signed and paid on it).
BANK = frozenset({"bank_account"})
#: The claim's official papers (Annexes 2 and 3) print whole the ID numbers of that claim's people, and only theirs
#: (docs/subsidies.md, "Who sees the whole ID numbers").
CLAIM_PAPER = "claim_paper_id_numbers"

#: Every URL name of the portal (the admin has its own test) → how to call it and who may.
MATRIX: dict[str, tuple[Check, ...]] = {
    # ---- the shared core ----------------------------------------------------------------------------------------
    "portal:home": (page(PUBLIC, rows={"position.draft": NOBODY, "claim": NOBODY, "hire.recorded": NOBODY}),),
    "portal:policies": (page(PUBLIC),),
    "portal:workspace": (page(SIGNED_IN, rows={"hire": NOBODY, "claim": NOBODY}),),
    "rollups:dashboard": (page(CLAIM_REVIEWERS, rows={"hire": NOBODY, "claim": NOBODY}),),
    "rollups:dashboard_csv": (
        page(CLAIM_REVIEWERS, kwargs=lambda cell: {"chart": next(iter(CHARTS))}, rows={"hire": NOBODY}),
    ),
    "portal:employer_list": (page(STAFF, rows={"employer": DISTRICT_RECORDS}),),
    "portal:employer_detail": (page(STAFF, targets={"employer": DISTRICT_RECORDS}),),
    "portal:inbox": (page(SIGNED_IN, rows={"notification": OWN_USER}),),
    "portal:notification_read": (post(SIGNED_IN, targets={"notification": OWN_USER}),),
    "portal:notifications_read_all": (post(SIGNED_IN),),
    "portal:notification_settings": (page(SIGNED_IN),),
    # 操作指南: everyone reads the public guide and their own role's; staff read every role's.
    "portal:guide": (page(PUBLIC),),
    "portal:guide_detail": (
        page(PUBLIC, kwargs=lambda cell: {"role": "public"}),
        page(STAFF | {EMPLOYER}, kwargs=lambda cell: {"role": "employer"}),
    ),
    "portal:guide_pdf": (
        page(PUBLIC, kwargs=lambda cell: {"role": "public"}),
        page(STAFF | {THIRD_PARTY}, kwargs=lambda cell: {"role": "third_party"}),
    ),
    "portal:register": (page(PUBLIC, status_for=dict.fromkeys(SIGNED_IN, 302)),),
    "portal:register_done": (page(PUBLIC),),
    "portal:third_party_list": (page({CENTRE, ADMIN}, rows={"hire": NOBODY, "claim": NOBODY}),),
    "portal:third_party_verify": (
        post({CENTRE, ADMIN}, targets={"third_party.pending": sees(EVERY_SIDE, CENTRE, ADMIN)}),
    ),
    "portal:third_party_return": (
        post(
            {CENTRE, ADMIN},
            targets={"third_party.pending": sees(EVERY_SIDE, CENTRE, ADMIN)},
            body=lambda cell: {"reason": "矩阵退回：开户银行与账号不符。"},
        ),
    ),
    # A third party's own registration; the matrix's third party is verified, so a correction is refused.
    "portal:registration_details": (
        page(THIRD_PARTY, rows={"third_party": sees({OWN}, THIRD_PARTY)}),
        post(THIRD_PARTY, refused={THIRD_PARTY}, body=lambda cell: {"kind": "agency", "name": "矩阵改名"}),
    ),
    "portal:third_party_reveal": (
        post(
            {CENTRE, ADMIN},
            targets={"third_party": sees(EVERY_SIDE, CENTRE, ADMIN)},
            kwargs=lambda cell: {"pk": cell.obj.pk, "field": "bank_account"},
            status=200,
            reveals=BANK,
        ),
    ),
    "rollups:evaluation": (page(CLAIM_REVIEWERS, rows={"hire": NOBODY}),),
    "rollups:evaluation_xlsx": (
        page(CLAIM_REVIEWERS, kwargs=lambda cell: {"year": cell.world.today.year}, rows={"hire": NOBODY}),
    ),
    "portal:import_job": (page(SIGNED_IN, targets={"import_job": IMPORT_JOBS}),),
    "portal:import_job_confirm": (post(SIGNED_IN, targets={"import_job": IMPORT_JOBS}, refused=SIGNED_IN - {CLERK}),),
    "rollups:rollup_list": (page(STAFF),),
    "rollups:rollup_detail": (page(STAFF, kwargs=_period, rows={"district": DISTRICT_RECORDS}),),
    "rollups:rollup_xlsx": (page(STAFF, kwargs=_period, rows={"district": DISTRICT_RECORDS}),),
    "rollups:rollup_pdf": (page(STAFF, kwargs=_period, rows={"district": DISTRICT_RECORDS}),),
    "bases:list": (page(PUBLIC),),
    "bases:import": (page({ADMIN}),),
    "bases:import_template": (page({ADMIN}),),
    "bases:export": (page({ADMIN}),),
    # ---- Annex 3: hires, publicity, objections, reports ---------------------------------------------------------
    "referrals:publicity_list": (
        page(
            PUBLIC, rows={"notice.closed": NOBODY, "hire.closed": NOBODY, "hire.recorded": NOBODY, "objection": NOBODY}
        ),
    ),
    "referrals:publicity_detail": (
        page(PUBLIC, targets={"notice.open": EVERYONE, "notice.closed": NOBODY}, rows={"objection": NOBODY}),
        post(PUBLIC, targets={"hire.publicity": EVERYONE}, kwargs=_notice_of_hire, body=_objection),
    ),
    "referrals:notice_pdf": (page(PUBLIC, targets={"notice.open": EVERYONE, "notice.closed": CLOSED_NOTICES}),),
    "referrals:hire_list": (
        page(STAFF | {EMPLOYER}, status_for={EMPLOYER: 302}, rows={"hire": HIRES, "claim": NOBODY}),
    ),
    # The talent centre's desk: hires without a district only (the world's hires all have one).
    "referrals:centre_hires": (page(CENTRE, rows={"hire": NOBODY, "claim": NOBODY}),),
    "referrals:hire_create": (
        page(CLERK, rows={"position.published": OWN_DISTRICT, "hire": NOBODY}),
        post(CLERK, targets={"position.published": OWN_DISTRICT}, body=_hire_form, in_body=True),
    ),
    "referrals:hire_import": (page({CLERK, ADMIN}),),
    "referrals:hire_import_template": (page({CLERK, ADMIN, THIRD_PARTY}),),
    "referrals:hire_detail": (page(STAFF | {EMPLOYER}, targets={"hire.recorded": HIRES}),),
    "referrals:hire_edit": (
        page(CLERK, targets={"hire.recorded": OWN_DISTRICT}, reveals=frozenset({"id_number"})),
        post(CLERK, targets={"hire.recorded": OWN_DISTRICT}, body=_hire_form),
    ),
    "referrals:hire_move": (
        post(DISTRICT, targets={"hire.recorded": OWN_DISTRICT}, body=lambda cell: {"action": "audit"}, refused={CLERK}),
    ),
    "referrals:hire_reveal_id": (
        post(DISTRICT, targets={"hire.recorded": OWN_DISTRICT}, status=200, reveals=frozenset({"id_number"})),
    ),
    "referrals:notice_publish": (
        page(OFFICES, rows={"hire.audited": OWN_DISTRICT}),
        post(
            OFFICES,
            targets={"hire.audited": OWN_DISTRICT},
            body=lambda cell: {"ids": [cell.obj.pk], "published_on": _today(cell), "title": ""},
            in_body=True,
        ),
    ),
    "referrals:notice_list": (page(OFFICES, rows={"notice": OWN_DISTRICT}),),
    # The talent centre reads any notice, as city staff read any hire; it acts only on its own.
    "referrals:notice_detail": (page(OFFICES, targets={"notice.open": CENTRE_READS, "notice.closed": CENTRE_READS}),),
    "referrals:objection_queue": (page(OFFICES, rows={"objection": OWN_DISTRICT}),),
    "referrals:objection_resolve": (
        post(
            OFFICES,
            targets={"objection": OWN_DISTRICT},
            body=lambda cell: {"decision": "dismissed", "reason": "经核查，异议不成立。"},
        ),
    ),
    "referrals:report_district": (
        page(DISTRICT, rows={"hire": OWN_DISTRICT}),
        post(DISTRICT, refused={CLERK}),
    ),
    "referrals:report_city": (page(CITY, rows={"hire": NOBODY}),),
    "referrals:employer_hires": (page(EMPLOYER, rows={"hire": EMPLOYER_HIRES}),),
    "referrals:employer_confirm": (
        post(EMPLOYER, targets={"hire.pending": EMPLOYER_HIRES}, body=lambda cell: {"decision": "confirm"}),
    ),
    "referrals:declaration_list": (page(THIRD_PARTY, rows={"declared": DECLARED_BY}),),
    "referrals:declaration_create": (
        page(THIRD_PARTY, rows={"declared": NOBODY}),
        page(THIRD_PARTY, query=_spare_employer, rows={"declared": NOBODY}),
        post(THIRD_PARTY, body=_declaration_form),
    ),
    "referrals:declared_person_withdraw": (post(THIRD_PARTY, targets={"declared.pending": DECLARED_BY}),),
    "referrals:employer_declarations": (page(EMPLOYER, rows={"declared": DECLARED_AT}),),
    "referrals:employer_declaration_decide": (
        post(
            EMPLOYER,
            targets={"declared.pending": DECLARED_AT},
            body=lambda cell: {"decision": "decline", "reason": "矩阵核实：非本方推荐"},
        ),
    ),
    # ---- Annex 2: claims ----------------------------------------------------------------------------------------
    "subsidies:claim_list": (page(THIRD_PARTY, rows={"claim": OWN_CLAIMS, "hire.spare": sees({OWN}, THIRD_PARTY)}),),
    "subsidies:claim_create": (
        page(THIRD_PARTY, query=_spare_employer, rows={"hire.spare": sees({OWN}, THIRD_PARTY)}),
        post(
            THIRD_PARTY,
            targets={"hire.spare": sees({OWN}, THIRD_PARTY)},
            query=_spare_employer,
            body=_claim_form,
            in_body=True,
        ),
    ),
    "subsidies:claim_detail": (
        page(SIGNED_IN, targets={"claim.draft": OWN_CLAIMS, "claim.submitted": SUBMITTED_CLAIMS}),
    ),
    "subsidies:claim_edit": (
        page(THIRD_PARTY, targets={"claim.draft": OWN_CLAIMS}),
        post(THIRD_PARTY, targets={"claim.draft": OWN_CLAIMS}, body=_claim_form),
    ),
    "subsidies:claim_submit": (post(THIRD_PARTY, targets={"claim.draft": OWN_CLAIMS}),),
    "subsidies:claim_withdraw": (
        post(THIRD_PARTY, targets={"claim.draft": OWN_CLAIMS, "claim.submitted": OWN_CLAIMS}),
    ),
    "subsidies:attachment_upload": (post(THIRD_PARTY, targets={"claim.draft": OWN_CLAIMS}, body=_upload),),
    "subsidies:attachment_download": (
        page(
            SIGNED_IN,
            targets={
                "attachment.draft": OWN_CLAIMS,
                "attachment.submitted": SUBMITTED_CLAIMS,
                "attachment.mismatched": NOBODY,
            },
            kwargs=_attachment,
        ),
    ),
    "subsidies:attachment_delete": (
        post(
            THIRD_PARTY, targets={"attachment.draft": OWN_CLAIMS, "attachment.mismatched": NOBODY}, kwargs=_attachment
        ),
    ),
    "subsidies:introduced_hires": (page(THIRD_PARTY, rows={"hire": THIRD_PARTY_HIRES, "claim": OWN_CLAIMS}),),
    "subsidies:review_queue": (page(CLAIM_REVIEWERS, rows={"claim.draft": NOBODY}),),
    "subsidies:review_claim": (
        page(
            CLAIM_REVIEWERS,
            targets={"claim.draft": NOBODY, "claim.submitted": sees(EVERY_SIDE, *CLAIM_REVIEWERS)},
            reveals=BANK,
        ),
    ),
    "subsidies:review_decide": (
        post(
            CLAIM_REVIEWERS,
            targets={"claim.draft": NOBODY, "claim.submitted": sees(EVERY_SIDE, *CLAIM_REVIEWERS)},
            body=lambda cell: {"action": "first_pass", "opinion": "材料齐全，同意。"},
            refused={BUREAU},
        ),
    ),
    "subsidies:person_exceptions": (
        page(BUREAU),
        post(
            BUREAU,
            body=lambda cell: {
                "name": "矩阵例外人",
                "id_number": make_id_number(977, birthday="19950101"),
                "reason": "经局务会研究同意再次补助。",
            },
        ),
    ),
    "subsidies:review_pay": (
        post(
            BUREAU,
            targets={"claim.draft": NOBODY, "claim.approved": sees(EVERY_SIDE, BUREAU)},
            body=lambda cell: {"paid_on": _today(cell), "payment_reference": "矩阵凭证001"},
        ),
    ),
    "subsidies:annex2_pdf": (
        page(
            SIGNED_IN,
            targets={"claim.draft": OWN_CLAIMS, "claim.submitted": SUBMITTED_CLAIMS},
            reveals=BANK | {CLAIM_PAPER},
        ),
    ),
    "subsidies:annex3_pdf": (
        page(
            SIGNED_IN,
            targets={"claim.draft": OWN_CLAIMS, "claim.submitted": SUBMITTED_CLAIMS},
            reveals=frozenset({CLAIM_PAPER}),
        ),
    ),
    "subsidies:verify_form": (
        page(PUBLIC, rows={"hire": NOBODY, "claim": NOBODY}),
        page(
            PUBLIC,
            targets={"claim.submitted": EVERYONE},
            kwargs=_no_kwargs,
            query=lambda cell: {"code": cell.obj.verification_code.lower()},
            rows={"hire": NOBODY},
        ),
    ),
    "subsidies:verify": (
        page(
            PUBLIC,
            targets={"claim.submitted": EVERYONE},
            kwargs=lambda cell: {"code": cell.obj.verification_code},
            rows={"hire": NOBODY},
        ),
    ),
    "subsidies:verify_paper": (
        post(
            PUBLIC,
            targets={"claim.submitted": EVERYONE},
            kwargs=lambda cell: {"code": cell.obj.verification_code},
            body=lambda cell: {"sha256": "0" * 64},
            rows={"hire": NOBODY},
            status=200,
            reads_only=True,
        ),
    ),
    # ---- Annex 1: positions -------------------------------------------------------------------------------------
    "positions:public_list": (page(PUBLIC, rows={"position.draft": NOBODY}),),
    "positions:public_detail": (page(PUBLIC, targets={"position.published": EVERYONE, "position.draft": NOBODY}),),
    "positions:district_batch": (page(DISTRICT, rows={"position": OWN_DISTRICT}),),
    "positions:district_queue": (
        page(DISTRICT, kwargs=lambda cell: {"status": "draft"}, rows={"position.draft": OWN_DISTRICT}),
    ),
    "positions:detail": (page(STAFF, targets={"position.draft": DISTRICT_RECORDS}),),
    "positions:create": (
        page(CLERK, rows={"employer": OWN_DISTRICT}),
        page(
            CLERK,
            targets={"position.draft": OWN_DISTRICT},
            kwargs=lambda cell: {},
            query=lambda cell: {"copy": cell.obj.pk},
        ),
        post(CLERK, targets={"employer": OWN_DISTRICT}, body=_position_form, in_body=True),
    ),
    "positions:edit": (
        page(CLERK, targets={"position.draft": OWN_DISTRICT}),
        post(
            CLERK,
            targets={"position.draft": OWN_DISTRICT},
            body=lambda cell: _position_form(cell) | {"employer": cell.obj.employer_id},
        ),
    ),
    "positions:move": (
        post(
            STAFF,
            targets={"position.draft": DISTRICT_RECORDS},
            body=lambda cell: {"action": "submit"},
            refused=STAFF - {CLERK},
        ),
    ),
    "positions:move_many": (
        post(
            STAFF,
            targets={"position.draft": DISTRICT_RECORDS},
            body=lambda cell: {"ids": [cell.obj.pk], "action": "submit"},
            in_body=True,
            refused=STAFF - {CLERK},
        ),
    ),
    "positions:batch_send": (post(REVIEWER, targets={"batch.open": OWN_DISTRICT}),),
    "positions:batch_reopen": (
        post(BUREAU, targets={"batch.sent": sees(EVERY_SIDE, BUREAU)}, body=lambda cell: {"reason": "补报岗位。"}),
    ),
    "positions:city_batches": (page(CITY, rows={"position.draft": NOBODY}),),
    "positions:manage_list": (page(STAFF, rows={"position": DISTRICT_RECORDS}),),
    "positions:import": (page({CLERK, ADMIN}),),
    "positions:import_template": (page({CLERK, ADMIN}),),
    "positions:export": (page(PUBLIC, rows={"position.draft": DISTRICT_RECORDS}),),
    # Employers' post proposals: the employer proposes and follows its own; the district's clerk adopts or returns.
    "positions:proposal_list": (page(EMPLOYER, rows={"proposal": OWN_PROPOSALS}),),
    "positions:proposal_create": (page(EMPLOYER), post(EMPLOYER, body=_proposal_form)),
    "positions:proposal_import": (page(EMPLOYER),),
    "positions:proposal_template": (page(EMPLOYER),),
    "positions:proposal_edit": (
        page(EMPLOYER, targets={"proposal.returned": OWN_PROPOSALS}),
        post(EMPLOYER, targets={"proposal.returned": OWN_PROPOSALS}, body=_proposal_form),
    ),
    "positions:proposal_withdraw": (post(EMPLOYER, targets={"proposal.proposed": OWN_PROPOSALS}),),
    "positions:proposal_queue": (page(CLERK, rows={"proposal": DISTRICT_PROPOSALS}),),
    "positions:proposal_adopt": (
        page(CLERK, targets={"proposal.proposed": DISTRICT_PROPOSALS}),
        post(CLERK, targets={"proposal.proposed": DISTRICT_PROPOSALS}, body=_proposal_form),
    ),
    "positions:proposal_return": (
        post(
            CLERK,
            targets={"proposal.proposed": DISTRICT_PROPOSALS},
            body=lambda cell: {"reason": "矩阵退回：专业要求过宽。"},
        ),
    ),
    # ---- accounts -----------------------------------------------------------------------------------------------
    "login": (page(PUBLIC, status_for=dict.fromkeys(SIGNED_IN, 302)),),
    "logout": (post(PUBLIC, fresh_client=True),),
    "password_change": (page(SIGNED_IN),),
    # Staff who review or pay give a TOTP code after the password; signed in here means it was given (or is not
    # needed), so both pages send the visitor on.
    "two_factor_verify": (page(SIGNED_IN, status=302),),
    "two_factor_setup": (page(SIGNED_IN, status=302),),
    # ---- the API ------------------------------------------------------------------------------------------------
    "api-root": (api(PUBLIC),),
    "schema": (api(PUBLIC),),
    "api-docs": (api(PUBLIC),),
    "position-list": (
        api(PUBLIC, api_rows={"position.published": EVERYONE, "position.draft": DISTRICT_RECORDS}),
        api(CLERK, method="POST", targets={"employer": OWN_DISTRICT}, body=_position_body, in_body=True, status=201),
    ),
    "position-detail": (
        api(PUBLIC, targets={"position.published": EVERYONE, "position.draft": DISTRICT_RECORDS}),
        api(CLERK, method="PUT", targets={"position.draft": OWN_DISTRICT}, body=_position_body),
    ),
    "position-move": (
        api(CLERK, method="POST", targets={"position.draft": OWN_DISTRICT}, body=lambda cell: {"action": "submit"}),
        api(
            DISTRICT | {BUREAU},
            method="POST",
            targets={"position.published": OWN_DISTRICT | sees(EVERY_SIDE, BUREAU)},
            body=lambda cell: {"action": "close_withdrawn", "reason": "单位撤回。"},
        ),
    ),
    "post-proposal-list": (
        api({EMPLOYER, CLERK}, api_rows={"proposal": PROPOSALS}),
        api(EMPLOYER, method="POST", body=_proposal_body, status=201),
    ),
    "post-proposal-detail": (api({EMPLOYER, CLERK}, targets={"proposal.proposed": PROPOSALS}),),
    "post-proposal-adopt": (
        api(CLERK, method="POST", targets={"proposal.proposed": DISTRICT_PROPOSALS}, body=lambda cell: {}),
    ),
    "post-proposal-return": (
        api(
            CLERK,
            method="POST",
            targets={"proposal.proposed": DISTRICT_PROPOSALS},
            body=lambda cell: {"reason": "矩阵退回：请补充。"},
        ),
    ),
    "post-proposal-withdraw": (api(EMPLOYER, method="POST", targets={"proposal.proposed": OWN_PROPOSALS}),),
    "post-proposal-repropose": (
        api(EMPLOYER, method="POST", targets={"proposal.returned": OWN_PROPOSALS}, body=_proposal_body),
    ),
    "hire-list": (
        api(SIGNED_IN, api_rows={"hire": HIRES}),
        api(
            CLERK,
            method="POST",
            targets={"position.published": OWN_DISTRICT},
            body=_hire_body,
            in_body=True,
            status=201,
        ),
    ),
    "hire-detail": (api(SIGNED_IN, targets={"hire.recorded": HIRES, "hire.publicity": HIRES}),),
    "hire-move": (
        api(REVIEWER, method="POST", targets={"hire.recorded": OWN_DISTRICT}, body=lambda cell: {"action": "audit"}),
    ),
    "hire-reveal-id-number": (
        api(DISTRICT, method="POST", targets={"hire.recorded": OWN_DISTRICT}, reveals=frozenset({"id_number"})),
    ),
    "notice-list": (
        api(PUBLIC, api_rows={"notice.open": EVERYONE, "notice.closed": CLOSED_NOTICES}),
        api(
            OFFICES,
            method="POST",
            targets={"hire.audited": OWN_DISTRICT},
            body=lambda cell: {"hire_ids": [cell.obj.pk], "published_on": _today(cell)},
            in_body=True,
            status=201,
        ),
    ),
    "notice-detail": (api(PUBLIC, targets={"notice.open": EVERYONE, "notice.closed": CLOSED_NOTICES}),),
    "notice-exempt": (
        api(
            frozenset({REVIEWER, CENTRE}),
            method="POST",
            targets={"hire.audited": OWN_DISTRICT},
            body=lambda cell: {"hire_ids": [cell.obj.pk], "exemption_rule": _exemption_rule(), "note": "经批准。"},
            in_body=True,
        ),
    ),
    "objection-list": (
        api(STAFF, api_rows={"objection": DISTRICT_RECORDS}),
        api(
            PUBLIC, method="POST", targets={"hire.publicity": EVERYONE}, kwargs=_no_kwargs, body=_objection, status=201
        ),
    ),
    "objection-detail": (api(STAFF, targets={"objection": DISTRICT_RECORDS}),),
    "objection-resolve": (
        api(
            DISTRICT,
            method="POST",
            targets={"objection": OWN_DISTRICT},
            body=lambda cell: {"upheld": False, "reason": "经核查，异议不成立。"},
        ),
    ),
    "declaration-list": (
        # The list's rows are declarations (each with its people), not the declared people: compared by their own ids.
        api(THIRD_PARTY, api_rows={"declaration": DECLARED_BY}),
        api(THIRD_PARTY, method="POST", body=_declaration_body, status=201),
    ),
    "declaration-detail": (api(THIRD_PARTY, targets={"declaration": DECLARED_BY}),),
    "declaration-withdraw": (
        api(
            THIRD_PARTY,
            method="POST",
            targets={"declaration": DECLARED_BY},
            body=lambda cell: {"person": cell.obj.people.get().pk},
        ),
    ),
    "declaration-confirmation-list": (api(EMPLOYER, api_rows={"declared": DECLARED_AT}),),
    "declaration-confirmation-detail": (api(EMPLOYER, targets={"declared.pending": DECLARED_AT}),),
    "declaration-confirmation-confirm": (api(EMPLOYER, method="POST", targets={"declared.pending": DECLARED_AT}),),
    "declaration-confirmation-decline": (
        api(
            EMPLOYER,
            method="POST",
            targets={"declared.pending": DECLARED_AT},
            body=lambda cell: {"reason": "矩阵核实：非本方推荐"},
        ),
    ),
    "claim-list": (
        api(
            {THIRD_PARTY} | CLAIM_REVIEWERS,
            api_rows={
                "claim.draft": OWN_CLAIMS,
                "claim.submitted": SUBMITTED_CLAIMS,
                "claim.approved": SUBMITTED_CLAIMS,
            },
            reveals=BANK,
        ),
        api(
            THIRD_PARTY,
            method="POST",
            targets={"hire.spare": sees({OWN}, THIRD_PARTY)},
            body=_claim_lines,
            in_body=True,
            status=201,
        ),
    ),
    "claim-claimable-hires": (api(THIRD_PARTY, api_rows={"hire.spare": sees({OWN}, THIRD_PARTY)}),),
    "claim-detail": (
        api(
            {THIRD_PARTY} | CLAIM_REVIEWERS,
            targets={"claim.draft": OWN_CLAIMS, "claim.submitted": SUBMITTED_CLAIMS},
            reveals=BANK,
        ),
        api(THIRD_PARTY, method="PUT", targets={"claim.draft": OWN_CLAIMS}, body=_claim_lines),
    ),
    "claim-submit": (api(THIRD_PARTY, method="POST", targets={"claim.draft": OWN_CLAIMS}, reveals=BANK),),
    "claim-withdraw": (
        api(
            THIRD_PARTY, method="POST", targets={"claim.draft": OWN_CLAIMS, "claim.submitted": OWN_CLAIMS}, reveals=BANK
        ),
    ),
    "claim-attachments": (
        api(THIRD_PARTY, method="POST", targets={"claim.draft": OWN_CLAIMS}, body=_upload, multipart=True, status=201),
    ),
    "claim-review": (
        api(
            CENTRE,
            method="POST",
            targets={"claim.draft": NOBODY, "claim.submitted": sees(EVERY_SIDE, CENTRE)},
            body=lambda cell: {"action": "first_pass", "opinion": "材料齐全，同意。"},
            reveals=BANK,
        ),
    ),
    "claim-pay": (
        api(
            BUREAU,
            method="POST",
            targets={"claim.draft": NOBODY, "claim.approved": sees(EVERY_SIDE, BUREAU)},
            body=lambda cell: {"paid_on": _today(cell), "payment_reference": "矩阵凭证002"},
            reveals=BANK,
        ),
    ),
}

#: Who may read each kind of object at all. A refusal may name an object the role can read anyway (a 403 on a move
#: of a post the public sees names the post); it must never name one the role cannot.
VISIBLE: dict[str, Scope] = {
    "position.published": EVERYONE,
    "position.draft": DISTRICT_RECORDS,
    "hire.publicity": EVERYONE,
    "hire": HIRES,
    "claim.draft": OWN_CLAIMS,
    "claim": SUBMITTED_CLAIMS,
    "attachment.draft": OWN_CLAIMS,
    "attachment": SUBMITTED_CLAIMS,
    "notice.open": EVERYONE,
    "notice.closed": CLOSED_NOTICES,
    "objection": DISTRICT_RECORDS,
    "employer": EVERYONE,
    "district": EVERYONE,
    "notification": OWN_USER,
    "import_job": IMPORT_JOBS,
    "proposal": PROPOSALS,
}


def _visible(target: str, side: str, role: str) -> bool:
    """Whether ``role`` may read the object at all (the most specific entry of ``VISIBLE`` decides)."""
    key = target
    while key:
        if key in VISIBLE:
            return side in VISIBLE[key].get(role, frozenset())
        key = key.rpartition(".")[0]
    return False


# ---- running the matrix ------------------------------------------------------------------------------------------

#: Tables a request may write whoever asks: the session (saved on every request), the sign-in log.
UNWATCHED_TABLES = ("django_session", "axes_")
WRITES = ("INSERT", "UPDATE", "DELETE")


class WriteLog:
    """Records the writes a request makes, other than to the session (a database execute wrapper: it sees every
    statement without the cost of the debug cursor). None recorded means nothing changed.

    Counting statements rather than comparing tables is engine-neutral and stricter: a refused request must not even
    try to write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        statement = sql.lstrip()
        if statement.upper().startswith(WRITES) and not any(table in statement for table in UNWATCHED_TABLES):
            self.writes.append(statement[:120])
        return execute(sql, params, many, context)


def _clients(world: World) -> dict[str, Client]:
    clients = {ANON: Client()}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def _resolve(world: World, target: str, side: str, role: str) -> Any:
    if not target:
        return None
    if target == "notification" and side == OWN:
        # One's own notice: the acting user's (the visitor, who has none, is shown the clerk's).
        return world.get(f"notification.{role if role in world.users else CLERK}", OWN)
    return world.get(target, side)


def _sides(world: World, target: str) -> list[str]:
    if target == "notification":
        return [OWN, OTHER_USER]
    return world.sides(target)


def _side_of(key: tuple[str, str], role: str) -> str:
    """The side of a world object as ``role`` sees it: notifications are one's own or somebody else's."""
    target, side = key
    if target.startswith("notification."):
        return OWN if target == f"notification.{role}" else OTHER_USER
    return side


def _body_text(response: TestResponse) -> str:
    """What a person or program gets to read: the page, the JSON, the workbook's XML, the PDF's (stubbed) HTML."""
    # A file is read to its end, and the test client closes it then; closing it here as well would close the
    # database connection too (request_finished) in the middle of the test's transaction.
    content = b"".join(response.streaming_content) if isinstance(response, StreamingHttpResponse) else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "".join(
                workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist() if name.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


def _send(client: Client, check: Check, url: str, cell: Cell) -> TestResponse:
    body = check.body(cell) if check.body else {}
    if check.method == "GET":
        return client.get(url)
    if check.api and not check.multipart:
        return client.generic(check.method, url, json.dumps(body), content_type="application/json")
    return client.generic(check.method, url, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT)


@dataclass
class Secrets:
    """Whole personal numbers: never in a response unless the cell is an allowed reveal of that very number."""

    id_numbers: dict[str, Any]
    bank_accounts: tuple[str, ...]


def _secrets(world: World) -> Secrets:
    # Read through the models (the numbers may be stored encrypted): what a response could show is the plain text.
    numbers: dict[str, Any] = {hire.id_number: hire.pk for hire in Hire.objects.all()}
    numbers |= {party.id_number: party.pk for party in ThirdParty.objects.all() if party.id_number}
    return Secrets(id_numbers=numbers, bank_accounts=world.bank_accounts())


def _denied(role: str, check: Check, response: TestResponse) -> bool:
    status = response.status_code
    if status in (403, 404):
        return True
    if role != ANON:
        return False
    if check.api:
        return status == 401
    return status == 302 and response["Location"].startswith(LOGIN)


def _bank_accounts_shown(check: Check, cell: Cell, outcome: str, secrets: Secrets) -> tuple[str, ...]:
    """The bank accounts an allowed reveal may show: a claimant its own, the city's reviewers and admins any."""
    if outcome != OK or "bank_account" not in check.reveals:
        return ()
    if cell.role == THIRD_PARTY:
        return (cell.world.third_parties["TP1"].bank_account,)
    return secrets.bank_accounts


def _ids_shown(check: Check, cell: Cell, outcome: str) -> set[str]:
    """The whole ID numbers an allowed cell may show: the revealed record's own, or a claim paper's people's."""
    if outcome != OK or cell.obj is None:
        return set()
    shown = {getattr(cell.obj, "id_number", None) or ""} if "id_number" in check.reveals else set()
    if CLAIM_PAPER in check.reveals:
        shown |= {item.hire.id_number for item in cell.obj.items.select_related("hire")}
        shown.add(cell.obj.third_party.id_number or "")
    return shown - {""}


def _leaks(check: Check, cell: Cell, outcome: str, text: str, secrets: Secrets) -> list[str]:
    problems = []
    revealed = _ids_shown(check, cell, outcome)
    for number in secrets.id_numbers:
        if number in text and number not in revealed:
            problems.append(f"whole ID number {number[:6]}…{number[-4:]} in the response")
    shown = _bank_accounts_shown(check, cell, outcome, secrets)
    problems += [
        f"bank account …{account[-4:]} in the response"
        for account in secrets.bank_accounts
        if account in text and account not in shown
    ]
    if outcome != OK and cell.obj is not None and not _visible(cell.target, cell.side, cell.role):
        problems += [
            f"shows {marker!r} of the refused row"
            for marker in cell.world.markers.get((cell.target, cell.side), ())
            if marker in text
        ]
    if outcome == OK:
        for prefix, scope in check.rows.items():
            for key in cell.world.family(prefix):
                if _side_of(key, cell.role) in scope.get(cell.role, frozenset()):
                    continue
                problems += [
                    f"shows {marker!r} of {key[0]}/{key[1]}" for marker in cell.world.markers[key] if marker in text
                ]
    return problems


def _api_rows(check: Check, cell: Cell, text: str) -> list[str]:
    """A JSON list holds every row in scope and none outside it."""
    if not check.api_rows:
        return []
    data = json.loads(text)
    rows = data["results"] if isinstance(data, dict) else data
    ids = {row["id"] for row in rows}
    problems = []
    for prefix, scope in check.api_rows.items():
        for key in cell.world.family(prefix):
            visible = key[1] in scope.get(cell.role, frozenset())
            pk = cell.world.objects[key].pk
            if visible and pk not in ids:
                problems.append(f"row {key[0]}/{key[1]} missing")
            elif not visible and pk in ids:
                problems.append(f"row {key[0]}/{key[1]} leaked (id {pk})")
    return problems


def _judge(
    check: Check, cell: Cell, outcome: str, response: TestResponse, writes: list[str], secrets: Secrets
) -> list[str]:
    status = response.status_code
    problems = []
    text = _body_text(response)
    if outcome == OK:
        want = check.expected_status(cell.role)
        if status != want:
            problems.append(f"allowed: expected {want}, got {status}{_detail(response, text)}")
        elif check.method != "GET" and not writes and not check.fresh_client and not check.reads_only:
            problems.append("allowed write changed nothing")
        elif check.api_rows and status == 200:
            problems += _api_rows(check, cell, text)
    elif outcome == DENY:
        if not _denied(cell.role, check, response):
            problems.append(f"forbidden: expected 403/404, got {status}{_detail(response, text)}")
    elif status not in (200, 302, 400, 403, 404):
        problems.append(f"refused: expected the page's refusal, got {status}{_detail(response, text)}")
    if outcome != OK and writes:
        problems.append(f"refused, yet it wrote: {writes[0]}")
    return problems + _leaks(check, cell, outcome, text, secrets)


def _detail(response: TestResponse, text: str) -> str:
    """Where a redirect went, or what a JSON or text refusal said (an HTML page's start says nothing)."""
    location = response.get("Location", "")
    if location:
        return f" → {location}"
    if response.status_code >= 400 and not response.get("Content-Type", "").startswith("text/html"):
        return f": {' '.join(text.split())[:160]}"
    return ""


def _cells(world: World) -> Iterable[tuple[str, Check, str, str, str]]:
    """Every (URL name, check, role, target, side). A role that may not use a URL at all is tried on the nearest
    object of each target (its own, where there is one): the farther sides add time, not doubt."""
    for name, checks in MATRIX.items():
        for check in checks:
            for target in list(check.targets) or [""]:
                sides = _sides(world, target) if target else [""]
                for role in ROLES:
                    shut_out = target and role not in check.roles and OWN in sides
                    for side in [OWN] if shut_out else sides:
                        yield name, check, role, target, side


def _run_cell(name: str, check: Check, cell: Cell, client: Client, secrets: Secrets) -> list[str]:
    if check.fresh_client:
        client = Client()
        if cell.role in cell.world.users:
            client.force_login(cell.world.users[cell.role])
    url = reverse(name, kwargs=(check.kwargs or (_no_kwargs if check.in_body else _pk))(cell))
    if check.query:
        url += "?" + urlencode(check.query(cell))
    outcome = check.outcome(cell.role, cell.target, cell.side)
    with transaction.atomic():
        cache.clear()
        log = WriteLog()
        try:
            with connection.execute_wrapper(log):
                response = _send(client, check, url, cell)
        except Exception as error:  # a crash is a bad cell like any other, reported with the rest
            transaction.set_rollback(True)
            return [f"{check.method} {url}: raised {type(error).__name__}: {error}"]
        problems = _judge(check, cell, outcome, response, log.writes, secrets)
        transaction.set_rollback(True)
    return [f"{check.method} {url} ({outcome}): {problem}" for problem in problems]


def _plain_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF layout engine is not what is under test: the HTML it would lay out is what the cell serves, and what
    is checked for rows it must not show (the real PDFs are tested in tests/*/test_documents.py)."""
    monkeypatch.setattr("portal.pdf.html_to_pdf", lambda html: html.encode())


def test_access_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    _plain_rendering(monkeypatch)
    world = build_world()
    clients = _clients(world)
    secrets = _secrets(world)
    failures: list[str] = []
    count = 0
    # Thousands of refusals are expected here: their log lines (with tracebacks) would cost more than the requests.
    logging.disable(logging.WARNING)
    try:
        for name, check, role, target, side in _cells(world):
            count += 1
            cell = Cell(world, role, target, side, _resolve(world, target, side, role))
            for problem in _run_cell(name, check, cell, clients[role], secrets):
                failures.append(f"[{role} × {name} × {target or '-'}/{side or '-'}] {problem}")
    finally:
        logging.disable(logging.NOTSET)
    assert not failures, f"{len(failures)} of {count} cells are wrong:\n" + "\n".join(failures)


# ---- every URL is in the matrix ----------------------------------------------------------------------------------


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else pattern.namespace or namespace
            )
            names |= _url_names(pattern, inner or "")
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_is_in_the_matrix() -> None:
    """A URL added without a row in the matrix fails here: every page is in the matrix, or the matrix is wrong."""
    names = {name for name in _url_names() if not name.startswith("admin:")}
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, f"URLs with no row in the access matrix (tests/security/test_access_matrix.py): {missing}"
    assert not stale, f"rows of the access matrix for URLs that no longer exist: {stale}"


# ---- the admin: admins only --------------------------------------------------------------------------------------


def _admin_cases(world: World) -> dict[str, list[tuple[dict[str, Any], str, int]]]:
    """Every admin URL name → [(kwargs, query, the admin's status)], for every registered model's pages on one of
    its rows. The admin's status is what its ModelAdmin grants (a read-only model's add page is a 403 even for an
    admin); everyone else is sent to the admin's login page."""
    request = RequestFactory().get("/admin/")
    request.user = world.users[ADMIN]
    user = world.users[ADMIN]
    user_type = ContentType.objects.get_for_model(user)
    cases: dict[str, list[tuple[dict[str, Any], str, int]]] = {
        "admin:index": [({}, "", 200)],
        "admin:login": [({}, "", 302)],
        "admin:password_change": [({}, "", 200)],
        "admin:password_change_done": [({}, "", 200)],
        "admin:jsi18n": [({}, "", 200)],
        "admin:autocomplete": [({}, "app_label=portal&model_name=user&field_name=district&term=", 200)],
        # The portal's models have no page of their own outside the admin: "view on site" has nowhere to go.
        "admin:view_on_site": [({"content_type_id": user_type.pk, "object_id": user.pk}, "", 404)],
        "admin:auth_user_password_change": [({"id": user.pk}, "", 200)],
        "admin:positions_position_export": [({}, "", 200)],
        "admin:app_list": [],
    }
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        cases["admin:app_list"].append(({"app_label": model._meta.app_label}, "", 200))
        cases[f"{info}_changelist"] = [({}, "", 200 if model_admin.has_view_or_change_permission(request) else 403)]
        cases[f"{info}_add"] = [({}, "", 200 if model_admin.has_add_permission(request) else 403)]
        row = model._default_manager.order_by("pk").first()
        if row is None:
            continue
        object_id = {"object_id": row.pk}
        viewable = model_admin.has_view_or_change_permission(request, row)
        cases[f"{info}_change"] = [(object_id, "", 200 if viewable else 403)]
        cases[f"{info}_history"] = [(object_id, "", 200 if viewable else 403)]
        cases[f"{info}_delete"] = [(object_id, "", 200 if model_admin.has_delete_permission(request, row) else 403)]
    return cases


def test_the_admin_is_for_admins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    _plain_rendering(monkeypatch)
    world = build_world()
    clients = _clients(world)
    names = {name for name in _url_names() if name.startswith("admin:")}
    cases = _admin_cases(world)
    # Object pages of a model with no row yet cannot be asked about; every other admin URL must have its case.
    without_rows = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
        for model in admin.site._registry
        if not model._default_manager.exists()
        for page in ("change", "history", "delete")
    }
    assert not names - set(cases) - without_rows - {"admin:logout"}, "admin URLs without a case"
    failures: list[str] = []
    logging.disable(logging.WARNING)
    try:
        for name in sorted(set(cases) & names):
            for kwargs, query, admin_status in cases[name]:
                url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
                for role in _admin_roles(name):
                    failures += [
                        f"[{role} × {name}] GET {url}: {problem}"
                        for problem in _admin_cell(clients[role], role, name, url, admin_status)
                    ]
        # Signing out of the admin: anyone may, and only an admin has anything to sign out of there.
        for role in ROLES:
            client = Client()
            if role in world.users:
                client.force_login(world.users[role])
            response = client.post(reverse("admin:logout"))
            signed_out = role != ADMIN or "_auth_user_id" not in client.session
            if response.status_code not in (200, 302) or not signed_out:
                failures.append(f"[{role} × admin:logout] POST: got {response.status_code}, signed out: {signed_out}")
    finally:
        logging.disable(logging.NOTSET)
    assert not failures, f"{len(failures)} bad admin cells:\n" + "\n".join(failures)


#: The admin's pages that every role is tried on: its front page, a list of people's records and one person's record.
#: One gate (an active staff account) guards every admin page, so the other pages are tried by the visitor and by
#: the talent centre, the role nearest to an admin (city staff, signed in with a second factor).
EVERY_ROLE_ADMIN_PAGES = frozenset(
    {"admin:index", "admin:login", "admin:referrals_hire_changelist", "admin:portal_thirdparty_change"}
)


def _admin_roles(name: str) -> tuple[str, ...]:
    return ROLES if name in EVERY_ROLE_ADMIN_PAGES else (ANON, CENTRE, ADMIN)


def _admin_cell(client: Client, role: str, name: str, url: str, admin_status: int) -> list[str]:
    with transaction.atomic():
        log = WriteLog()
        with connection.execute_wrapper(log):
            response = client.get(url)
        transaction.set_rollback(True)
    status, location = response.status_code, response.get("Location", "")
    if role == ADMIN:
        # An admin's look at a person's record is itself recorded, and a one-row settings model creates its row on
        # first view and goes to it: the admin writes and is redirected within the same model's pages.
        redirected_within = name.endswith("_changelist") and status == 302 and location.startswith(url)
        if status != admin_status and not redirected_within:
            return [f"the admin: expected {admin_status}, got {status} {location}"]
        return []
    problems = [f"wrote: {log.writes[0]}"] if log.writes else []
    if name == "admin:login":
        if status != 200:
            problems.append(f"the admin's login page: expected 200, got {status}")
    elif not (status == 302 and location.startswith(reverse("admin:login"))):
        problems.append(f"expected the admin's login page, got {status} {location}")
    return problems
