"""Every field that more than one door takes (the page's form, the API's serializer, the sheet import's column, the
model's column) refuses the same over-long or out-of-range input, with a Chinese message, and takes the same edge
values: the longest text exactly, 9,999 people, 30,000.00 yuan written as "30,000" or in full-width digits."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, cast

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from rest_framework import serializers

from portal import limits
from portal.errors import PortalError
from portal.limits import TextLimit, parse_amount
from portal.models import District, Employer, SubsidyCap, ThirdParty, User
from portal.web.forms import ThirdPartyDetailsForm
from positions.forms import PositionForm
from positions.importing import COL_EMPLOYER, COL_HEADCOUNT, COL_MAJORS, COL_SALARY, preview_positions
from positions.models import Position
from positions.serializers import PositionWriteSerializer
from referrals.forms import HireForm, ObjectionForm, PublishForm
from referrals.importing import preview_hires
from referrals.models import Hire, Objection, PublicityNotice
from referrals.serializers import HireWriteSerializer, NoticePublishSerializer, ObjectionLodgeSerializer
from subsidies.forms import ClaimForm
from subsidies.models import Claim
from subsidies.serializers import AmountField, ClaimWriteSerializer
from tests.factories import EmployerFactory, PositionFactory, ThirdPartyFactory, UserFactory, claimable_hire
from tests.positions import test_importing as annex1
from tests.referrals import test_importing as annex3

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Field:
    """One field and the doors it has: (form class, field), (serializer class, field), (model, field), and the
    sheet column that takes it (Annex 1 by its ``annex1.row`` key, Annex 3 by its column name)."""

    limit: TextLimit
    form: tuple[type[forms.Form], str]
    serializer: tuple[type[serializers.Serializer[Any]], str] | None = None
    model: tuple[type[models.Model], str] | None = None
    annex1: tuple[str, str] | None = None  # (row key, column header)
    annex3: str | None = None


FIELDS: dict[str, Field] = {
    # Annex 1: posts
    "post.employer": Field(
        limits.EMPLOYER_NAME, (PositionForm, "new_employer_name"), None, (Employer, "name"), ("employer", COL_EMPLOYER)
    ),
    "post.credit_code": Field(limits.CREDIT_CODE_INPUT, (PositionForm, "new_employer_credit_code")),
    "post.name": Field(
        limits.POSITION_NAME,
        (PositionForm, "name"),
        (PositionWriteSerializer, "name"),
        (Position, "name"),
        ("bounty", "揭榜招贤"),
    ),
    "post.majors": Field(
        limits.MAJORS,
        (PositionForm, "majors"),
        (PositionWriteSerializer, "majors"),
        (Position, "majors"),
        ("majors", COL_MAJORS),
    ),
    "post.salary_text": Field(
        limits.SALARY_TEXT,
        (PositionForm, "salary_text"),
        (PositionWriteSerializer, "salary_text"),
        (Position, "salary_text"),
        ("salary", COL_SALARY),
    ),
    # Annex 3: hires
    "hire.name": Field(
        limits.PERSON_NAME, (HireForm, "name"), (HireWriteSerializer, "name"), (Hire, "name"), annex3="姓名"
    ),
    "hire.id_number": Field(limits.ID_NUMBER_INPUT, (HireForm, "id_number"), (HireWriteSerializer, "id_number")),
    "hire.contract_term": Field(
        limits.CONTRACT_TERM,
        (HireForm, "contract_term"),
        (HireWriteSerializer, "contract_term"),
        (Hire, "contract_term"),
        annex3="劳动合同期限",
    ),
    "hire.school": Field(
        limits.SCHOOL, (HireForm, "school"), (HireWriteSerializer, "school"), (Hire, "school"), annex3="毕业院校"
    ),
    "hire.major": Field(
        limits.MAJOR, (HireForm, "major"), (HireWriteSerializer, "major"), (Hire, "major"), annex3="专业"
    ),
    "hire.title_rank": Field(
        limits.TITLE_RANK,
        (HireForm, "title_rank"),
        (HireWriteSerializer, "title_rank"),
        (Hire, "title_rank"),
        annex3="职称职级",
    ),
    "hire.skill_level": Field(
        limits.SKILL_LEVEL,
        (HireForm, "skill_level"),
        (HireWriteSerializer, "skill_level"),
        (Hire, "skill_level"),
        annex3="技能等级",
    ),
    # publicity and objections
    "notice.title": Field(
        limits.NOTICE_TITLE, (PublishForm, "title"), (NoticePublishSerializer, "title"), (PublicityNotice, "title")
    ),
    "objection.name": Field(
        limits.OBJECTOR_NAME, (ObjectionForm, "name"), (ObjectionLodgeSerializer, "name"), (Objection, "name")
    ),
    "objection.phone": Field(
        limits.PHONE, (ObjectionForm, "phone"), (ObjectionLodgeSerializer, "phone"), (Objection, "phone")
    ),
    "objection.statement": Field(
        limits.OBJECTION_STATEMENT, (ObjectionForm, "statement"), (ObjectionLodgeSerializer, "statement")
    ),
    # Annex 2: claims
    "claim.employer_contact": Field(
        limits.EMPLOYER_CONTACT,
        (ClaimForm, "employer_contact"),
        (ClaimWriteSerializer, "employer_contact"),
        (Claim, "employer_contact"),
    ),
    "claim.employer_phone": Field(
        limits.EMPLOYER_PHONE,
        (ClaimForm, "employer_phone"),
        (ClaimWriteSerializer, "employer_phone"),
        (Claim, "employer_phone"),
    ),
    # third parties' registration (the form, and the model the admin and the service check against)
    "third_party.name": Field(limits.THIRD_PARTY_NAME, (ThirdPartyDetailsForm, "name"), None, (ThirdParty, "name")),
    "third_party.identity_number": Field(limits.IDENTITY_NUMBER_INPUT, (ThirdPartyDetailsForm, "identity_number")),
    "third_party.contact_name": Field(
        limits.CONTACT_NAME, (ThirdPartyDetailsForm, "contact_name"), None, (ThirdParty, "contact_name")
    ),
    "third_party.phone": Field(limits.PHONE, (ThirdPartyDetailsForm, "phone"), None, (ThirdParty, "phone")),
    "third_party.bank_name": Field(
        limits.BANK_NAME, (ThirdPartyDetailsForm, "bank_name"), None, (ThirdParty, "bank_name")
    ),
    "third_party.bank_account": Field(limits.BANK_ACCOUNT_INPUT, (ThirdPartyDetailsForm, "bank_account")),
}


def _form_refusal(field: Field, value: Any) -> str | None:
    form_class, name = field.form
    try:
        form_class.base_fields[name].clean(value)
    except ValidationError as error:
        # The length, not the format checks the field also runs (an ID number's is tested with portal.identity).
        refusals = [message for part in error.error_list if part.code == "max_length" for message in part.messages]
        return " ".join(refusals) or None
    return None


def _serializer_refusal(field: Field, value: Any) -> str | None:
    assert field.serializer is not None
    serializer_class, name = field.serializer
    try:
        serializer_class().fields[name].run_validation(value)
    except serializers.ValidationError as error:
        return " ".join(str(detail) for detail in error.detail)
    return None


def _model_refusal(field: Field, value: Any) -> str | None:
    assert field.model is not None
    model, name = field.model
    # The column's length, not its format checks (a phone's pattern is tested with portal.identity).
    column = model._meta.get_field(name)
    assert isinstance(column, models.Field), (model, name)
    lengths = [v for v in column.validators if isinstance(v, MaxLengthValidator)]
    assert lengths, (model, name)
    try:
        for validator in lengths:
            validator(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _doors(field: Field) -> list[Any]:
    doors: list[Any] = [_form_refusal]
    if field.serializer:
        doors.append(_serializer_refusal)
    if field.model:
        doors.append(_model_refusal)
    return doors


@pytest.mark.parametrize("key", FIELDS)
def test_every_door_refuses_one_character_too_many_in_chinese(key: str) -> None:
    field = FIELDS[key]
    too_long = "字" * (field.limit.max_length + 1)
    for door in _doors(field):
        refusal = door(field, too_long)
        assert refusal and CHINESE.search(refusal), (key, door.__name__, refusal)
        assert str(field.limit.max_length) in refusal, (key, door.__name__, refusal)


@pytest.mark.parametrize("key", FIELDS)
def test_every_door_takes_the_longest_text_exactly(key: str) -> None:
    field = FIELDS[key]
    longest = "字" * field.limit.max_length
    for door in _doors(field):
        assert door(field, longest) is None, (key, door.__name__)


@pytest.mark.parametrize("key", [key for key, field in FIELDS.items() if field.model])
def test_the_model_column_is_the_declared_length(key: str) -> None:
    field = FIELDS[key]
    assert field.model is not None
    model, name = field.model
    column = model._meta.get_field(name)
    assert isinstance(column, models.Field), (model, name)
    assert column.max_length == field.limit.max_length


# --- the sheet imports ------------------------------------------------------------------------------------------


def _annex1_errors(tmp_path: Path, district: District, **overrides: Any) -> dict[str, list[str]]:
    sheet = annex1.write_sheet(tmp_path / "annex1.xlsx", [annex1.row(1, **overrides)])
    clerk = UserFactory(clerk=True, district=district)
    preview = preview_positions(file=sheet, district=district, period=annex1.PERIOD, by=clerk)
    found: dict[str, list[str]] = {}
    for error in preview.errors:
        found.setdefault(error.column, []).append(error.message)
    return found


def _annex3_errors(tmp_path: Path, district: District, clerk: User, **overrides: Any) -> dict[str, list[str]]:
    post = PositionFactory(batch__district=district, published=True, name="智能制造工程师", recruits_graduates=True)
    sheet = annex3.write_sheet(tmp_path / "annex3.xlsx", [annex3.person(1, post.name, **overrides)])
    preview = preview_hires(file=sheet, district=district, by=clerk)
    found: dict[str, list[str]] = {}
    for error in preview.errors:
        found.setdefault(error.column, []).append(error.message)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("key", [key for key, field in FIELDS.items() if field.annex1])
def test_the_annex1_column_takes_and_refuses_what_the_form_does(key: str, tmp_path: Path, tongliang: District) -> None:
    field = FIELDS[key]
    assert field.annex1 is not None
    row_key, column = field.annex1
    limit = field.limit.max_length
    # Distinct names for the two rows' employers, so the longest name is a new employer, not a clash.
    assert column not in _annex1_errors(tmp_path, tongliang, **{row_key: "甲" * limit})
    refused = _annex1_errors(tmp_path, tongliang, **{row_key: "甲" * (limit + 1)})[column]
    assert refused == [f"不能超过{limit}个字（现有{limit + 1}个）。"]
    assert _form_refusal(field, "甲" * (limit + 1))


@pytest.mark.django_db
@pytest.mark.parametrize("key", [key for key, field in FIELDS.items() if field.annex3])
def test_the_annex3_column_takes_and_refuses_what_the_form_does(
    key: str, tmp_path: Path, district: District, clerk: User
) -> None:
    field = FIELDS[key]
    assert field.annex3 is not None
    limit = field.limit.max_length
    assert field.annex3 not in _annex3_errors(tmp_path, district, clerk, **{field.annex3: "甲" * limit})
    refused = _annex3_errors(tmp_path, district, clerk, **{field.annex3: "甲" * (limit + 1)})[field.annex3]
    assert refused == [f"不能超过{limit}个字（现有{limit + 1}个）。"]
    assert _form_refusal(field, "甲" * (limit + 1))


# --- 需求人数: 1..9999 in the form, the API and Annex 1 ---------------------------------------------------------------


def _headcount_form(value: Any) -> str | None:
    try:
        PositionForm.base_fields["headcount"].clean(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _headcount_serializer(value: Any) -> str | None:
    try:
        PositionWriteSerializer().fields["headcount"].run_validation(value)
    except serializers.ValidationError as error:
        return " ".join(str(detail) for detail in error.detail)
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", None),
        ("9999", None),
        ("９９９９", None),  # full-width digits, as a Chinese input method types them
        ("0", "需求人数至少为1人。"),
        ("10000", "需求人数不能超过9999人。"),
        ("１００００", "需求人数不能超过9999人。"),
    ],
)
def test_headcount_has_the_same_bounds_and_words_at_every_door(
    value: str, message: str | None, tmp_path: Path, tongliang: District
) -> None:
    assert _headcount_form(value) == message
    assert _headcount_serializer(value) == message
    errors = _annex1_errors(tmp_path, tongliang, headcount=value)
    assert errors.get(COL_HEADCOUNT) == (None if message is None else [message])


# --- amounts: 0..9,999,999,999.99 yuan, at most 20 characters, in the form and the API --------------------------------


class ClaimFormFor(Protocol):
    """``claim_form_for(amount)``: the claim form with one line at that amount; ``.hire``: the line's hire."""

    hire: Hire

    def __call__(self, amount: str) -> ClaimForm: ...


