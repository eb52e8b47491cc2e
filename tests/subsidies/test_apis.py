"""/api/v1/claims/: the browser's rules for machine clients and reviewers; scoping, masking, tokens, throttling,
Idempotency-Key and query counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from referrals.models import Hire

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as APIResponse

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.identity import mask_id_number
from portal.models import Employer, IdempotencyKey, User
from referrals.models import Objection, PublicityNotice
from subsidies.apis import ClaimWriteThrottle
from subsidies.constants import ClaimStatus
from subsidies.models import Claim, ClaimAttachment, ClaimItem
from subsidies.services import claim_review
from tests.factories import (
    SIGNED_SCAN,
    ClaimFactory,
    EmployerFactory,
    HireFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
)

pytestmark = pytest.mark.django_db
CLAIMS = "/api/v1/claims/"
PDF = SIGNED_SCAN


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    # Throttle histories live in the (process-wide) cache: each test starts with none.
    cache.clear()


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _payload(employer: Employer, *lines: tuple[Hire, object], declared: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "employer": employer.pk,
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "declarations": {"introduced": declared, "good_credit": declared, "truthful": declared},
        "lines": [{"hire": hire.pk, "requested_amount": amount} for hire, amount in lines],
        **extra,
    }


def _upload(client: APIClient, claim_id: int, kind: str, content: bytes = PDF, **headers: Any) -> APIResponse:
    scan = SimpleUploadedFile(f"{kind}.pdf", content, content_type="application/pdf")
    return client.post(f"{CLAIMS}{claim_id}/attachments/", {"kind": kind, "file": scan}, format="multipart", **headers)


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _stranger() -> User:
    return UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))


# --- the third party's claim from draft to withdrawal --------------------------------------------------------------


def test_a_put_from_an_older_read_of_the_claim_is_refused_with_412(headhunter: User, employer: Employer) -> None:
    first, second = claimable_hire(headhunter.third_party, employer), claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)
    claim_id = client.post(CLAIMS, _payload(employer, (first, "30000")), format="json").json()["id"]
    read = client.get(f"{CLAIMS}{claim_id}/")
    assert read["ETag"].startswith('"')

    saved = client.put(
        f"{CLAIMS}{claim_id}/", _payload(employer, (first, "20000")), format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] == client.get(f"{CLAIMS}{claim_id}/")["ETag"] != read["ETag"]

    stale = client.put(
        f"{CLAIMS}{claim_id}/", _payload(employer, (second, "1000")), format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "changed_since_opened" and "申报" in stale.json()["detail"]
    assert [
        (line["hire"]["id"], line["requested_amount"]) for line in client.get(f"{CLAIMS}{claim_id}/").json()["lines"]
    ] == [(first.pk, "20000.00")]
    malformed = client.put(f"{CLAIMS}{claim_id}/", _payload(employer, (first, "1")), format="json", HTTP_IF_MATCH="x")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "if_match_invalid")


def test_a_third_party_drafts_edits_uploads_submits_and_withdraws(headhunter: User, employer: Employer) -> None:
    first, second = claimable_hire(headhunter.third_party, employer), claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)

    created = client.post(CLAIMS, _payload(employer, (first, "30000"), (second, 20000)), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == ClaimStatus.DRAFT and body["status_display"] == "草稿"
    assert body["reference"].startswith("BZ-")
    # Money is strings of yuan with two decimals, never floats.
    assert body["requested_total"] == "50000.00"
    assert [(line["requested_amount"], line["cap"], line["approved_amount"]) for line in body["lines"]] == [
        ("30000.00", "30000.00", None),
        ("20000.00", "30000.00", None),
    ]
    assert body["declarations"] == {"introduced": True, "good_credit": True, "truthful": True}
    claim_id = body["id"]

    edited = client.put(f"{CLAIMS}{claim_id}/", _payload(employer, (first, "28000.50")), format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["requested_total"] == "28000.50" and len(edited.json()["lines"]) == 1

    missing = client.post(f"{CLAIMS}{claim_id}/submit/")
    assert missing.status_code == 400 and "附件2" in missing.json()["detail"]
    for kind in ("annex2", "annex3"):
        uploaded = _upload(client, claim_id, kind)
        assert uploaded.status_code == 201, uploaded.json()
        assert uploaded.json()["kind"] == kind and uploaded.json()["content_type"] == "application/pdf"
    not_a_scan = _upload(client, claim_id, "other", b"MZ\x90\x00 not a pdf")
    assert not_a_scan.status_code == 400 and "PDF、JPG或PNG" in not_a_scan.json()["detail"]

    submitted = client.post(f"{CLAIMS}{claim_id}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == ClaimStatus.SUBMITTED
    assert headhunter.third_party is not None
    assert submitted.json()["bank_account"] == headhunter.third_party.bank_account  # the payee, recorded now
    assert [attachment["kind"] for attachment in submitted.json()["attachments"]] == ["annex2", "annex3"]
    assert client.put(f"{CLAIMS}{claim_id}/", _payload(employer, (first, "1")), format="json").status_code == 400

    assert client.get(f"{CLAIMS}claimable-hires/").json()["count"] == 1  # ``second`` was released by the edit
    withdrawn = client.post(f"{CLAIMS}{claim_id}/withdraw/", {"reason": "重新申报"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == ClaimStatus.WITHDRAWN
    assert [event["action"] for event in withdrawn.json()["events"]] == ["create", "submit", "withdraw"]
    assert {row["id"] for row in client.get(f"{CLAIMS}claimable-hires/").json()["results"]} == {first.pk, second.pk}


def test_a_writes_reply_is_what_a_get_of_the_claim_answers(headhunter: User, employer: Employer, centre: User) -> None:
    """The claimant's create, edit and submit answer from the rows the service wrote and read, not from a second
    read: the reply is, byte for byte, what a GET of the claim answers right after (shape, fields, masking, order
    of lines, scans and history), with an ``Idempotency-Key`` and without, and for a claim returned and sent
    again (which has a first reviewer)."""
    hires = [claimable_hire(headhunter.third_party, employer) for _ in range(3)]
    client = _client(headhunter)

    def same_as_get(response: APIResponse, code: int = 200) -> dict[str, Any]:
        assert response.status_code == code, response.content
        read = client.get(f"{CLAIMS}{response.json()['id']}/")
        assert read.status_code == 200
        assert response.content == read.content
        return dict(response.json())

    payload = _payload(employer, (hires[0], "30000"), (hires[1], 1500.5))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(CLAIMS, payload, format="json", HTTP_IDEMPOTENCY_KEY="same-as-get")
    # The new claim's (no) scans and its history are those just written: neither is read back.
    reads = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if '"subsidies_claimattachment"' in sql or '"subsidies_claimevent"' in sql]
    created = same_as_get(response, 201)
    assert [event["action"] for event in created["events"]] == ["create"] and created["attachments"] == []
    url = f"{CLAIMS}{created['id']}/"
    # Lines kept, changed, dropped and added: the reply lists them as the detail does.
    edited = same_as_get(client.put(url, _payload(employer, (hires[1], "1200"), (hires[2], "800")), format="json"))
    assert [line["hire"]["id"] for line in edited["lines"]] == [hires[1].pk, hires[2].pk]
    for kind in ("annex3", "annex2", "other"):
        assert _upload(client, created["id"], kind).status_code == 201
    submitted = same_as_get(client.post(f"{url}submit/"))
    assert submitted["status"] == ClaimStatus.SUBMITTED and submitted["bank_account"]
    assert [attachment["kind"] for attachment in submitted["attachments"]] == ["annex2", "annex3", "other"]

    returned = _client(centre).post(f"{url}review/", {"action": "first_return", "opinion": "请补充。"}, format="json")
    assert returned.status_code == 200
    edited = same_as_get(client.put(url, _payload(employer, (hires[1], "1000")), format="json"))
    again = same_as_get(client.post(f"{url}submit/", HTTP_IDEMPOTENCY_KEY="submit-again"))
    assert again["first_reviewer_name"] and again["first_opinion"] == "请补充。"
    assert [event["action"] for event in again["events"]] == ["create", "submit", "first_return", "submit"]
    assert again["lines"] == edited["lines"]


@pytest.mark.parametrize(
    ("channel", "amount", "cap"),
    [
        ("bounty_list", "30000.01", "揭榜招贤”补助上限30,000元"),
        ("bounty_list", "30001", "揭榜招贤”补助上限30,000元"),
        ("special_recruitment", "4001", "引才专项”补助上限4,000元"),
    ],
)
def test_an_amount_over_the_channels_cap_is_refused_naming_the_cap(
    headhunter: User, employer: Employer, channel: str, amount: str, cap: str
) -> None:
    hire = claimable_hire(headhunter.third_party, employer, channel=channel)
    response = _client(headhunter).post(CLAIMS, _payload(employer, (hire, amount)), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "over_cap"
    assert cap in response.json()["detail"] and "渝人社发〔2022〕50号" in response.json()["detail"]
    assert hire.id_number not in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("amount", ["30000.001", "0", "-5", "三万", True, None])
def test_amounts_that_are_not_money_are_refused(headhunter: User, employer: Employer, amount: object) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    response = _client(headhunter).post(CLAIMS, _payload(employer, (hire, amount)), format="json")
    assert response.status_code == 400
    (message,) = response.json()["lines"]["0"]["requested_amount"]
    assert "金额" in message or (amount is None and "null" in message)
    assert not Claim.objects.exists()


@pytest.mark.parametrize("amount", ["1." + "0" * 5000, "1" + "0" * 5000])
def test_an_amount_written_with_thousands_of_digits_is_refused_as_the_form_refuses_it(
    headhunter: User, employer: Employer, amount: str
) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    response = _client(headhunter).post(CLAIMS, _payload(employer, (hire, amount)), format="json")
    assert response.status_code == 400
    (message,) = response.json()["lines"]["0"]["requested_amount"]
    assert message == f"申请金额最多填写20个字符（现有{len(amount)}个）。"
    assert not Claim.objects.exists()


@pytest.mark.parametrize("amount", ["30,000", "30,000.00", "３００００", 30000])
def test_an_amount_is_read_as_the_form_reads_it(headhunter: User, employer: Employer, amount: object) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    response = _client(headhunter).post(CLAIMS, _payload(employer, (hire, amount)), format="json")
    assert response.status_code == 201, response.content
    assert [line["requested_amount"] for line in response.json()["lines"]] == ["30000.00"]


def test_hires_that_may_not_be_claimed_are_refused_clearly(headhunter: User, employer: Employer) -> None:
    party = headhunter.third_party
    client = _client(headhunter)

    def refusal(hire: Hire) -> dict[str, Any]:
        response = client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json")
        assert response.status_code == 400, response.content
        return response.json()

    unconfirmed = HireFactory(third_party=party, employer_confirmation="confirmed", position__employer=employer)
    assert "尚未经公示确认" in refusal(unconfirmed)["detail"]
    not_by_employer = claimable_hire(party, employer, employer_confirmation="pending")
    assert "尚未经用人单位确认" in refusal(not_by_employer)["detail"]
    other_employers = claimable_hire(party, EmployerFactory())
    assert "同一用人单位" in refusal(other_employers)["detail"]

    # Another third party's hire: refused by its id only; the name and even the masked ID number stay unknown.
    theirs = claimable_hire(ThirdPartyFactory(verified=True), employer)
    body = refusal(theirs)
    assert body["code"] == "not_introduced_by_claimant" and body["field"] == "lines"
    assert f"人员ID {theirs.pk} 不存在或不是由本机构（个人）推荐引进的人员" in body["detail"]
    assert theirs.name not in str(body) and mask_id_number(theirs.id_number) not in str(body)
    assert "不存在" in refusal(HireFactory.build(pk=999_999))["detail"]
    assert not Claim.objects.exists()


def test_a_hire_on_a_live_claim_cannot_be_claimed_again(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)
    assert client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json").status_code == 201
    again = client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json")
    assert again.status_code == 400 and again.json()["code"] == "hire_already_claimed"
    assert "已在其他有效申报中" in again.json()["detail"]
    assert Claim.objects.count() == 1


def test_status_amounts_and_reviewers_in_a_body_are_ignored(headhunter: User, employer: Employer, centre: User) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    stranger = _stranger()
    forged: dict[str, Any] = {
        "status": "paid",
        "requested_total": "1.00",
        "approved_total": "30000.00",
        "third_party": stranger.third_party_id,
        "first_reviewer": centre.pk,
        "first_opinion": "同意",
        "paid_on": "2026-01-01",
        "payment_reference": "ZF-FORGED",
        "bank_account": "6222000000000000001",
        "reference": "BZ-FORGED",
    }
    payload = _payload(employer, (hire, "20000"), **forged)
    payload["lines"][0] |= {"approved_amount": "20000", "cap": "99999", "live": False}
    client = _client(headhunter)

    created = client.post(CLAIMS, payload, format="json")
    assert created.status_code == 201, created.json()
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.DRAFT and claim.third_party_id == headhunter.third_party_id
    assert claim.requested_total == Decimal("20000") and claim.approved_total is None
    assert claim.first_reviewer is None and claim.first_opinion == "" and claim.paid_on is None
    assert claim.payment_reference == "" and claim.bank_account == "" and claim.reference != "BZ-FORGED"
    item = claim.items.get()
    assert item.approved_amount is None and item.cap == Decimal("30000") and item.live

    edited = client.put(f"{CLAIMS}{claim.pk}/", payload | {"status": "approved"}, format="json")
    assert edited.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT and claim.approved_total is None


# --- scope: a third party's claims are its own ----------------------------------------------------------------------


def test_another_third_partys_claim_is_not_found_on_any_url(headhunter, employer) -> None:  # type: ignore[no-untyped-def]
    theirs = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    mine = ClaimFactory(submitted=True, by=(stranger := _stranger()), employer=employer, amounts=("1000",))
    client = _client(stranger)

    assert _ids(client.get(CLAIMS)) == [mine.pk]
    assert _ids(client.get(CLAIMS, {"employer": str(employer.pk), "status": "submitted"})) == [mine.pk]
    assert _ids(client.get(CLAIMS, {"status": "draft"})) == []
    assert _ids(client.get(CLAIMS, {"employer": EmployerFactory().pk})) == []
    url = f"{CLAIMS}{theirs.pk}/"
    responses = [
        client.get(url),
        client.put(url, _payload(employer), format="json"),
        client.post(f"{url}submit/"),
        client.post(f"{url}withdraw/", {"reason": "x"}, format="json"),
        _upload(client, theirs.pk, "other"),
        client.post(f"{url}review/", {"action": "first_pass", "opinion": "同意"}, format="json"),
    ]
    for response in responses:
        assert response.status_code == 404, response.content
        assert theirs.reference not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.SUBMITTED and theirs.attachments.count() == 2


def test_the_claims_api_is_for_third_parties_and_the_citys_reviewers(headhunter, employer) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    hire = claim.items.get().hire
    for user in (
        UserFactory(clerk=True, district=hire.district),
        UserFactory(district_reviewer=True, district=hire.district),
        UserFactory(employer_user=True, employer=employer),
        UserFactory(admin=True),
    ):
        assert _client(user).get(CLAIMS).status_code == 403
        assert _client(user).get(f"{CLAIMS}{claim.pk}/").status_code == 403
    assert _client().get(CLAIMS).status_code in (401, 403)
    assert _client().post(CLAIMS, {}, format="json").status_code in (401, 403)


def test_only_third_parties_create_and_an_unverified_one_is_told_to_wait(
    caps: None, employer: Employer, centre: User
) -> None:
    unverified = UserFactory(third_party_user=True)
    hire = claimable_hire(unverified.third_party, employer)
    refused = _client(unverified).post(CLAIMS, _payload(employer, (hire, "1000")), format="json")
    assert refused.status_code == 403 and "核验" in refused.json()["detail"]
    by_centre = _client(centre).post(CLAIMS, _payload(employer, (hire, "1000")), format="json")
    assert by_centre.status_code == 403 and "荐才机构或个人" in by_centre.json()["detail"]
    assert _client(centre).get(f"{CLAIMS}claimable-hires/").status_code == 403
    assert not Claim.objects.exists()


def test_claimable_hires_are_the_claimants_own_with_their_cap(headhunter: User, employer: Employer) -> None:
    bounty = claimable_hire(headhunter.third_party, employer)
    special = claimable_hire(headhunter.third_party, employer, channel="special_recruitment")
    claimed = claimable_hire(headhunter.third_party, employer)
    _client(headhunter).post(CLAIMS, _payload(employer, (claimed, "1000")), format="json")
    claimable_hire(headhunter.third_party, employer, employer_confirmation="pending")
    claimable_hire(ThirdPartyFactory(verified=True), employer)

    body = _client(headhunter).get(f"{CLAIMS}claimable-hires/").json()
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) == {bounty.pk, special.pk}
    assert rows[bounty.pk]["cap"] == "30000.00" and rows[special.pk]["cap"] == "4000.00"
    assert rows[special.pk]["channel_display"] == "引才专项"
    assert rows[bounty.pk]["id_number_masked"] == mask_id_number(bounty.id_number)
    assert rows[bounty.pk]["employer"] == {"id": employer.pk, "name": employer.name}
    assert bounty.id_number not in str(body)


# --- the reviewers ----------------------------------------------------------------------------------------------------


def test_each_reviewer_has_its_queue_longest_waiting_first(headhunter, employer, centre, bureau) -> None:  # type: ignore[no-untyped-def]
    claims = [ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",)) for _ in range(3)]
    now = timezone.now()
    for claim, hours in zip(claims, (1, 30, 5), strict=True):
        Claim.objects.filter(pk=claim.pk).update(status_since=now - datetime.timedelta(hours=hours))
    passed = claim_review(
        claim=ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",)),
        action="first_pass",
        opinion="同意",
        by=centre,
    )
    _client(headhunter).post(
        CLAIMS, _payload(employer, (claimable_hire(headhunter.third_party, employer), "1")), format="json"
    )

    assert _ids(_client(centre).get(CLAIMS, {"queue": "first"})) == [claims[1].pk, claims[2].pk, claims[0].pk]
    assert _ids(_client(bureau).get(CLAIMS, {"queue": "second"})) == [passed.pk]
    assert _ids(_client(bureau).get(CLAIMS, {"queue": "payment"})) == []
    for user, queue in ((bureau, "first"), (centre, "second"), (centre, "payment"), (headhunter, "first")):
        refused = _client(user).get(CLAIMS, {"queue": queue})
        assert refused.status_code == 403 and "无权查看该审核队列" in refused.json()["detail"]
    assert _client(centre).get(CLAIMS, {"queue": "all"}).status_code == 400


def test_review_and_payment_through_the_api(headhunter, employer, centre, bureau) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("30000", "20000"))
    url = f"{CLAIMS}{claim.pk}/"

    no_opinion = _client(centre).post(f"{url}review/", {"action": "first_pass", "opinion": ""}, format="json")
    assert no_opinion.status_code == 400 and "须填写原因" in no_opinion.json()["detail"]
    by_claimant = _client(headhunter).post(f"{url}review/", {"action": "first_pass", "opinion": "好"}, format="json")
    assert by_claimant.status_code == 403
    early = _client(bureau).post(f"{url}review/", {"action": "approve", "opinion": "核定"}, format="json")
    assert early.status_code == 400 and "不能复核核定" in early.json()["detail"]  # not the re-review's turn yet

    passed = _client(centre).post(
        f"{url}review/", {"action": "first_pass", "opinion": "材料齐全，同意。"}, format="json"
    )
    assert passed.status_code == 200 and passed.json()["status"] == ClaimStatus.FIRST_PASSED
    assert passed.json()["first_reviewer_name"] and passed.json()["first_opinion"] == "材料齐全，同意。"

    lines = [line["id"] for line in passed.json()["lines"]]
    over = _client(bureau).post(
        f"{url}review/",
        {"action": "approve", "opinion": "核定", "approved": {str(lines[0]): "30000.01", str(lines[1]): "0"}},
        format="json",
    )
    assert over.status_code == 400 and "不能超过申请金额" in over.json()["detail"]
    approved = _client(bureau).post(
        f"{url}review/",
        {"action": "approve", "opinion": "核定激励金额。", "approved": {str(lines[0]): "25000", str(lines[1]): 0}},
        format="json",
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["approved_total"] == "25000.00"
    assert [line["approved_amount"] for line in approved.json()["lines"]] == ["25000.00", "0.00"]

    today = str(timezone.localdate())
    by_centre = _client(centre).post(f"{url}pay/", {"paid_on": today, "payment_reference": "ZF1"}, format="json")
    assert by_centre.status_code == 403 and "登记发放" in by_centre.json()["detail"]
    future = _client(bureau).post(f"{url}pay/", {"paid_on": "2099-01-01", "payment_reference": "ZF1"}, format="json")
    assert future.status_code == 400 and "晚于今天" in future.json()["detail"]
    paid = _client(bureau).post(f"{url}pay/", {"paid_on": today, "payment_reference": "ZF2026-001"}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == ClaimStatus.PAID
    assert paid.json()["payment_reference"] == "ZF2026-001"
    assert [event["action"] for event in paid.json()["events"]] == ["create", "submit", "first_pass", "approve", "pay"]


def test_the_first_reviewer_cannot_re_review_even_holding_the_bureau_role(headhunter, employer, centre) -> None:  # type: ignore[no-untyped-def]
    claim = claim_review(
        claim=ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",)),
        action="first_pass",
        opinion="同意",
        by=centre,
    )
    both = UserFactory(bureau=True)
    Claim.objects.filter(pk=claim.pk).update(first_reviewer=both)
    line = claim.items.get()

    response = _client(both).post(
        f"{CLAIMS}{claim.pk}/review/",
        {"action": "approve", "opinion": "核定", "approved": {str(line.pk): "1000"}},
        format="json",
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FIRST_PASSED and claim.second_reviewer is None and claim.approved_total is None


def test_reviewers_see_each_hires_publicity_record_and_the_claimant_does_not(headhunter, employer, centre) -> None:  # type: ignore[no-untyped-def]
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    hire = claim.items.get().hire
    notice = PublicityNotice.objects.create(
        district=hire.district,
        reference="GS-2026-0001",
        title="公示",
        published_on=datetime.date(2026, 3, 2),
        closes_at=timezone.now() - datetime.timedelta(days=20),
        published_by=UserFactory(clerk=True, district=hire.district),
    )
    hire.notice = notice
    hire.save(update_fields=["notice"])
    Objection.objects.create(
        hire=hire,
        receipt="YY-1",
        name="王五",
        phone="13800000000",
        statement="学历不符。",
        status="dismissed",
        resolution="经核实学历属实，异议不成立。",
        resolved_at=timezone.now(),
    )

    record = _client(centre).get(f"{CLAIMS}{claim.pk}/").json()["lines"][0]["review_record"]
    assert record["notice"]["reference"] == "GS-2026-0001" and record["notice"]["published_on"] == "2026-03-02"
    assert record["objections_count"] == 1
    assert record["objections"][0]["status_display"] == "异议不成立"
    assert record["objections"][0]["resolution"] == "经核实学历属实，异议不成立。"
    assert "王五" not in str(record) and "13800000000" not in str(record)
    assert record["employer_confirmation_display"] == "单位已确认"
    assert _client(headhunter).get(f"{CLAIMS}{claim.pk}/").json()["lines"][0]["review_record"] is None


# --- masking ----------------------------------------------------------------------------------------------------------


def test_id_numbers_are_masked_and_phones_and_accounts_whole_only_where_needed(
    headhunter: User, employer: Employer, centre: User, bureau: User
) -> None:
    claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000",))
    hire = claim.items.get().hire
    assert headhunter.third_party is not None
    account, phone = headhunter.third_party.bank_account, headhunter.third_party.phone
    detail, masked_account = f"{CLAIMS}{claim.pk}/", f"****{account[-4:]}"

    def seen(user: User, url: str) -> tuple[dict, str]:
        response = _client(user).get(url)
        assert response.status_code == 200
        body = response.json()
        row = body["results"][0] if "results" in body else body
        return row, response.content.decode()

    for user in (headhunter, centre, bureau):
        for url in (CLAIMS, detail):
            row, text = seen(user, url)
            assert hire.id_number not in text
            assert row["lines"][0]["hire"]["id_number_masked"] == mask_id_number(hire.id_number)

    own_list, _ = seen(headhunter, CLAIMS)
    own_detail, _ = seen(headhunter, detail)
    for row in (own_list, own_detail):
        assert row["bank_account"] == account and row["payee_phone"] == phone
        assert row["employer_phone"] == "023-45678901"
    for reviewer in (centre, bureau):
        listed, text = seen(reviewer, CLAIMS)
        assert listed["bank_account"] == masked_account and account not in text
        opened, _ = seen(reviewer, detail)
        assert opened["bank_account"] == account  # the payment instruction, one claim at a time
        for row in (listed, opened):
            assert row["payee_phone"] == "139****0000" and row["employer_phone"] == "023-4567****"


def test_an_individuals_id_number_is_masked_as_the_claimant(caps: None, employer: Employer, centre: User) -> None:
    person = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True, individual=True))
    claim = ClaimFactory(submitted=True, by=person, employer=employer, amounts=("1000",))
    body = _client(centre).get(f"{CLAIMS}{claim.pk}/")
    assert person.third_party is not None and person.third_party.id_number is not None
    assert body.json()["third_party"]["identity_number_masked"] == mask_id_number(person.third_party.id_number)
    assert person.third_party.id_number not in body.content.decode()


# --- tokens and throttling ----------------------------------------------------------------------------------------


def test_a_machine_client_signs_in_with_a_token(headhunter: User, employer: Employer) -> None:
    token = Token.objects.create(user=headhunter)
    hire = claimable_hire(headhunter.third_party, employer)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    created = client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json")
    assert created.status_code == 201, created.content
    assert _ids(client.get(CLAIMS)) == [created.json()["id"]]

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(CLAIMS).status_code in (401, 403)
    headhunter.is_active = False
    headhunter.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(CLAIMS).status_code in (401, 403)


def test_an_admin_creates_tokens_in_the_admin(client: Client) -> None:
    client.force_login(UserFactory(admin=True))
    assert "认证令牌" in client.get("/admin/").content.decode()
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 200


def test_third_parties_claim_writes_are_throttled(headhunter: User, employer: Employer, centre: User) -> None:
    hires = [claimable_hire(headhunter.third_party, employer) for _ in range(3)]
    client = _client(headhunter)
    with mock.patch.dict(ClaimWriteThrottle.THROTTLE_RATES, {"claims": "2/hour"}):
        for hire in hires[:2]:
            assert client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json").status_code == 201
        refused = client.post(CLAIMS, _payload(employer, (hires[2], "1000")), format="json")
        assert refused.status_code == 429 and "过于频繁" in refused.json()["detail"]
        assert client.get(CLAIMS).status_code == 200  # reads are not claim writes
        # Another account has its own allowance; reviewers' decisions are not counted against this rate.
        assert _client(_stranger()).post(CLAIMS, _payload(employer), format="json").status_code == 400
        claims = [ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1",)) for _ in range(3)]
        for claim in claims:
            decided = _client(centre).post(
                f"{CLAIMS}{claim.pk}/review/", {"action": "first_pass", "opinion": "同意"}, format="json"
            )
            assert decided.status_code == 200
    assert Claim.objects.filter(status=ClaimStatus.DRAFT).count() == 2


# --- Idempotency-Key ------------------------------------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_returns_the_first_reply(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)
    payload = _payload(employer, (hire, "1000"))
    key: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": "0f6c7b5e-2d4f-4a8e-9b1d-7c3e5a9f1b20"}

    first = client.post(CLAIMS, payload, format="json", **key)
    again = client.post(CLAIMS, dict(reversed(payload.items())), format="json", **key)  # same content, new order
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Claim.objects.count() == 1 and ClaimItem.objects.count() == 1

    other = client.post(CLAIMS, _payload(employer, (hire, "2000")), format="json", **key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert "已用于另一个不同的请求" in other.json()["detail"]
    elsewhere = client.post(f"{CLAIMS}{first.json()['id']}/submit/", **key)
    assert elsewhere.status_code == 422

    # Keys belong to one account: another third party's identical key is its own request.
    stranger = _stranger()
    theirs = claimable_hire(stranger.third_party, employer)
    assert _client(stranger).post(CLAIMS, _payload(employer, (theirs, "1000")), format="json", **key).status_code == 201
    assert Claim.objects.count() == 2

    for bad in ("", "x" * 65, "中文键"):
        refused = client.post(CLAIMS, payload, format="json", HTTP_IDEMPOTENCY_KEY=bad)
        assert refused.status_code == 400 and refused.json()["code"] == "idempotency_key_invalid"


def test_a_failed_request_leaves_its_key_free_and_an_old_key_expires(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)
    claim_id = client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json").json()["id"]
    key: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": "submit-1"}

    assert client.post(f"{CLAIMS}{claim_id}/submit/", **key).status_code == 400  # no signed annexes yet
    assert not IdempotencyKey.objects.exists()
    _upload(client, claim_id, "annex2")
    _upload(client, claim_id, "annex3")
    submitted = client.post(f"{CLAIMS}{claim_id}/submit/", **key)
    assert submitted.status_code == 200 and submitted.json()["status"] == ClaimStatus.SUBMITTED
    stored = IdempotencyKey.objects.get()
    assert (stored.user, stored.status_code, stored.method) == (headhunter, 200, "POST")
    replay = client.post(f"{CLAIMS}{claim_id}/submit/", **key)
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert Claim.objects.get().events.filter(action="submit").count() == 1

    # After 24 hours the key no longer counts: the request acts (and is refused: the claim was submitted).
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    late = client.post(f"{CLAIMS}{claim_id}/submit/", **key)
    assert late.status_code == 400 and "不能提交申报" in late.json()["detail"]
    # The refused request stored nothing; the expired reply stays until the daily purge, never replayed.
    assert IdempotencyKey.objects.get().created_at < timezone.now() - datetime.timedelta(hours=24)


def test_the_daily_purge_deletes_only_replies_past_their_lifetime(headhunter: User, employer: Employer) -> None:
    from portal.tasks import purge_idempotency_keys

    client = _client(headhunter)
    for number, key in enumerate(("old", "new")):
        hire = claimable_hire(headhunter.third_party, employer)
        payload = _payload(employer, (hire, "1000"))
        assert client.post(CLAIMS, payload, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201, number
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - datetime.timedelta(hours=25))

    assert purge_idempotency_keys.apply().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]

    # A key past its lifetime acts again on a new request, and its new reply replaces the old one.
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    again = _payload(employer, (claimable_hire(headhunter.third_party, employer), "1000"))
    assert client.post(CLAIMS, again, format="json", HTTP_IDEMPOTENCY_KEY="new").status_code == 201
    assert IdempotencyKey.objects.get().created_at > timezone.now() - datetime.timedelta(minutes=1)


def test_an_upload_retried_with_its_key_is_stored_once(headhunter: User, employer: Employer) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)
    claim_id = client.post(CLAIMS, _payload(employer, (hire, "1000")), format="json").json()["id"]
    key: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": "upload-other-1"}

    first = _upload(client, claim_id, "other", **key)
    again = _upload(client, claim_id, "other", **key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert ClaimAttachment.objects.count() == 1
    different = _upload(client, claim_id, "other", PDF.replace(b"1 0", b"2 0"), **key)
    assert different.status_code == 422


# --- query counts and schema --------------------------------------------------------------------------------------


def _queries(client: APIClient, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_claims(headhunter: User, employer: Employer, centre: User, bureau: User) -> None:
    own, city, queue_centre = _client(headhunter), _client(centre), _client(bureau)

    def make(n: int) -> Claim:
        for _ in range(n):
            claim = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=("1000", "2000"))
            claim_review(claim=claim, action="first_pass", opinion="同意", by=centre)
        return claim

    make(3)
    small = [
        _queries(own, CLAIMS),
        _queries(city, CLAIMS),
        _queries(queue_centre, CLAIMS, {"queue": "second"}),
    ]
    last = make(27)
    assert own.get(CLAIMS).json()["count"] == 30
    assert [
        _queries(own, CLAIMS),
        _queries(city, CLAIMS),
        _queries(queue_centre, CLAIMS, {"queue": "second"}),
    ] == small
    # One claim's detail: the same number of queries for two lines as for more.
    two_lines = _queries(city, f"{CLAIMS}{last.pk}/")
    five_lines = ClaimFactory(submitted=True, by=headhunter, employer=employer, amounts=["1000"] * 5)
    assert _queries(city, f"{CLAIMS}{five_lines.pk}/") == two_lines


def test_the_schema_documents_the_claims_api() -> None:
    schema = _client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/claims/",
        "/api/v1/claims/{id}/",
        "/api/v1/claims/{id}/submit/",
        "/api/v1/claims/{id}/withdraw/",
        "/api/v1/claims/{id}/attachments/",
        "/api/v1/claims/{id}/review/",
        "/api/v1/claims/{id}/pay/",
        "/api/v1/claims/claimable-hires/",
    ):
        assert path in schema["paths"]
    create = schema["paths"]["/api/v1/claims/"]["post"]
    assert create["summary"] == "新建申报（保存草稿）"
    assert any(parameter["name"] == "Idempotency-Key" for parameter in create["parameters"])
    assert {"tokenAuth": []} in create["security"]
    assert "Authorization: Token" in schema["info"]["description"]
