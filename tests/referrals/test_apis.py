"""/api/v1/hires/, /api/v1/publicity/, /api/v1/objections/: the same rules, scoping and masking as the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.models import User
from positions.models import Position

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as APIResponse

import datetime
import itertools
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from portal.identity import mask_id_number
from portal.models import PersonalDataAccess
from referrals.constants import HireStatus, ObjectionStatus
from referrals.models import Hire, Objection, PublicityExemptionRule, PublicityNotice
from tests.factories import (
    DistrictFactory,
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db
HIRES = "/api/v1/hires/"
PUBLICITY = "/api/v1/publicity/"
OBJECTIONS = "/api/v1/objections/"
_references = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    # Throttle histories live in the (process-wide) cache: each test starts with none.
    cache.clear()


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _notice(hires: list[Hire], *, open_: bool = True) -> PublicityNotice:
    """A notice straight into the table, under publicity now (or closed yesterday), whatever today's date is."""
    district = hires[0].district
    assert district is not None
    now = timezone.now()
    reference = f"GS-T-{next(_references):04d}"
    notice = PublicityNotice.objects.create(
        district=district,
        reference=reference,
        title=f"{district.name}卓越工程师引进人才公示（{reference}）",
        published_on=timezone.localdate() - datetime.timedelta(days=1 if open_ else 10),
        closes_at=now + datetime.timedelta(days=3) if open_ else now - datetime.timedelta(days=1),
        published_by=UserFactory(clerk=True, district=district),
    )
    Hire.objects.filter(pk__in=[hire.pk for hire in hires]).update(status=HireStatus.IN_PUBLICITY, notice=notice)
    return notice


def _objection(hire: Hire, phone: str = "13800000000") -> Objection:
    return Objection.objects.create(
        hire=hire, receipt=f"YY-T-{next(_references)}", name="王五", phone=phone, statement="该人员学历信息与实际不符。"
    )


def _ids(response: APIResponse) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- hires: scope ------------------------------------------------------------------------------------------------


def test_anonymous_cannot_read_hires() -> None:
    hire = HireFactory()
    assert _client().get(HIRES).status_code in (401, 403)
    assert _client().get(f"{HIRES}{hire.pk}/").status_code in (401, 403)


def test_district_staff_see_their_district_and_city_staff_all() -> None:
    own, other = HireFactory(), HireFactory()
    clerk = UserFactory(clerk=True, district=own.district)
    assert _ids(_client(clerk).get(HIRES)) == {own.pk}
    assert _client(clerk).get(f"{HIRES}{other.pk}/").status_code == 404
    assert _client(clerk).get(f"{HIRES}{own.pk}/").status_code == 200
    assert _ids(_client(UserFactory(centre=True)).get(HIRES)) == {own.pk, other.pk}
    assert _ids(_client(UserFactory(bureau=True)).get(HIRES)) == {own.pk, other.pk}


def test_an_employer_sees_its_company_and_a_third_party_its_introductions() -> None:
    at_company = HireFactory(introduced=True)
    HireFactory(position__district=at_company.district)  # same district, another company
    employer = UserFactory(employer_user=True, employer=at_company.employer)
    assert _ids(_client(employer).get(HIRES)) == {at_company.pk}
    third_party = UserFactory(third_party_user=True, third_party=at_company.third_party)
    assert _ids(_client(third_party).get(HIRES)) == {at_company.pk}
    assert _ids(_client(UserFactory(third_party_user=True)).get(HIRES)) == set()


