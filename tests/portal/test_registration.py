"""Third-party sign-up at /register/ and verification by the talent centre or an admin (docs/workflows.md, "Third-party registration")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import rules
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.constants import Role, ThirdPartyKind
from portal.errors import PermissionDenied
from portal.models import PersonalDataAccess, ThirdParty, User
from portal.permissions import is_verified_third_party
from portal.registration import services as registration
from portal.registration import verification
from portal.registration.services import RegistrationData, RegistrationRefused
from tests.factories import ThirdPartyFactory, UserFactory, make_id_number, make_uscc

pytestmark = pytest.mark.django_db

REGISTER = "/register/"
LOGIN = "/accounts/login/"
STRONG = "Gongcheng-2026-chongqing"
AGENCY_CODE = make_uscc(777001)
PERSON_ID = make_id_number(321, region="500112", birthday="19990808")


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    # The per-address counter lives in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


def agency(**changes: Any) -> RegistrationData:
    base = RegistrationData(
        kind=ThirdPartyKind.AGENCY,
        name="重庆英才人力资源服务有限公司",
        identity_number=AGENCY_CODE,
        contact_name="李经理",
        phone="023-63001234",
        bank_name="中国建设银行重庆渝中支行",
        bank_account="5000 1000 2000 3000 4000",
        username="yingcai",
        email="hr@yingcai.example.cn",
    )
    return replace(base, **changes)


def individual(**changes: Any) -> RegistrationData:
    base = RegistrationData(
        kind=ThirdPartyKind.INDIVIDUAL,
        name="张荐才",
        identity_number=PERSON_ID,
        phone="13812345678",
        bank_name="中国工商银行重庆沙坪坝支行",
        bank_account="6222020000000000001",
        username="zhangjiancai",
    )
    return replace(base, **changes)


def form_data(data: RegistrationData, password: str = STRONG, confirm: str | None = None) -> dict[str, str]:
    return {
        "kind": data.kind,
        "name": data.name,
        "identity_number": data.identity_number,
        "contact_name": data.contact_name,
        "phone": data.phone,
        "bank_name": data.bank_name,
        "bank_account": data.bank_account,
        "username": data.username,
        "email": data.email,
        "password": password,
        "password_confirm": password if confirm is None else confirm,
    }


def refusal(data: RegistrationData, password: str = STRONG) -> RegistrationRefused:
    with pytest.raises(RegistrationRefused) as caught:
        registration.third_party_register(data=data, password=password)
    return caught.value


def sign_in(username: str, password: str = STRONG) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == reverse("portal:workspace")
    return client


# --- registration: happy paths -------------------------------------------------------------------------------------


def test_an_agency_registers_with_its_credit_code_as_typed_and_stays_unverified() -> None:
    # Full-width, lower case and spaces, as pasted from a Word document.
    typed = (
        " "
        + AGENCY_CODE[:9].lower()
        + " "
        + AGENCY_CODE[9:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    )
    user = registration.third_party_register(data=agency(identity_number=typed), password=STRONG)

    party = user.third_party
    assert party is not None
    assert (party.kind, party.credit_code, party.id_number) == (ThirdPartyKind.AGENCY, AGENCY_CODE, None)
    assert party.bank_account == "50001000200030004000"
    assert party.phone == "023-63001234"
    assert party.contact_name == "李经理"
    assert not party.is_verified and party.verified_by is None
    assert user.role == Role.THIRD_PARTY
    assert user.username == "yingcai" and user.email == "hr@yingcai.example.cn"
    assert user.check_password(STRONG)
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert not is_verified_third_party.test(user)
    # The account's creation is in the audit trail, by the account itself.
    entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert entry.actor == user


def test_an_individual_registers_through_the_page_and_sees_what_happens_next() -> None:
    client = Client()
    response = client.post(REGISTER, form_data(individual()), follow=True)

    assert response.redirect_chain == [(reverse("portal:register_done"), 302)]
    party = ThirdParty.objects.get()
    assert (party.kind, party.id_number, party.credit_code) == (ThirdPartyKind.INDIVIDUAL, PERSON_ID, None)
    user = User.objects.get(third_party=party)
    assert user.username == "zhangjiancai" and user.display_name == "张荐才"
    page = response.content.decode()
    assert "注册已提交" in page and "zhangjiancai" in page and "待核验" in page
    assert PERSON_ID not in page and party.identity_number_masked in page


def test_a_social_organisation_registers_too() -> None:
    user = registration.third_party_register(
        data=agency(kind=ThirdPartyKind.SOCIAL_ORGANISATION, identity_number=make_uscc(777002), username="xiehui"),
        password=STRONG,
    )
    assert user.third_party is not None and user.third_party.kind == ThirdPartyKind.SOCIAL_ORGANISATION


# --- registration: refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "code", "words"),
    [
        pytest.param(
            agency(identity_number=PERSON_ID),
            "identity_number",
            "identity_wrong_kind",
            "身份证号码",
            id="agency-with-id-number",
        ),
        pytest.param(
            individual(identity_number=AGENCY_CODE),
            "identity_number",
            "identity_wrong_kind",
            "统一社会信用代码",
            id="individual-with-uscc",
        ),
        pytest.param(
            agency(identity_number=AGENCY_CODE[:-1] + ("0" if AGENCY_CODE[-1] != "0" else "1")),
            "identity_number",
            "uscc_checksum",
            "统一社会信用代码校验位",
            id="uscc-check-character",
        ),
        pytest.param(
            individual(identity_number=PERSON_ID[:-1] + ("1" if PERSON_ID[-1] != "1" else "2")),
            "identity_number",
            "id_checksum",
            "身份证号码校验位",
            id="id-check-digit",
        ),
        pytest.param(
            individual(identity_number="50011219990808"),
            "identity_number",
            "id_length",
            "身份证号码应为18位",
            id="id-too-short",
        ),
        pytest.param(agency(contact_name=""), "contact_name", "required", "联系人", id="organisation-without-contact"),
        pytest.param(agency(phone="12345"), "phone", "phone", "联系电话", id="bad-phone"),
        pytest.param(
            agency(bank_account="6222-abc-0001"), "bank_account", "bank_account", "银行账号", id="bad-bank-account"
        ),
        pytest.param(agency(bank_name=" "), "bank_name", "required", "开户银行", id="no-bank"),
        pytest.param(
            agency(username=AGENCY_CODE), "username", "username_is_identity", "用户名", id="username-is-a-credit-code"
        ),
        pytest.param(
            individual(username=PERSON_ID), "username", "username_is_identity", "用户名", id="username-is-an-id-number"
        ),
        pytest.param(agency(username="ying cai!"), "username", "username_format", "用户名", id="username-characters"),
    ],
)
def test_a_registration_is_refused_with_the_field_named(
    data: RegistrationData, field: str, code: str, words: str
) -> None:
    refused = refusal(data)
    assert [(error.field, error.code) for error in refused.errors] == [(field, code)]
    assert words in refused.errors[0].message
    assert not ThirdParty.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "words"),
    [
        pytest.param("Ab1-short", "太短", id="short"),
        pytest.param("20260101123456", "全是数字", id="numeric"),
        pytest.param("password123", "太常见", id="common"),
        pytest.param("yingcai2026", "相似", id="like-the-username"),
    ],
)
def test_a_weak_password_is_refused_by_djangos_validators(password: str, words: str) -> None:
    refused = refusal(agency(), password=password)
    assert {error.field for error in refused.errors} == {"password"}
    assert any(words in error.message and error.message.startswith("密码：") for error in refused.errors), [
        e.message for e in refused.errors
    ]
    assert not ThirdParty.objects.exists()


def test_a_credit_code_already_registered_is_refused_without_saying_by_whom() -> None:
    ThirdPartyFactory(credit_code=AGENCY_CODE, name="先注册的机构")
    refused = refusal(agency(identity_number=AGENCY_CODE.lower()))
    assert [error.code for error in refused.errors] == ["duplicate_identity"]
    assert refused.errors[0].message == "该统一社会信用代码已注册，请直接登录或联系市人才中心。"
    assert ThirdParty.objects.count() == 1


def test_an_id_number_already_registered_is_refused_without_saying_by_whom() -> None:
    ThirdPartyFactory(individual=True, id_number=PERSON_ID, name="王某")
    refused = refusal(individual(identity_number=PERSON_ID.lower()))
    assert [error.code for error in refused.errors] == ["duplicate_identity"]
    assert "已注册" in refused.errors[0].message and "王某" not in refused.errors[0].message
    assert ThirdParty.objects.count() == 1


def test_a_user_name_taken_in_any_case_is_refused() -> None:
    UserFactory(username="YingCai", role=Role.BUREAU_REVIEWER)
    refused = refusal(agency(username="yingcai"))
    assert [(error.field, error.code) for error in refused.errors] == [("username", "username_taken")]
    assert not ThirdParty.objects.exists()


def test_every_reason_is_given_at_once() -> None:
    refused = refusal(agency(identity_number="123", phone="x", bank_account="y", contact_name=""), password="123")
    assert {error.field for error in refused.errors} >= {
        "identity_number",
        "phone",
        "bank_account",
        "contact_name",
        "password",
    }


def test_nothing_is_left_behind_when_the_account_cannot_be_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Atomic: the user name is taken between the check and the insert (another registration won the race);
    the third party written just before is rolled back with it."""
    UserFactory(username="yingcai", role=Role.BUREAU_REVIEWER)

    def check_nothing(data: RegistrationData, checked: Any) -> None:
        checked.values["username"] = data.username

    monkeypatch.setattr(registration, "_check_username", check_nothing)
    refused = refusal(agency())
    assert [(error.field, error.code) for error in refused.errors] == [("username", "username_taken")]
    assert not ThirdParty.objects.exists()
    assert User.objects.count() == 1