@pytest.fixture
def claim_form_for(db: None) -> ClaimFormFor:
    SubsidyCap.objects.create(
        channel="bounty_list",
        amount=Decimal(30000),
        effective_from=datetime.date(2022, 1, 1),
        policy_reference="渝人社发〔2022〕50号",
    )
    third_party = ThirdPartyFactory(verified=True)
    employer = EmployerFactory()
    hire = claimable_hire(third_party, employer)

    def form(amount: str) -> ClaimForm:
        data = {"employer_contact": "张经理", "employer_phone": "023-45678901", f"hire_{hire.pk}": "on"}
        data[f"amount_{hire.pk}"] = amount
        return ClaimForm(data, employer=employer, hires=[hire])

    claim_form = cast("ClaimFormFor", form)
    claim_form.hire = hire
    return claim_form


EDGE_AMOUNTS = [
    ("30000", Decimal("30000.00")),
    ("30,000", Decimal("30000.00")),
    ("30,000.00", Decimal("30000.00")),
    ("３００００", Decimal("30000.00")),
    ("３０，０００．００", Decimal("30000.00")),
    ("9999999999.99", Decimal("9999999999.99")),
    ("9,999,999,999.99", Decimal("9999999999.99")),
    ("0.01", Decimal("0.01")),
]
REFUSED_AMOUNTS = ["1." + "0" * 5000, "1" + "0" * 25, "10000000000", "0", "-1", "1e4", "30000.001", "三万"]