def test_the_fields_of_a_hire_with_the_id_number_masked() -> None:
    hire = HireFactory(introduced=True)
    body = _client(UserFactory(centre=True)).get(f"{HIRES}{hire.pk}/").json()
    assert body["id_number_masked"] == mask_id_number(hire.id_number)
    assert body["id_number_masked"][:6] + "********" + body["id_number_masked"][-4:] == body["id_number_masked"]
    assert "id_number" not in body
    assert body["position"]["id"] == hire.position_id and body["position"]["channel"] == "bounty_list"
    assert body["employer"] == {"id": hire.employer_id, "name": hire.employer.name}
    assert hire.district is not None
    assert body["district"] == {"code": hire.district.code, "name": hire.district.name}
    assert hire.third_party is not None
    assert body["third_party"] == {"id": hire.third_party_id, "name": hire.third_party.name}
    assert body["status_display"] == "待初审"
    assert body["employer_confirmation_display"] == "待单位确认"
    assert body["notice"] is None
    assert body["post_hires"] == 1 and body["over_headcount"] is False


def test_the_whole_id_number_is_in_no_list_or_detail() -> None:
    hires = [HireFactory() for _ in range(3)]
    _notice(hires[:1])
    centre = _client(UserFactory(centre=True))
    bodies = [
        centre.get(HIRES).content.decode(),
        centre.get(f"{HIRES}{hires[0].pk}/").content.decode(),
        centre.get(PUBLICITY).content.decode(),
        _client().get(PUBLICITY).content.decode(),
    ]
    for hire in hires:
        for body in bodies:
            assert hire.id_number not in body


def test_filters_narrow_the_list() -> None:
    district = DistrictFactory()
    full_post = PositionFactory(batch__district=district, published=True, headcount=1)
    crowded = [HireFactory(position=full_post) for _ in range(2)]
    introduced = HireFactory(
        position__batch__district=district, introduced=True, programme="haiju", arrived_on=datetime.date(2026, 3, 5)
    )
    audited = HireFactory(position__batch__district=district, audited=True, mode="flexible")
    HireFactory(position__batch__district=district, status="failed")
    notice = _notice([audited])
    client = _client(UserFactory(district_reviewer=True, district=district))

    assert _ids(client.get(HIRES, {"over_headcount": "true"})) == {hire.pk for hire in crowded}
    assert introduced.pk in _ids(client.get(HIRES, {"over_headcount": "false"}))
    assert _ids(client.get(HIRES, {"has_third_party": "true"})) == {introduced.pk}
    assert introduced.pk not in _ids(client.get(HIRES, {"has_third_party": "false"}))
    assert _ids(client.get(HIRES, {"programme": "haiju"})) == {introduced.pk}
    assert _ids(client.get(HIRES, {"mode": "flexible"})) == {audited.pk}
    assert _ids(client.get(HIRES, {"status": "in_publicity"})) == {audited.pk}
    assert _ids(client.get(HIRES, {"notice": notice.pk})) == {audited.pk}
    assert _ids(client.get(HIRES, {"arrived_on_after": "2026-03-01", "arrived_on_before": "2026-03-31"})) == {
        introduced.pk
    }
    assert client.get(HIRES, {"district": district.code}).json()["count"] == 5
    centre = _client(UserFactory(centre=True))
    HireFactory()  # elsewhere
    assert centre.get(HIRES, {"district": district.code}).json()["count"] == 5


# --- hires: record, move, reveal -----------------------------------------------------------------------------------


def _payload(position: Position, number: str, **extra: Any) -> dict[str, Any]:
    return {
        "position": position.pk,
        "name": "张三",
        "id_number": number,
        "mode": "full_time",
        "contract_term": "3年",
        "school": "重庆大学",
        "education": "master",
        "arrived_on": "2026-02-02",
        "graduated_on": "2025-06-30",
        **extra,
    }


