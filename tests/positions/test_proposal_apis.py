"""/api/v1/post-proposals/: employers list, propose, correct and withdraw their own; district clerks list their
district's, adopt (with edits) and return. Same rules and scoping as the pages; idempotent writes; in the schema."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from portal.models import District, Employer, IdempotencyKey, User
from positions.constants import PositionStatus, ProposalStatus
from positions.models import Position, PostProposal
from tests.factories import DistrictFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/post-proposals/"


@pytest.fixture
def district() -> District:
    return DistrictFactory(name="接口需求区")


@pytest.fixture
def employer(district: District) -> Employer:
    return EmployerFactory(district=district)


@pytest.fixture
def account(employer: Employer) -> User:
    return UserFactory(employer_user=True, employer=employer)


@pytest.fixture
def clerk(district: District) -> User:
    return UserFactory(clerk=True, district=district)


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def payload(**overrides: Any) -> dict[str, Any]:
    return {
        "channel": "bounty_list",
        "name": "新能源汽车电控工程师",
        "headcount": 2,
        "education": "master",
        "majors": "电气工程、车辆工程",
        "competencies": "熟悉电机控制。",
        "recruits_graduates": True,
        "salary_text": "18-28万元/年",
    } | overrides


def test_the_employer_proposes_lists_and_withdraws_its_own(account: User, employer: Employer) -> None:
    client = _client(account)
    refused = client.post(URL, payload(headcount=0), format="json")
    assert refused.status_code == 400 and "需求人数" in str(refused.json())
    created = client.post(URL, payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == ProposalStatus.PROPOSED and body["employer"] == employer.pk
    assert body["district_name"] == "接口需求区" and body["position"] is None and body["position_status"] is None
    twice = client.post(URL, payload(), format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "duplicate_proposal"
    assert [row["id"] for row in client.get(URL).json()["results"]] == [body["id"]]
    withdrawn = client.post(f"{URL}{body['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == ProposalStatus.WITHDRAWN


def test_an_employer_without_a_district_gets_the_message() -> None:
    homeless = UserFactory(employer_user=True, employer=EmployerFactory(district=None))
    response = _client(homeless).post(URL, payload(), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "您的单位尚未登记所在区县，请联系系统管理员。",
        "code": "employer_without_district",
    }


def test_the_clerk_adopts_with_overrides_once(account: User, clerk: User, employer: Employer) -> None:
    proposal_id = _client(account).post(URL, payload(), format="json").json()["id"]
    client = _client(clerk)
    assert [row["id"] for row in client.get(URL).json()["results"]] == [proposal_id]
    headers = {"Idempotency-Key": "adopt-0001"}
    adopted = client.post(f"{URL}{proposal_id}/adopt/", {"headcount": 5}, format="json", headers=headers)
    assert adopted.status_code == 200, adopted.json()
    body = adopted.json()
    assert body["status"] == ProposalStatus.ADOPTED and body["position_status"] == PositionStatus.DRAFT
    position = Position.objects.get()
    assert body["position"] == position.pk and position.headcount == 5
    assert body["changes_on_adoption"] == [{"field": "需求人数", "proposed": "2", "adopted": "5"}]
    assert position.salary_text == "18-28万元/年" and position.employer == employer  # left out: as proposed
    # The same request again (a retry) gets the stored reply; a new one is refused: one post per proposal.
    replay = client.post(f"{URL}{proposal_id}/adopt/", {"headcount": 5}, format="json", headers=headers)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    again = client.post(f"{URL}{proposal_id}/adopt/", {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"
    assert Position.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_return_and_propose_again(account: User, clerk: User) -> None:
    proposal_id = _client(account).post(URL, payload(), format="json").json()["id"]
    blank = _client(clerk).post(f"{URL}{proposal_id}/return/", {"reason": ""}, format="json")
    assert blank.status_code == 400
    returned = _client(clerk).post(f"{URL}{proposal_id}/return/", {"reason": "请补充薪资。"}, format="json")
    assert returned.status_code == 200 and returned.json()["return_reason"] == "请补充薪资。"
    again = _client(account).post(f"{URL}{proposal_id}/repropose/", payload(salary_text="25万元/年"), format="json")
    assert again.status_code == 200 and again.json()["status"] == ProposalStatus.PROPOSED
    assert PostProposal.objects.get().salary_text == "25万元/年"


def test_others_are_refused_or_find_nothing(account: User, clerk: User, employer: Employer) -> None:
    proposal_id = _client(account).post(URL, payload(), format="json").json()["id"]
    other_clerk = UserFactory(clerk=True, district=DistrictFactory())
    neighbour = UserFactory(employer_user=True, employer=EmployerFactory(district=employer.district))
    for outsider in (other_clerk, neighbour):
        assert _client(outsider).get(URL).json()["count"] == 0
        assert _client(outsider).get(f"{URL}{proposal_id}/").status_code == 404
    assert _client(other_clerk).post(f"{URL}{proposal_id}/adopt/", {}, format="json").status_code == 404
    assert _client(neighbour).post(f"{URL}{proposal_id}/withdraw/").status_code == 404
    for role in (
        {"district_reviewer": True, "district": employer.district},
        {"centre": True},
        {"third_party_user": True},
    ):
        assert _client(UserFactory(**role)).get(URL).status_code == 403
    assert _client().get(URL).status_code in (401, 403)
    # The employer cannot adopt, the clerk cannot propose.
    assert _client(account).post(f"{URL}{proposal_id}/adopt/", {}, format="json").status_code == 403
    assert _client(clerk).post(URL, payload(name="另一个"), format="json").status_code == 403
    assert PostProposal.objects.get().status == ProposalStatus.PROPOSED and not Position.objects.exists()


def test_the_schema_documents_the_endpoints() -> None:
    schema = _client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in ("", "{id}/", "{id}/adopt/", "{id}/return/", "{id}/withdraw/", "{id}/repropose/"):
        assert f"/api/v1/post-proposals/{path}" in schema
    assert "采纳岗位需求" in schema and "Idempotency-Key" in schema