def test_the_page_shows_each_refusal_under_its_field_and_keeps_what_was_typed() -> None:
    ThirdPartyFactory(credit_code=AGENCY_CODE)
    client = Client()
    mistyped = client.post(REGISTER, form_data(agency(phone="12345"), confirm="something-else"))
    assert mistyped.status_code == 200
    assert "确认密码：两次输入的密码不一致。" in mistyped.content.decode()

    response = client.post(REGISTER, form_data(agency(phone="12345", bank_account="abc")))
    assert response.status_code == 200
    page = response.content.decode()
    assert "该统一社会信用代码已注册，请直接登录或联系市人才中心。" in page
    assert "联系电话格式不正确" in page
    assert "银行账号只能包含数字" in page
    assert page.count("invalid-feedback d-block") == 3
    assert "重庆英才人力资源服务有限公司" in page  # kept for correction
    assert STRONG not in page  # passwords are never echoed back
    assert ThirdParty.objects.count() == 1 and not User.objects.filter(role=Role.THIRD_PARTY).exists()


def test_the_form_needs_a_kind_and_names_each_missing_field() -> None:
    response = Client().post(REGISTER, {})
    page = response.content.decode()
    for words in ("注册类别：请选择", "名称/姓名：请填写", "用户名：请填写", "密码：请设置密码"):
        assert words in page