def test_a_clerk_records_and_a_reviewer_audits_through_the_api() -> None:
    district = DistrictFactory()
    position = PositionFactory(batch__district=district, published=True, recruits_graduates=True)
    clerk = UserFactory(clerk=True, district=district)
    reviewer = UserFactory(district_reviewer=True, district=district)
    number = make_id_number(901, birthday="19980808")

    created = _client(clerk).post(HIRES, _payload(position, number, status="confirmed"), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == HireStatus.RECORDED  # status is never client input
    assert body["programme"] == "qihang" and body["year"] == 2026
    assert body["id_number_masked"] == mask_id_number(number)
    assert number not in created.content.decode()

    refused = _client(clerk).post(f"{HIRES}{body['id']}/move/", {"action": "audit"}, format="json")
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]
    no_reason = _client(reviewer).post(f"{HIRES}{body['id']}/move/", {"action": "return"}, format="json")
    assert no_reason.status_code == 400 and "须填写原因" in no_reason.json()["detail"]
    audited = _client(reviewer).post(f"{HIRES}{body['id']}/move/", {"action": "audit"}, format="json")
    assert audited.status_code == 200 and audited.json()["status"] == HireStatus.AUDITED
    assert audited.json()["status_display"] == "初审通过"


def test_a_wrong_or_repeated_id_number_is_refused_in_chinese_without_echoing_it() -> None:
    district = DistrictFactory()
    position = PositionFactory(batch__district=district, published=True)
    clerk = _client(UserFactory(clerk=True, district=district))

    wrong = "500103199901010050"
    response = clerk.post(HIRES, _payload(position, wrong), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "id_number" and "校验位" in response.json()["detail"]
    assert wrong not in response.content.decode()

    number = make_id_number(902, birthday="19970707")
    assert clerk.post(HIRES, _payload(position, number), format="json").status_code == 201
    again = clerk.post(HIRES, _payload(position, number, name="张三丰"), format="json")
    assert again.status_code == 400
    assert again.json()["field"] == "id_number" and "不能重复登记" in again.json()["detail"]
    assert district.name in again.json()["detail"]
    assert number not in again.content.decode()
    assert Hire.objects.count() == 1


def test_only_a_clerk_records_and_only_on_a_post_it_can_see() -> None:
    district = DistrictFactory()
    position = PositionFactory(batch__district=district, published=True)
    number = make_id_number(903, birthday="19960606")
    reviewer = UserFactory(district_reviewer=True, district=district)
    assert _client(reviewer).post(HIRES, _payload(position, number), format="json").status_code == 403
    assert _client(UserFactory(centre=True)).post(HIRES, _payload(position, number), format="json").status_code == 403
    assert _client().post(HIRES, _payload(position, number), format="json").status_code in (401, 403)
    stranger = _client(UserFactory(clerk=True))  # another district
    response = stranger.post(HIRES, _payload(position, number), format="json")
    assert response.status_code == 400 and "position" in response.json()
    assert Hire.objects.count() == 0


def test_revealing_the_id_number_is_recorded_and_confined_to_the_district() -> None:
    hire = HireFactory()
    url = f"{HIRES}{hire.pk}/reveal_id_number/"
    clerk = UserFactory(clerk=True, district=hire.district)

    response = _client(clerk).post(url)
    assert response.status_code == 200
    assert response.json() == {"id_number": hire.id_number}
    assert response["Cache-Control"] == "no-store"
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.object_id, access.field) == (clerk, hire.pk, "id_number")
    assert access.purpose == "API 查看" and access.remote_addr == "127.0.0.1"
    _client(clerk).post(url)
    assert PersonalDataAccess.objects.count() == 2  # every reveal, not the first only

    assert _client(UserFactory(clerk=True)).post(url).status_code == 404  # another district
    for outsider in (UserFactory(centre=True), UserFactory(employer_user=True, employer=hire.employer)):
        refused = _client(outsider).post(url)
        assert refused.status_code == 403
        assert hire.id_number not in refused.content.decode()
    assert _client().post(url).status_code in (401, 403)
    assert PersonalDataAccess.objects.count() == 2


# --- publicity -----------------------------------------------------------------------------------------------------


