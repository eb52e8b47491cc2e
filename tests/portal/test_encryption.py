"""ID numbers and bank accounts encrypted at rest, found and kept unique through a keyed digest (portal.security.crypto)."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings

from portal.errors import PortalError
from portal.imports.bulk import bulk_insert
from portal.models import PersonalDataAccess, ThirdParty
from portal.security import crypto
from portal.security.crypto import FieldDecryptionError, keyed_digest
from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY
from referrals.models import Hire
from referrals.services import HireData, hire_record
from subsidies.models import Claim
from tests.factories import (
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

NEW_KEY = Fernet.generate_key().decode()


def _raw(model: type[Any], pk: int, *columns: str) -> tuple[Any, ...]:
    """The columns as stored, read past the ORM."""
    quote = connection.ops.quote_name
    sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def _claim_with_account(account: str) -> Claim:
    party = ThirdPartyFactory(verified=True)
    user = UserFactory(third_party_user=True, third_party=party)
    employer = PositionFactory().employer
    return Claim.objects.create(
        reference="BZ-TEST-1",
        verification_code="ABCDEFGH",
        third_party=party,
        employer=employer,
        employer_contact="张经理",
        employer_phone="023-45678901",
        bank_name="中国银行",
        bank_account=account,
        status_since="2026-01-01T00:00:00+08:00",
        created_by=user,
    )


def test_the_columns_hold_tokens_and_the_models_give_the_numbers_back() -> None:
    number = make_id_number(101)
    hire = HireFactory(id_number=number)
    party = ThirdPartyFactory(individual=True, bank_account="6222020200112233445")
    claim = _claim_with_account("6222020200998877665")

    stored, digest = _raw(Hire, hire.pk, "id_number", "id_number_digest")
    assert stored.startswith("gAAAAA") and number not in stored and number[-6:] not in stored
    assert digest == keyed_digest(number) and number not in digest
    party_id, party_account = _raw(ThirdParty, party.pk, "id_number", "bank_account")
    assert party.id_number not in party_id and "6222020200112233445" not in party_account
    (claim_account,) = _raw(Claim, claim.pk, "bank_account")
    assert "6222020200998877665" not in claim_account and claim_account.startswith("gAAAAA")

    assert Hire.objects.get(pk=hire.pk).id_number == number
    assert Hire.objects.values_list("id_number", flat=True).get(pk=hire.pk) == number
    reread = ThirdParty.objects.get(pk=party.pk)
    assert (reread.id_number, reread.bank_account) == (party.id_number, "6222020200112233445")
    assert Claim.objects.get(pk=claim.pk).bank_account == "6222020200998877665"


def test_the_same_number_never_gives_the_same_token_but_always_the_same_digest() -> None:
    number = make_id_number(102)
    first = HireFactory(id_number=number, programme="qihang")
    second = HireFactory(id_number=number.lower(), programme="haiju")  # lower-case x: the same person
    (token_1, digest_1), (token_2, digest_2) = (
        _raw(Hire, first.pk, "id_number", "id_number_digest"),
        _raw(Hire, second.pk, "id_number", "id_number_digest"),
    )
    assert token_1 != token_2 and digest_1 == digest_2


def test_an_organisation_has_no_id_number_and_no_digest() -> None:
    agency = ThirdPartyFactory()
    assert _raw(ThirdParty, agency.pk, "id_number", "id_number_digest") == (None, None)
    assert ThirdParty.objects.filter(id_number__isnull=True, id_number=None).count() == 1


def test_looking_an_encrypted_number_up_by_value_is_refused_not_silently_empty() -> None:
    hire = HireFactory()
    with pytest.raises(FieldError, match="keyed digest"):
        list(Hire.objects.filter(id_number=hire.id_number))
    with pytest.raises(FieldError, match="keyed digest"):
        # A dict, not a keyword: the django-stubs plugin checks look-ups by calling the field's get_lookup, which
        # refuses this one by design (the plugin would crash instead of reporting it).
        list(Hire.objects.filter(**{"id_number__startswith": "500103"}))
    assert list(Hire.objects.filter(id_number_digest=keyed_digest(hire.id_number))) == [hire]


def test_a_duplicate_hire_in_another_district_is_still_refused_in_chinese() -> None:
    number = make_id_number(103)
    first_post, other_post = PositionFactory(published=True), PositionFactory(published=True)
    first_post.district.name = "铜梁区"
    first_post.district.save()

    def record(post: Any, typed: str) -> Hire:
        clerk = UserFactory(clerk=True, district=post.district)
        data = HireData(
            position=post, name="张三", id_number=typed, mode="full_time", contract_term="3年", programme="qihang"
        )
        return hire_record(data=data, by=clerk)

    record(first_post, number)
    with pytest.raises(PortalError, match=r"该身份证号码已在铜梁区登记为.*启航专项引进人才，不能重复登记") as refused:
        record(other_post, " ".join([number[:6], number[6:]]))  # typed differently, the same person
    assert number not in str(refused.value)


def test_the_database_refuses_the_same_digest_programme_and_year_without_quoting_the_number() -> None:
    number = make_id_number(104)
    HireFactory(id_number=number, programme="qihang", year=2026)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        HireFactory(id_number=number, programme="qihang", year=2026)
    # PostgreSQL quotes the key in its message: the digest, never the number.
    assert number not in str(refused.value)
    HireFactory(id_number=number, programme="qihang", year=2027)  # another year is another introduction


def test_an_update_of_the_number_without_its_digest_is_refused() -> None:
    hire = HireFactory()
    hire.id_number = make_id_number(105)
    with pytest.raises(ValueError, match="id_number_digest"):
        hire.save(update_fields=["id_number"])
    hire.save(update_fields=["id_number", "id_number_digest"])
    assert _raw(Hire, hire.pk, "id_number_digest") == (keyed_digest(make_id_number(105)),)


def test_a_set_based_insert_encrypts_and_digests_too() -> None:
    number = make_id_number(106)
    template = HireFactory.build(position=PositionFactory(published=True), id_number=number)
    template.recorded_by = UserFactory(clerk=True, district=template.district)
    row = {
        field.attname: getattr(template, field.attname)
        for field in Hire._meta.concrete_fields
        if not field.primary_key and field.attname not in {"created_at", "updated_at"}
    } | {"created_at": "2026-03-01T00:00:00+08:00", "updated_at": "2026-03-01T00:00:00+08:00"}
    bulk_insert(Hire, [row])  # COPY on PostgreSQL, bulk_create elsewhere
    hire = Hire.objects.get(id_number_digest=keyed_digest(number))
    assert hire.id_number == number
    assert number not in _raw(Hire, hire.pk, "id_number")[0]


def test_the_audit_trail_keeps_the_last_four_characters_only() -> None:
    number = make_id_number(107)
    post = PositionFactory(published=True)
    clerk = UserFactory(clerk=True, district=post.district)
    hire = hire_record(
        data=HireData(
            position=post,
            name="李四",
            id_number=number,
            mode="full_time",
            contract_term="3年",
            work_experience="2016年起",
        ),
        by=clerk,
    )
    party = ThirdPartyFactory(individual=True, bank_account="6222020200112233445")
    hire_entry = LogEntry.objects.get_for_object(hire).get()
    party_entry = LogEntry.objects.get_for_object(party).get()
    assert hire_entry.changes["id_number"] == ["None", "****" + number[-4:]]
    assert "id_number_digest" not in hire_entry.changes
    assert party_entry.changes["bank_account"] == ["None", "****3445"]
    trail = str(hire_entry.changes) + str(party_entry.changes)
    assert number[-8:] not in trail and party.id_number[-8:] not in trail and "gAAAAA" not in trail


def test_a_wrong_key_is_a_clear_error_not_garbage() -> None:
    hire = HireFactory()
    with override_settings(PORTAL_FIELD_KEYS=[NEW_KEY]), pytest.raises(FieldDecryptionError) as refused:
        Hire.objects.get(pk=hire.pk)
    message = str(refused.value)
    assert "referrals.Hire.id_number" in message and "PORTAL_FIELD_KEYS" in message
    assert hire.id_number not in message and "gAAAAA" not in message


def test_rotation_re_encrypts_every_row_with_the_newest_key(capsys: pytest.CaptureFixture[str]) -> None:
    hire = HireFactory()
    party = ThirdPartyFactory(individual=True)
    claim = _claim_with_account("6222020200998877665")
    new_hmac = "a-new-hmac-key-for-this-test-only-0123456789"
    with override_settings(PORTAL_FIELD_KEYS=[NEW_KEY, DEVELOPMENT_FIELD_KEY], PORTAL_HMAC_KEY=new_hmac):
        call_command("rotate_field_keys")
        assert "referrals.Hire 1行" in capsys.readouterr().out
        assert Hire.objects.get(pk=hire.pk).id_number == hire.id_number  # readable throughout

    only_new = Fernet(NEW_KEY.encode())
    assert only_new.decrypt(_raw(Hire, hire.pk, "id_number")[0].encode()).decode() == hire.id_number
    token, account = _raw(ThirdParty, party.pk, "id_number", "bank_account")
    assert only_new.decrypt(token.encode()).decode() == party.id_number
    assert only_new.decrypt(account.encode()).decode() == party.bank_account
    assert only_new.decrypt(_raw(Claim, claim.pk, "bank_account")[0].encode()).decode() == "6222020200998877665"
    with override_settings(PORTAL_FIELD_KEYS=[NEW_KEY], PORTAL_HMAC_KEY=new_hmac):
        # The old key can go; the digests follow the new HMAC key.
        assert Hire.objects.get(id_number_digest=keyed_digest(hire.id_number)).id_number == hire.id_number
        assert ThirdParty.objects.get(id_number_digest=keyed_digest(party.id_number)) == party
    with pytest.raises(FieldDecryptionError):  # and the development key alone no longer reads them
        Hire.objects.get(pk=hire.pk)


def test_rotation_without_the_old_key_stops_with_a_clear_error() -> None:
    HireFactory()
    with override_settings(PORTAL_FIELD_KEYS=[NEW_KEY]), pytest.raises(CommandError, match="无法解密"):
        call_command("rotate_field_keys")


def test_generate_key_prints_a_usable_fernet_key(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("rotate_field_keys", "--generate-key")
    Fernet(capsys.readouterr().out.strip().encode())


def test_existing_plaintext_rows_are_encrypted_by_the_migration_step_once() -> None:
    hire, party = HireFactory(), ThirdPartyFactory(individual=True)
    with connection.cursor() as cursor:  # rows as they were before encryption
        cursor.execute(
            "UPDATE referrals_hire SET id_number = %s, id_number_digest = NULL WHERE id = %s", [hire.id_number, hire.pk]
        )
        cursor.execute(
            "UPDATE portal_thirdparty SET id_number = %s, bank_account = %s WHERE id = %s",
            [party.id_number, party.bank_account, party.pk],
        )
    crypto.encrypt_table_columns(
        connection, table="referrals_hire", columns=["id_number"], digests={"id_number_digest": "id_number"}
    )
    crypto.encrypt_table_columns(
        connection,
        table="portal_thirdparty",
        columns=["id_number", "bank_account"],
        digests={"id_number_digest": "id_number"},
    )
    once = _raw(Hire, hire.pk, "id_number", "id_number_digest")
    assert hire.id_number not in once[0] and once[1] == keyed_digest(hire.id_number)
    assert ThirdParty.objects.get(pk=party.pk).bank_account == party.bank_account
    crypto.encrypt_table_columns(
        connection, table="referrals_hire", columns=["id_number"], digests={"id_number_digest": "id_number"}
    )
    assert _raw(Hire, hire.pk, "id_number", "id_number_digest") == once  # a rerun changes nothing

    crypto.decrypt_table_columns(
        connection, table="referrals_hire", columns=["id_number"], digests=["id_number_digest"]
    )
    assert _raw(Hire, hire.pk, "id_number", "id_number_digest") == (hire.id_number, None)


def test_admins_find_a_person_by_the_whole_id_number_and_their_look_is_recorded() -> None:
    admin = UserFactory(admin=True)
    client = Client()
    client.force_login(admin)
    wanted, other = HireFactory(name="王五"), HireFactory(name="赵六")
    page = client.get("/admin/referrals/hire/", {"q": wanted.id_number.lower()}).content.decode()
    assert "王五" in page and "赵六" not in page
    assert "赵六" in client.get("/admin/referrals/hire/", {"q": "赵六"}).content.decode()

    party = ThirdPartyFactory(individual=True, name="荐才个人甲")
    page = client.get("/admin/portal/thirdparty/", {"q": party.id_number}).content.decode()
    assert "荐才个人甲" in page
    assert client.get(f"/admin/portal/thirdparty/{party.pk}/change/").status_code == 200
    assert set(PersonalDataAccess.objects.filter(object_id=party.pk).values_list("field", flat=True)) == {
        "id_number",
        "bank_account",
    }
    assert other.pk != wanted.pk


def test_the_development_keys_are_what_the_test_settings_use() -> None:
    # The deploy check refuses exactly these (tests/portal/test_deploy.py); keep the two in step.
    assert crypto.field_keys() == (DEVELOPMENT_FIELD_KEY,)
    assert crypto.hmac_key() == DEVELOPMENT_HMAC_KEY.encode()