def test_registrations_are_rate_limited_per_address() -> None:
    client = Client()
    for n in range(10):
        client.post(REGISTER, form_data(agency(identity_number=make_uscc(778000 + n), username=f"jigou{n}")))
    assert ThirdParty.objects.count() == 10
    response = client.post(REGISTER, form_data(agency(identity_number=make_uscc(778100), username="jigou-late")))
    assert response.status_code == 429
    assert "注册尝试过于频繁" in response.content.decode()
    assert ThirdParty.objects.count() == 10
    # Another address is not held back.
    other = Client(REMOTE_ADDR="10.9.9.9").post(
        REGISTER, form_data(agency(identity_number=make_uscc(778100), username="jigou-late"))
    )
    assert other.status_code == 302


def test_invalid_registrations_count_towards_the_limit_too() -> None:
    """Each submission costs a password hash and lookups, valid or not: the eleventh within the hour is refused
    unchecked, with the form as sent (passwords left out) and the reason."""
    client = Client()
    for _ in range(10):
        response = client.post(REGISTER, {"name": "重庆某某人力资源有限公司", "password": "short"})
        assert response.status_code == 200 and "注册尝试过于频繁" not in response.content.decode()
    response = client.post(REGISTER, form_data(agency(identity_number=make_uscc(778200), username="jigou-after")))
    page = response.content.decode()
    assert response.status_code == 429
    assert "注册尝试过于频繁，请一小时后再试" in page
    assert 'value="jigou-after"' in page
    assert not ThirdParty.objects.exists()


