"""身份证号码 and 统一社会信用代码: normalisation, check characters (property tests) and masks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from portal.identity import (
    mask_bank_account,
    mask_id_number,
    normalise_bank_account,
    normalise_id_number,
    normalise_phone,
    normalise_uscc,
)

CHONGQING_COUNTIES = ["500101", "500103", "500106", "500112", "500151", "500235", "500243"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(CHONGQING_COUNTIES))
    # Chongqing's county codes date from 1997 (2014 for 铜梁区): python-stdnum checks the code existed at birth.
    birthday = draw(st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2025, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return f"{region}{birthday:%Y%m%d}{sequence:03d}"


@st.composite
def uscc_bodies(draw: st.DrawFn) -> str:
    # Registration department 9 (市场监管) + kind 1 (企业) + a Chongqing area code + a 9-character organisation code.
    org = draw(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
    area = draw(st.sampled_from(CHONGQING_COUNTIES))
    return "91" + area + org + "0"


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


@given(id_bodies())
@settings(deadline=None)  # python-stdnum loads its region table (~0.65 s) on the first call
def test_valid_id_numbers_are_accepted_and_normalised(body: str) -> None:
    number = _with_check(body)
    assert normalise_id_number(number.lower()) == number
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert normalise_id_number(f" {full_width} ") == number


@given(id_bodies(), st.sampled_from("0123456789X"))
def test_a_wrong_id_check_digit_is_refused(body: str, wrong: str) -> None:
    right = ric.calc_check_digit(body + "0")
    if wrong == right:
        return
    with pytest.raises(ValidationError) as excinfo:
        normalise_id_number(body + wrong)
    assert excinfo.value.code == "id_checksum"
    assert "校验位" in excinfo.value.messages[0]


@given(uscc_bodies())
def test_valid_credit_codes_are_accepted(body: str) -> None:
    code = body[:17] + uscc.calc_check_digit(body[:17])
    assert normalise_uscc(code.lower()) == code


@given(uscc_bodies(), st.sampled_from(USCC_ALPHABET))
def test_a_wrong_credit_code_check_character_is_refused(body: str, wrong: str) -> None:
    right = uscc.calc_check_digit(body[:17])
    if wrong == right:
        return
    with pytest.raises(ValidationError) as excinfo:
        normalise_uscc(body[:17] + wrong)
    assert excinfo.value.code == "uscc_checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("50010319990101123", "id_length"),
        (_with_check("50010319991301123"), "id_component"),  # month 13, right check digit
        ("5001031999010112AX", "id_format"),
    ],
)
def test_id_number_errors_say_what_is_wrong(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_id_number(value)
    assert excinfo.value.code == code


def test_credit_code_with_forbidden_letters_is_a_format_error() -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_uscc("91500000MA5U0000OI")
    assert excinfo.value.code in {"uscc_format", "uscc_checksum"}


def test_masks_keep_region_and_last_four() -> None:
    assert mask_id_number("50010319990101123X") == "500103********123X"
    assert mask_bank_account("6217000000001234") == "****1234"


def test_bank_accounts_are_digits_only() -> None:
    assert normalise_bank_account("6217 0000 0000 1234") == "6217000000001234"
    with pytest.raises(ValidationError):
        normalise_bank_account("6217-ABCD")


@pytest.mark.parametrize("phone", ["13800000000", "023-88152028", "02388152028", "８６８６８８８２"])
def test_phones_in_common_forms(phone: str) -> None:
    assert normalise_phone(phone)


@pytest.mark.parametrize("phone", ["1380000", "13800000", "138000000", "0000000", "12345678901234"])
def test_a_mobile_cut_short_is_not_a_landline(phone: str) -> None:
    with pytest.raises(ValidationError):
        normalise_phone(phone)


@pytest.mark.parametrize("born", ["19490101", "19850101", "19961231", "19970101", "20010315"])
def test_a_chongqing_number_is_valid_whatever_the_holders_birth_year(born: str) -> None:
    """The region code is where the number was issued: Chongqing's 500xxx codes date from 1997, and people born
    before then who registered in a Chongqing district hold them (stdnum's own check would refuse them)."""
    number = _with_check(f"500103{born}123")
    assert normalise_id_number(number) == number


def test_a_region_code_that_never_existed_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        normalise_id_number(_with_check("99999919850101123"))
    assert error.value.code == "id_component"