def test_the_public_sees_notices_under_publicity_with_public_fields_only() -> None:
    open_hire, closed_hire = HireFactory(), HireFactory()
    open_notice = _notice([open_hire])
    closed_notice = _notice([closed_hire], open_=False)

    response = _client().get(PUBLICITY)
    assert _ids(response) == {open_notice.pk}
    row = response.json()["results"][0]
    assert open_hire.district is not None
    assert row["reference"] == open_notice.reference and row["district_name"] == open_hire.district.name
    assert {"title", "published_on", "last_day", "closes_at"} <= set(row)
    assert row["hires"] == [
        {
            "id": open_hire.pk,
            "name": open_hire.name,
            "employer_name": open_hire.employer.name,
            "position_name": open_hire.post_name,
            "education": "硕士",
            "school": "重庆大学",
            "major": "机械工程",
        }
    ]
    assert open_hire.id_number not in response.content.decode()
    assert _client().get(f"{PUBLICITY}{closed_notice.pk}/").status_code == 404
    assert _client().get(f"{PUBLICITY}{open_notice.pk}/").status_code == 200


def test_staff_also_see_their_scopes_closed_notices_once() -> None:
    open_hire, closed_hire = HireFactory(), HireFactory()
    open_notice = _notice([open_hire])
    closed_notice = _notice([closed_hire], open_=False)
    own_clerk = UserFactory(clerk=True, district=open_hire.district)
    other_clerk = UserFactory(clerk=True, district=closed_hire.district)
    response = _client(own_clerk).get(PUBLICITY)
    assert [row["id"] for row in response.json()["results"]] == [open_notice.pk]  # own and public: listed once
    assert _ids(_client(other_clerk).get(PUBLICITY)) == {open_notice.pk, closed_notice.pk}
    assert _ids(_client(UserFactory(centre=True)).get(PUBLICITY)) == {open_notice.pk, closed_notice.pk}
    assert _ids(_client(UserFactory(employer_user=True)).get(PUBLICITY)) == {open_notice.pk}


def test_staff_publish_audited_hires_on_the_official_calendar() -> None:
    district = DistrictFactory()
    hires = [HireFactory(position__batch__district=district, audited=True) for _ in range(2)]
    clerk = _client(UserFactory(clerk=True, district=district))
    payload = {"hire_ids": [hire.pk for hire in hires], "published_on": "2026-02-12", "title": ""}

    with mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)):
        response = clerk.post(PUBLICITY, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == f"GS-{district.code}-2026-001"
    assert body["title"] == f"{district.name}卓越工程师引进人才公示（2026年第1批）"
    assert {row["id"] for row in body["hires"]} == {hire.pk for hire in hires}
    for hire in hires:
        hire.refresh_from_db()
        assert hire.status == HireStatus.IN_PUBLICITY and hire.id_number not in response.content.decode()

    with mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)):
        again = clerk.post(PUBLICITY, payload, format="json")
    assert again.status_code == 400 and "尚未初审通过或已处理" in again.json()["detail"]