def test_the_register_form_carries_a_csrf_token_and_refuses_a_post_without_one() -> None:
    page = Client().get(REGISTER).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    response = Client(enforce_csrf_checks=True).post(REGISTER, form_data(agency()))
    assert response.status_code == 403
    assert not ThirdParty.objects.exists()


def test_the_login_page_links_to_registration_and_a_signed_in_user_is_sent_to_work() -> None:
    login_page = Client().get(LOGIN).content.decode()
    assert 'href="/register/"' in login_page and "第三方机构/个人注册" in login_page
    client = Client()
    client.force_login(UserFactory(centre=True))
    response = client.get(REGISTER)
    assert response.status_code == 302 and response["Location"] == reverse("portal:workspace")


# --- after registering: sign-in and the unverified state -----------------------------------------------------------


def test_a_registered_agency_signs_in_by_user_name_or_credit_code_and_sees_it_awaits_verification() -> None:
    registration.third_party_register(data=agency(), password=STRONG)
    sign_in("yingcai")
    client = sign_in(AGENCY_CODE.lower())
    page = client.get(reverse("portal:workspace")).content.decode()
    assert "注册信息待核验" in page and "暂不能申报引才补助" in page


def test_once_verified_the_third_party_may_claim_and_the_notice_goes() -> None:
    user = registration.third_party_register(data=individual(), password=STRONG)
    assert user.third_party is not None
    verification.third_party_verify(third_party=user.third_party, by=UserFactory(centre=True))
    user = User.objects.get(pk=user.pk)
    assert is_verified_third_party.test(user)
    page = sign_in("zhangjiancai").get(reverse("portal:workspace")).content.decode()
    assert "注册信息待核验" not in page


def test_only_third_party_accounts_count_as_verified_third_parties() -> None:
    assert not is_verified_third_party.test(UserFactory(centre=True))
    assert not is_verified_third_party.test(UserFactory(admin=True))


# --- verification -------------------------------------------------------------------------------------------------


def _verify_url(party: ThirdParty) -> str:
    return reverse("portal:third_party_verify", args=[party.pk])


def test_a_talent_centre_officer_verifies_and_it_is_recorded() -> None:
    party = ThirdPartyFactory()
    officer = UserFactory(centre=True)
    client = Client()
    client.force_login(officer)
    response = client.post(_verify_url(party), follow=True)

    assert response.status_code == 200
    assert f"已核验：{party.name}" in response.content.decode()
    party.refresh_from_db()
    assert party.is_verified and party.verified_by == officer
    entry = LogEntry.objects.get_for_object(party).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == officer
    assert "verified_at" in entry.changes_dict and "verified_by" in entry.changes_dict


def test_an_admin_verifies_too() -> None:
    party = ThirdPartyFactory(individual=True)
    admin = UserFactory(admin=True)
    verification.third_party_verify(third_party=party, by=admin)
    party.refresh_from_db()
    assert party.verified_by == admin