@pytest.mark.parametrize(("text", "amount"), EDGE_AMOUNTS)
def test_the_form_and_the_api_read_an_amount_alike(claim_form_for: ClaimFormFor, text: str, amount: Decimal) -> None:
    form = claim_form_for(text)
    assert form.is_valid(), form.errors
    assert [line.requested_amount for line in form.cleaned_data["lines"]] == [amount]
    assert AmountField().run_validation(text) == amount


@pytest.mark.parametrize("text", REFUSED_AMOUNTS)
def test_the_form_and_the_api_refuse_an_amount_alike_in_chinese(claim_form_for: ClaimFormFor, text: str) -> None:
    form = claim_form_for(text)
    assert not form.is_valid()
    [form_message] = form.errors[f"amount_{claim_form_for.hire.pk}"]
    assert isinstance(form_message, str)
    assert CHINESE.search(form_message), form_message
    with pytest.raises(serializers.ValidationError) as refused:
        AmountField().run_validation(text)
    [api_message] = refused.value.detail
    assert CHINESE.search(str(api_message)), api_message
    assert len(str(api_message)) < 100  # the refusal quotes a few characters, never the 5,000 sent


def test_an_amount_is_refused_by_its_length_before_it_is_read() -> None:
    with pytest.raises(PortalError) as refused:
        parse_amount("1." + "0" * 5000, label="申请金额")
    assert refused.value.message == "申请金额最多填写20个字符（现有5002个）。"
    assert parse_amount(" 30,000.00 ") == Decimal("30000.00")  # the spaces a paste brings do not count
