"""The talent centre returns a registration for correction (退回补正); the third party corrects and resubmits it, and
it is back in the centre's queue; every move in the audit trail and the inbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.constants import NotificationKind, ThirdPartyKind, ThirdPartyStatus
from portal.errors import PermissionDenied, PortalError
from portal.models import Notification, ThirdParty, User
from portal.queues import awaiting_verification_queues, verification_queues
from portal.registration import verification
from portal.registration.services import RegistrationRefused, ThirdPartyDetails
from tests.factories import ThirdPartyFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

REASON = "开户银行与银行账号不一致：账号为建设银行账号，开户银行填写为工商银行。请核对后重新提交。"
REGISTRATION = "/registration/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def details(party: ThirdParty, **changes: Any) -> ThirdPartyDetails:
    values = {
        "kind": party.kind,
        "name": party.name,
        "identity_number": party.identity_number,
        "contact_name": party.contact_name or "孙经理",
        "phone": party.phone,
        "bank_name": party.bank_name,
        "bank_account": party.bank_account,
    } | changes
    return ThirdPartyDetails(**values)


def returned_party(**traits: Any) -> tuple[ThirdParty, User, User]:
    party = ThirdPartyFactory(**traits)
    account = UserFactory(third_party_user=True, third_party=party, username=f"tp{party.pk}")
    officer = UserFactory(centre=True, display_name="周核验")
    verification.third_party_return(third_party=party, reason=REASON, by=officer)
    party.refresh_from_db()
    return party, account, officer


# ---- the table --------------------------------------------------------------------------------------------------


def test_the_table_says_who_moves_a_registration_from_where_to_where() -> None:
    moves = {(m.action, tuple(sorted(m.source)), m.target) for m in verification.MOVES.values()}
    assert moves == {
        ("verify", ("pending",), "verified"),
        ("return", ("pending",), "returned"),
        ("resubmit", ("returned",), "pending"),
    }
    assert verification.MOVES["return"].needs_reason


# ---- return --------------------------------------------------------------------------------------------------------


def test_the_centre_returns_with_a_reason_recorded_audited_and_sent_to_the_inbox() -> None:
    party, account, officer = returned_party()
    assert party.status == ThirdPartyStatus.RETURNED and not party.is_verified
    assert (party.return_reason, party.returned_by) == (REASON, officer)
    entry = LogEntry.objects.get_for_object(party).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == officer
    assert entry.changes_dict["status"] == ["pending", "returned"]
    assert "return_reason" in entry.changes_dict
    [notice] = Notification.objects.filter(recipient=account)
    assert notice.kind == NotificationKind.ACCOUNT and notice.title == "注册信息被退回补正"
    assert REASON in notice.body and notice.url == REGISTRATION


def test_a_return_needs_a_reason_and_a_pending_registration() -> None:
    officer = UserFactory(centre=True)
    party = ThirdPartyFactory()
    with pytest.raises(PortalError, match="退回补正须填写原因"):
        verification.third_party_return(third_party=party, reason="  ", by=officer)
    verified = ThirdPartyFactory(verified=True)
    with pytest.raises(PortalError, match="当前状态为“已核验”，不能退回补正"):
        verification.third_party_return(third_party=verified, reason=REASON, by=officer)
    party.refresh_from_db()
    assert party.status == ThirdPartyStatus.PENDING


@pytest.mark.parametrize("traits", [{"clerk": True}, {"bureau": True}, {"third_party_user": True}])
def test_nobody_else_returns_a_registration(traits: dict[str, bool]) -> None:
    party = ThirdPartyFactory()
    user = UserFactory(**traits)
    with pytest.raises(PermissionDenied):
        verification.third_party_return(third_party=party, reason=REASON, by=user)
    client = Client()
    client.force_login(user)
    assert client.post(reverse("portal:third_party_return", args=[party.pk]), {"reason": REASON}).status_code == 403
    party.refresh_from_db()
    assert party.status == ThirdPartyStatus.PENDING


def test_a_returned_registration_cannot_be_verified_until_resubmitted() -> None:
    party, _, _officer = returned_party()
    with pytest.raises(PortalError, match="当前状态为“退回补正”，不能核验通过"):
        verification.third_party_verify(third_party=party, by=UserFactory(centre=True))


def test_the_centre_returns_from_the_list_page_and_sees_the_reason() -> None:
    party = ThirdPartyFactory(name="渝才猎头")
    officer = UserFactory(centre=True)
    client = Client()
    client.force_login(officer)
    url = reverse("portal:third_party_return", args=[party.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "退回补正须填写原因。" in response.content.decode()
    response = client.post(url, {"reason": REASON, "next": "/third-parties/?status=pending"}, follow=True)
    page = response.content.decode()
    assert "已退回补正：渝才猎头。该第三方修改后重新提交，将回到待核验列表。" in page
    returned = client.get(reverse("portal:third_party_list"), {"status": "returned"}).content.decode()
    assert "渝才猎头" in returned and REASON in returned and "退回补正" in returned
    assert "渝才猎头" not in client.get(reverse("portal:third_party_list"), {"status": "pending"}).content.decode()


# ---- the third party sees it, corrects and resubmits ------------------------------------------------------------------


def test_the_third_party_sees_the_reason_on_its_workspace_claims_and_registration_page() -> None:
    _party, account, _ = returned_party()
    [queue] = awaiting_verification_queues(account)
    assert queue.title == "注册信息被退回补正" and REASON in queue.description and queue.url == REGISTRATION
    client = Client()
    client.force_login(account)
    for url in (reverse("portal:workspace"), reverse("subsidies:claim_list"), REGISTRATION):
        page = client.get(url).content.decode()
        assert REASON in page, url
    page = client.get(REGISTRATION).content.decode()
    assert "修改后重新提交" in page and "周核验" in page
    assert "no-store" in client.get(REGISTRATION)["Cache-Control"]


def test_the_third_party_corrects_and_resubmits_and_is_back_in_the_queue() -> None:
    waiting = ThirdPartyFactory()  # registered before: the corrected one comes back after it
    party, account, officer = returned_party()
    client = Client()
    client.force_login(account)
    form = {
        "kind": party.kind,
        "name": party.name,
        "identity_number": party.credit_code,
        "contact_name": "孙晓琳",
        "phone": "13983012345",
        "bank_name": "中国建设银行重庆永川支行",
        "bank_account": "3100 0212 0900 1234 567",
    }
    response = client.post(REGISTRATION, form, follow=True)
    page = response.content.decode()
    assert "已重新提交核验。" in page
    party.refresh_from_db()
    assert party.status == ThirdPartyStatus.PENDING
    assert (party.bank_name, party.bank_account) == ("中国建设银行重庆永川支行", "3100021209001234567")
    entry = LogEntry.objects.get_for_object(party).filter(action=LogEntry.Action.UPDATE).order_by("-pk").first()
    assert entry is not None and entry.actor == account
    assert entry.changes_dict["status"] == ["returned", "pending"] and "bank_name" in entry.changes_dict
    assert list(verification.third_party_list_for_review(status="pending")) == [waiting, party]
    assert verification_queues(officer)[0].count == 2
    # Now the centre may verify it; a second resubmission is refused.
    verification.third_party_verify(third_party=party, by=officer)
    response = client.post(REGISTRATION, form, follow=True)
    assert "当前状态为“已核验”，无需修改重新提交" in response.content.decode()


def test_a_correction_follows_the_registration_rules_every_refusal_at_once() -> None:
    other = ThirdPartyFactory()
    party, account, _ = returned_party()
    with pytest.raises(RegistrationRefused) as refused:
        verification.third_party_resubmit(
            third_party=party,
            details=details(party, identity_number=other.credit_code, phone="123", bank_name=" "),
            by=account,
        )
    fields = {error.field for error in refused.value.errors}
    assert fields == {"identity_number", "phone", "bank_name"}
    party.refresh_from_db()
    assert party.status == ThirdPartyStatus.RETURNED
    # Its own number is not a duplicate of itself.
    verification.third_party_resubmit(third_party=party, details=details(party), by=account)


def test_a_correction_may_change_an_organisation_into_an_individual() -> None:
    party, account, _ = returned_party()
    person = make_id_number(321, region="500112", birthday="19990808")
    verification.third_party_resubmit(
        third_party=party,
        details=details(party, kind=ThirdPartyKind.INDIVIDUAL, name="孙晓琳", identity_number=person.lower()),
        by=account,
    )
    party.refresh_from_db()
    assert (party.kind, party.credit_code, party.id_number) == (ThirdPartyKind.INDIVIDUAL, None, person)


def test_only_the_third_party_itself_resubmits() -> None:
    party, _, officer = returned_party()
    stranger = UserFactory(third_party_user=True, third_party=ThirdPartyFactory())
    for user in (stranger, officer):
        with pytest.raises(PermissionDenied):
            verification.third_party_resubmit(third_party=party, details=details(party), by=user)
    # A stranger's own page is its own registration, never this one.
    client = Client()
    client.force_login(stranger)
    assert party.name not in client.get(REGISTRATION).content.decode()
    client.force_login(officer)
    assert client.get(REGISTRATION).status_code == 403


def test_a_pending_or_verified_registration_page_shows_details_masked_and_no_form() -> None:
    person = ThirdPartyFactory(individual=True, bank_account="6222000033334444")
    account = UserFactory(third_party_user=True, third_party=person)
    client = Client()
    client.force_login(account)
    page = client.get(REGISTRATION).content.decode()
    assert "正在等待市人才交流服务中心核验" in page and "修改后重新提交</button>" not in page
    assert person.id_number not in page and "6222000033334444" not in page and "****4444" in page