def test_verifying_twice_is_a_clear_message_not_an_error_page() -> None:
    party = ThirdPartyFactory()
    first, second = UserFactory(centre=True), UserFactory(centre=True)
    verification.third_party_verify(third_party=party, by=first)
    client = Client()
    client.force_login(second)
    response = client.post(_verify_url(party), follow=True)
    assert response.status_code == 200
    assert "无需重复核验" in response.content.decode()
    party.refresh_from_db()
    assert party.verified_by == first
    assert LogEntry.objects.get_for_object(party).filter(action=LogEntry.Action.UPDATE).count() == 1


@pytest.mark.parametrize(
    "traits",
    [
        {"clerk": True},
        {"district_reviewer": True},
        {"bureau": True},
        {"third_party_user": True},
        {"employer_user": True},
    ],
    ids=["clerk", "district-reviewer", "bureau", "third-party", "employer"],
)
def test_nobody_else_verifies_or_sees_the_list(traits: dict[str, bool]) -> None:
    party = ThirdPartyFactory()
    user = UserFactory(**traits)
    client = Client()
    client.force_login(user)
    assert client.post(_verify_url(party)).status_code == 403
    assert client.get(reverse("portal:third_party_list")).status_code == 403
    assert client.post(reverse("portal:third_party_reveal", args=[party.pk, "bank_account"])).status_code == 403
    with pytest.raises(PermissionDenied):
        verification.third_party_verify(third_party=party, by=user)
    party.refresh_from_db()
    assert not party.is_verified
    assert not PersonalDataAccess.objects.exists()


def test_a_third_party_cannot_verify_itself() -> None:
    user = registration.third_party_register(data=agency(), password=STRONG)
    assert user.third_party is not None
    assert Client().post(_verify_url(user.third_party)).status_code == 302  # anonymous: to the login page
    client = sign_in("yingcai")
    assert client.post(_verify_url(user.third_party)).status_code == 403
    assert not rules.has_perm("portal.verify_third_party", user)


def test_verification_is_a_post() -> None:
    client = Client()
    client.force_login(UserFactory(centre=True))
    assert client.get(_verify_url(ThirdPartyFactory())).status_code == 405


# --- the verification list -----------------------------------------------------------------------------------------


