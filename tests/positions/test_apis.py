"""/api/v1/positions/: same rules and scoping as the browser."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import DjangoAssertNumQueries
from rest_framework.test import APIClient

from portal.models import User
from positions.constants import PositionStatus
from positions.models import Position
from tests.factories import DistrictFactory, EmployerFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/positions/"


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anyone_reads_published_posts_only() -> None:
    published = PositionFactory(published=True)
    PositionFactory()
    body = _client().get(URL).json()
    assert [row["id"] for row in body["results"]] == [published.pk]
    assert body["results"][0]["channel_display"] == "揭榜招贤"


def test_staff_read_their_district_and_the_published_lists() -> None:
    district = DistrictFactory()
    own_draft = PositionFactory(batch__district=district)
    other_draft = PositionFactory()
    clerk = UserFactory(clerk=True, district=district)
    ids = {row["id"] for row in _client(clerk).get(URL).json()["results"]}
    assert own_draft.pk in ids and other_draft.pk not in ids
    assert _client(clerk).get(f"{URL}{other_draft.pk}/").status_code == 404
    centre_ids = {row["id"] for row in _client(UserFactory(centre=True)).get(URL).json()["results"]}
    assert {own_draft.pk, other_draft.pk} <= centre_ids


def test_filters_narrow_the_list() -> None:
    PositionFactory(published=True, channel="bounty_list", education="doctor")
    special = PositionFactory(published=True, channel="special_recruitment", education="master", name="通信工程师")
    rows = _client().get(URL, {"channel": "special_recruitment", "education": "master", "q": "通信"}).json()["results"]
    assert [row["id"] for row in rows] == [special.pk]
    assert _client().get(URL, {"district": special.district.code}).json()["count"] == 1


def test_a_clerk_creates_and_moves_through_the_api_with_the_same_rules() -> None:
    district = DistrictFactory()
    clerk = UserFactory(clerk=True, district=district)
    employer = EmployerFactory(district=district)
    payload = {
        "employer": employer.pk,
        "channel": "special_recruitment",
        "name": "前沿通信技术与政策研究工程师",
        "headcount": 4,
        "education": "master",
        "majors": "电子信息",
        "recruits_graduates": True,
        "salary_text": "15-25万元/年",
        "status": "published",  # ignored: status is never client input
    }
    response = _client(clerk).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    assert response.json()["salary_min"] == "150000"
    duplicate = _client(clerk).post(URL, payload, format="json")
    assert duplicate.status_code == 400 and "同名" in duplicate.json()["detail"]
    position_id = response.json()["id"]
    moved = _client(clerk).post(f"{URL}{position_id}/move/", {"action": "submit"}, format="json")
    assert moved.json()["status"] == PositionStatus.SUBMITTED
    refused = _client(clerk).post(f"{URL}{position_id}/move/", {"action": "approve"}, format="json")
    assert refused.status_code == 403
    assert "无权" in refused.json()["detail"]


def test_outsiders_cannot_write() -> None:
    assert _client().post(URL, {}, format="json").status_code in (401, 403)
    third_party = UserFactory(third_party_user=True)
    response = _client(third_party).post(
        URL,
        {
            "employer": EmployerFactory().pk,
            "channel": "bounty_list",
            "name": "x",
            "headcount": 1,
            "education": "any",
            "majors": "x",
            "recruits_graduates": False,
        },
        format="json",
    )
    assert response.status_code == 403
    assert Position.objects.count() == 0


def test_list_queries_do_not_grow_with_posts(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    def count_queries(n: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(n):
            PositionFactory(published=True)
        with CaptureQueriesContext(connection) as captured:
            assert _client().get(URL).status_code == 200
        return len(captured)

    assert count_queries(3) == count_queries(30)


def test_the_schema_documents_the_endpoint() -> None:
    schema = _client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/api/v1/positions/" in schema
    assert "/api/v1/positions/{id}/move/" in schema
    docs = _client().get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()  # served offline (sidecar)


def test_only_a_clerk_gets_a_post_checked() -> None:
    """Anyone else is refused before the body is read: the reviewer of the same district learns nothing of how a
    post (or its ten-day period) would have been checked."""
    district = DistrictFactory()
    draft = PositionFactory(batch__district=district)
    reviewer = UserFactory(district_reviewer=True, district=district)
    for method, url in (("post", URL), ("put", f"{URL}{draft.pk}/")):
        response = getattr(_client(reviewer), method)(url, {"period": "not-a-period"}, format="json")
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "forbidden"


def test_a_wrong_period_is_a_400_naming_it_in_chinese() -> None:
    district = DistrictFactory()
    clerk = UserFactory(clerk=True, district=district)
    payload = {
        "employer": EmployerFactory(district=district).pk,
        "channel": "special_recruitment",
        "name": "通信工程师",
        "headcount": 1,
        "education": "master",
        "majors": "电子信息",
        "recruits_graduates": True,
        "salary_text": "15-25万元/年",
        "period": "2026-13-5",
    }
    response = _client(clerk).post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid_period"
    assert body["detail"] == (
        "旬“2026-13-5”无效：月份须在1到12之间；旬须为1（上旬）、2（中旬）或3（下旬）。"
        "应写作“年-月-旬”，如“2026-12-1”表示2026年12月上旬。"
    )
    assert not Position.objects.exists()


def _put_payload(post: Position) -> dict[str, object]:
    return {
        "employer": post.employer_id,
        "channel": post.channel,
        "name": post.name,
        "headcount": post.headcount + 1,
        "education": post.education,
        "majors": post.majors,
        "recruits_graduates": post.recruits_graduates,
        "salary_text": post.salary_text,
    }


def test_a_put_with_the_etag_it_read_saves_and_answers_the_new_one() -> None:
    district = DistrictFactory()
    draft = PositionFactory(batch__district=district, employer__district=district)
    client = _client(UserFactory(clerk=True, district=district))
    read = client.get(f"{URL}{draft.pk}/")
    assert read["ETag"].startswith('"') and read["ETag"].endswith('"')

    saved = client.put(f"{URL}{draft.pk}/", _put_payload(draft), format="json", HTTP_IF_MATCH=read["ETag"])
    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] != read["ETag"]
    assert saved["ETag"] == client.get(f"{URL}{draft.pk}/")["ETag"]


def test_a_put_from_an_older_read_is_refused_with_412_and_changes_nothing() -> None:
    district = DistrictFactory()
    draft = PositionFactory(batch__district=district, employer__district=district, headcount=2)
    client = _client(UserFactory(clerk=True, district=district))
    stale = client.get(f"{URL}{draft.pk}/")["ETag"]
    assert client.put(f"{URL}{draft.pk}/", _put_payload(draft), format="json").status_code == 200  # someone saves

    payload = {**_put_payload(draft), "headcount": 9}
    refused = client.put(f"{URL}{draft.pk}/", payload, format="json", HTTP_IF_MATCH=stale)
    assert refused.status_code == 412
    assert refused.json()["code"] == "changed_since_opened"
    assert "已于" in refused.json()["detail"]
    draft.refresh_from_db()
    assert draft.headcount == 3


@pytest.mark.parametrize("header", ["2026-12-06", '"yesterday"', '"2026-12-06T08:00:00"', "W/"])
def test_a_malformed_if_match_is_a_400_that_names_the_header(header: str) -> None:
    district = DistrictFactory()
    draft = PositionFactory(batch__district=district, employer__district=district, headcount=2)
    client = _client(UserFactory(clerk=True, district=district))
    response = client.put(f"{URL}{draft.pk}/", _put_payload(draft), format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("if_match_invalid", "If-Match")
    draft.refresh_from_db()
    assert draft.headcount == 2
    # "*" matches whatever the row is now.
    assert client.put(f"{URL}{draft.pk}/", _put_payload(draft), format="json", HTTP_IF_MATCH="*").status_code == 200