def test_publishing_in_a_year_without_a_calendar_is_refused_loudly() -> None:
    district = DistrictFactory()
    hire = HireFactory(position__batch__district=district, audited=True)
    response = _client(UserFactory(clerk=True, district=district)).post(
        PUBLICITY, {"hire_ids": [hire.pk], "published_on": "2031-03-03"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "calendar_unknown" and "2031年的节假日安排尚未录入" in response.json()["detail"]
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED and not PublicityNotice.objects.exists()


def test_only_the_districts_staff_publish_its_hires() -> None:
    hire = HireFactory(audited=True)
    payload = {"hire_ids": [hire.pk], "published_on": "2026-02-12"}
    assert _client().post(PUBLICITY, payload, format="json").status_code in (401, 403)
    assert _client(UserFactory(employer_user=True)).post(PUBLICITY, payload, format="json").status_code == 403
    # Another district's clerk, and the talent centre (which publishes only hires without a district): not theirs.
    for user in (UserFactory(clerk=True), UserFactory(centre=True)):
        stranger = _client(user).post(PUBLICITY, payload, format="json")
        assert stranger.status_code == 400 and stranger.json()["field"] == "hire_ids"
    assert not PublicityNotice.objects.exists()


def test_exemption_needs_a_rule_and_the_reviewer() -> None:
    district = DistrictFactory()
    hire = HireFactory(position__batch__district=district, audited=True)
    rule = PublicityExemptionRule.objects.create(name="涉密岗位（测试）")
    reviewer = _client(UserFactory(district_reviewer=True, district=district))
    url = f"{PUBLICITY}exempt/"
    no_rule = reviewer.post(url, {"hire_ids": [hire.pk], "note": "x"}, format="json")
    assert no_rule.status_code == 400 and "规则" in no_rule.json()["detail"]
    clerk = _client(UserFactory(clerk=True, district=district))
    assert clerk.post(url, {"hire_ids": [hire.pk], "exemption_rule": rule.pk}, format="json").status_code == 403
    response = reviewer.post(url, {"hire_ids": [hire.pk], "exemption_rule": rule.pk, "note": "批准"}, format="json")
    assert response.status_code == 200, response.json()
    assert [(row["id"], row["status"]) for row in response.json()] == [(hire.pk, HireStatus.CONFIRMED)]
    assert (response.json()[0]["exemption_rule"], response.json()[0]["exemption_note"]) == ("涉密岗位（测试）", "批准")
    centre = _client(UserFactory(centre=True)).post(
        url, {"hire_ids": [hire.pk], "exemption_rule": rule.pk}, format="json"
    )
    assert centre.status_code == 400 and centre.json()["field"] == "hire_ids"


# --- objections ----------------------------------------------------------------------------------------------------


def _lodge(client: APIClient, hire: Hire) -> APIResponse:
    return client.post(
        OBJECTIONS,
        {"hire": hire.pk, "name": "王五", "phone": "13800000000", "statement": "该人员学历信息与实际不符，请核查。"},
        format="json",
    )


def test_anyone_objects_during_publicity_and_gets_a_receipt_only() -> None:
    hire = HireFactory()
    _notice([hire])
    response = _lodge(_client(), hire)
    assert response.status_code == 201, response.json()
    objection = Objection.objects.get()
    assert response.json() == {"receipt": objection.receipt, "status": "open", "status_display": "待处理"}
    assert objection.hire == hire and objection.phone == "13800000000"


def test_no_objection_outside_publicity() -> None:
    recorded = HireFactory()
    closed = HireFactory()
    _notice([closed], open_=False)
    for hire in (recorded, closed):
        response = _lodge(_client(), hire)
        assert response.status_code == 400
        assert response.json()["code"] == "not_in_publicity" and "不在公示期内" in response.json()["detail"]
    missing = _client().post(
        OBJECTIONS, {"hire": 999999, "name": "王五", "phone": "13800000000", "statement": "x" * 20}, format="json"
    )
    assert missing.status_code == 400 and missing.json()["code"] == "not_in_publicity"
    short = HireFactory()
    _notice([short])
    too_short = _client().post(
        OBJECTIONS, {"hire": short.pk, "name": "王五", "phone": "13800000000", "statement": "不符"}, format="json"
    )
    assert too_short.status_code == 400 and too_short.json()["field"] == "statement"
    assert not Objection.objects.exists()


def test_objections_are_throttled_like_the_browser() -> None:
    hire = HireFactory()
    _notice([hire])
    client = _client()
    for n in range(5):
        # A made-up X-Forwarded-For header does not make a new sender: the address is the connection's.
        client.credentials(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert _lodge(client, hire).status_code == 201
    throttled = _lodge(client, hire)
    assert throttled.status_code == 429
    assert "提交过于频繁" in throttled.json()["detail"]
    assert Objection.objects.count() == 5
    # Reading is not counted against the limit.
    staff = _client(UserFactory(clerk=True, district=hire.district))
    assert staff.get(OBJECTIONS).status_code == 200


def test_staff_read_objections_of_their_scope_with_the_phone_masked() -> None:
    own, other = HireFactory(), HireFactory()
    _notice([own])
    _notice([other])
    open_objection = _objection(own)
    resolved = _objection(own)
    Objection.objects.filter(pk=resolved.pk).update(
        status=ObjectionStatus.DISMISSED, resolution="经核查不成立", resolved_at=timezone.now()
    )
    elsewhere = _objection(other)
    clerk = _client(UserFactory(clerk=True, district=own.district))

    response = clerk.get(OBJECTIONS)
    assert _ids(response) == {open_objection.pk, resolved.pk}
    assert "13800000000" not in response.content.decode()
    assert {row["phone_masked"] for row in response.json()["results"]} == {"138****0000"}
    assert own.id_number not in response.content.decode()
    assert _ids(clerk.get(OBJECTIONS, {"status": "dismissed"})) == {resolved.pk}
    assert clerk.get(f"{OBJECTIONS}{elsewhere.pk}/").status_code == 404
    assert _ids(_client(UserFactory(bureau=True)).get(OBJECTIONS)) == {open_objection.pk, resolved.pk, elsewhere.pk}
    assert _client().get(OBJECTIONS).status_code in (401, 403)
    assert _client(UserFactory(employer_user=True, employer=own.employer)).get(OBJECTIONS).status_code == 403
    assert _client(UserFactory(third_party_user=True)).get(OBJECTIONS).status_code == 403


def test_only_the_districts_staff_resolve() -> None:
    hire = HireFactory()
    _notice([hire])
    objection = _objection(hire)
    url = f"{OBJECTIONS}{objection.pk}/resolve/"
    payload = {"upheld": True, "reason": "经核查，学历信息与实际不符。"}

    centre = _client(UserFactory(centre=True)).post(url, payload, format="json")
    assert centre.status_code == 403 and "所在区县" in centre.json()["detail"]
    assert _client(UserFactory(clerk=True)).post(url, payload, format="json").status_code == 404
    assert _client().post(url, payload, format="json").status_code in (401, 403)
    clerk = _client(UserFactory(clerk=True, district=hire.district))
    no_reason = clerk.post(url, {"upheld": True, "reason": ""}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"

    response = clerk.post(url, payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ObjectionStatus.UPHELD and response.json()["resolution"] == payload["reason"]
    hire.refresh_from_db()
    assert hire.status == HireStatus.FAILED
    again = clerk.post(url, payload, format="json")
    assert again.status_code == 400 and "已处理" in again.json()["detail"]


# --- query counts and schema ---------------------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_hires() -> None:
    district = DistrictFactory()
    clerk = _client(UserFactory(clerk=True, district=district))
    centre = _client(UserFactory(centre=True))

    def make(n: int) -> None:
        for _ in range(n):
            hire = HireFactory(
                position__batch__district=district, third_party=ThirdPartyFactory(), employer_confirmation="pending"
            )
            _notice([hire])
            _objection(hire)

    make(3)
    small = {url: _queries(client, url) for url in (HIRES, PUBLICITY, OBJECTIONS) for client in (clerk,)}
    small_public = _queries(_client(), PUBLICITY)
    small_city = _queries(centre, HIRES)
    make(27)
    assert clerk.get(HIRES).json()["count"] == 30
    assert {url: _queries(clerk, url) for url in (HIRES, PUBLICITY, OBJECTIONS)} == small
    assert _queries(_client(), PUBLICITY) == small_public
    assert _queries(centre, HIRES) == small_city


def test_the_schema_documents_the_endpoints() -> None:
    schema = _client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in (
        "/api/v1/hires/",
        "/api/v1/hires/{id}/move/",
        "/api/v1/hires/{id}/reveal_id_number/",
        "/api/v1/publicity/",
        "/api/v1/publicity/exempt/",
        "/api/v1/objections/",
        "/api/v1/objections/{id}/resolve/",
    ):
        assert path in schema
    assert "查看完整身份证号码" in schema or "\\u67e5\\u770b" in schema