def _list(user: User, **params: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("portal:third_party_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_pending_first_and_masks_id_numbers_and_bank_accounts() -> None:
    officer = UserFactory(centre=True)
    verified = ThirdPartyFactory(name="甲已核验机构", bank_account="6222000011112222")
    verification.third_party_verify(third_party=verified, by=officer)
    assert verified.credit_code is not None
    person = ThirdPartyFactory(individual=True, name="乙待核验个人", bank_account="6222000033334444")
    UserFactory(third_party_user=True, third_party=person, username="yi-account")

    page = _list(officer)
    assert page.index("乙待核验个人") < page.index("甲已核验机构")
    assert person.id_number not in page and person.identity_number_masked in page
    assert "6222000033334444" not in page and "****4444" in page
    assert "6222000011112222" not in page
    assert verified.credit_code in page  # a credit code is public registry data
    assert "yi-account" in page and "待核验" in page and "已核验" in page
    assert "核验通过" in page


def test_the_list_filters_by_state_and_searches_by_name_code_or_whole_id_number() -> None:
    officer = UserFactory(admin=True)
    agency_party = ThirdPartyFactory(name="渝才猎头")
    person = ThirdPartyFactory(individual=True, name="赵个人")
    verification.third_party_verify(third_party=agency_party, by=officer)

    pending = _list(officer, status="pending")
    assert "赵个人" in pending and "渝才猎头" not in pending
    assert "渝才猎头" in _list(officer, status="verified")
    assert "渝才猎头" in _list(officer, q="猎头") and "赵个人" not in _list(officer, q="猎头")
    assert agency_party.credit_code is not None
    assert "渝才猎头" in _list(officer, q=agency_party.credit_code[-8:])
    assert person.id_number is not None
    assert "赵个人" in _list(officer, q=person.id_number.lower())
    assert "赵个人" not in _list(officer, q=person.id_number[:10])  # no search by part of an ID number


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_parties(django_assert_max_num_queries: Any) -> None:
    officer = UserFactory(centre=True)
    client = Client()
    client.force_login(officer)
    made = 0
    numbers = []
    for total in (3, 30):
        while made < total:
            party = ThirdPartyFactory(individual=bool(made % 2))
            UserFactory(third_party_user=True, third_party=party)
            if made % 3 == 0:
                verification.third_party_verify(third_party=party, by=officer)
            made += 1
        # Mine: count, pending count, the page, the accounts (one prefetch). The rest: session, user, the device
        # that verified the officer's second factor, the menu's unread notifications, the session renewal
        # (savepoint, update, release).
        with django_assert_max_num_queries(11) as captured:
            response = client.get(reverse("portal:third_party_list"))
        numbers.append(len(captured))
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count("核验通过</button>") == len([n for n in range(total) if n % 3])
        assert page.count("portal-id-number") == 2 * total  # every row: its code or masked ID, its masked account
    assert numbers[0] == numbers[1]


def test_an_officer_reveals_a_whole_number_and_it_is_recorded() -> None:
    officer = UserFactory(centre=True)
    person = ThirdPartyFactory(individual=True, bank_account="6222000055556666")
    client = Client()
    client.force_login(officer)

    response = client.post(reverse("portal:third_party_reveal", args=[person.pk, "id_number"]), REMOTE_ADDR="10.2.3.4")
    assert response.status_code == 200 and person.id_number in response.content.decode()
    response = client.post(reverse("portal:third_party_reveal", args=[person.pk, "bank_account"]))
    assert "6222000055556666" in response.content.decode()

    accesses = PersonalDataAccess.objects.order_by("accessed_at", "pk")
    assert [(a.user, a.field, a.object_id) for a in accesses] == [
        (officer, "id_number", person.pk),
        (officer, "bank_account", person.pk),
    ]
    assert accesses[0].content_type == ContentType.objects.get_for_model(ThirdParty)
    assert accesses[0].remote_addr == "10.2.3.4"
    # Only these two fields, and only when there is something to show.
    assert client.post(reverse("portal:third_party_reveal", args=[person.pk, "name"])).status_code == 404
    organisation = ThirdPartyFactory()
    assert client.post(reverse("portal:third_party_reveal", args=[organisation.pk, "id_number"])).status_code == 404
    assert PersonalDataAccess.objects.count() == 2


# --- menu and work queues ------------------------------------------------------------------------------------------


def test_the_centre_and_admins_find_the_list_in_the_menu_and_a_queue_of_pending_registrations() -> None:
    ThirdPartyFactory.create_batch(2)
    verification.third_party_verify(third_party=ThirdPartyFactory(), by=UserFactory(admin=True))
    for officer in (UserFactory(centre=True), UserFactory(admin=True)):
        client = Client()
        client.force_login(officer)
        page = client.get(reverse("portal:workspace")).content.decode()
        assert "第三方核验" in page and "待核验的第三方" in page
        assert f'href="{reverse("portal:third_party_list")}?status=pending"' in page
    clerk = Client()
    clerk.force_login(UserFactory(clerk=True))
    assert "第三方核验" not in clerk.get(reverse("portal:workspace")).content.decode()


def test_the_pending_queue_counts_unverified_parties() -> None:
    from portal.queues import verification_queues

    ThirdPartyFactory.create_batch(3)
    verification.third_party_verify(third_party=ThirdPartyFactory(), by=UserFactory(admin=True))
    [queue] = verification_queues(UserFactory(centre=True))
    assert queue.count == 3
