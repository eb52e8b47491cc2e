"""Identity numbers: 身份证号码 (GB 11643) and 统一社会信用代码 (GB 32100), bank accounts, phones.

Validation is delegated to python-stdnum; this module only turns its exceptions into Chinese messages
and provides the masks used wherever the viewer has no need for the whole number (docs/roles.md, "Personal data").
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError


def _halfwidth(value: str) -> str:
    # NFKC folds full-width digits and letters (１２３ＡＢ) to ASCII, as a clerk pasting from Word expects.
    return unicodedata.normalize("NFKC", value or "").strip()


def _validate_ric(raw: str) -> str:
    """``stdnum.cn.ric.validate`` without one of its checks: that the region code existed in the year of birth.
    The six digits are where the number was first issued, not where the person was born: everyone registered in a
    Chongqing district after 1997 holds a 500xxx number, whatever their birth year (a 1985 engineer's
    500103198501011234 is real). The region code must still be one that has existed."""
    number = ric.compact(raw)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:-1].isdigit() or not number[:-1].isascii():
        raise InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    ric.get_birth_date(number)  # a real date, or InvalidComponent
    places = {key for _, props in numdb.get("cn/loc").info(number[:6]) for key in props}
    if "county" not in places:
        raise InvalidComponent()
    return str(number)


def normalise_id_number(value: str) -> str:
    """Return the 18-character 身份证号码 (upper-case X) or raise ``ValidationError`` in Chinese."""
    raw = _halfwidth(value).replace(" ", "").upper()
    if not raw:
        raise ValidationError("请填写身份证号码。", code="required")
    try:
        number = _validate_ric(raw)
    except InvalidLength:
        raise ValidationError("身份证号码应为18位。", code="id_length") from None
    except InvalidChecksum:
        raise ValidationError("身份证号码校验位不正确，请核对最后一位。", code="id_checksum") from None
    except InvalidComponent:
        raise ValidationError("身份证号码中的出生日期或地区码无效。", code="id_component") from None
    except (InvalidFormat, StdnumError):
        raise ValidationError("身份证号码格式不正确：前17位应为数字，最后一位为数字或X。", code="id_format") from None
    if len(number) != 18:
        raise ValidationError("身份证号码应为18位。", code="id_length")
    # python-stdnum checks that the birth date is a date, not that it has happened.
    if ric.get_birth_date(number) > timezone.localdate():
        raise ValidationError("身份证号码中的出生日期晚于今天，请核对。", code="id_component")
    return str(number)


def normalise_uscc(value: str) -> str:
    """Return the 18-character 统一社会信用代码 or raise ``ValidationError`` in Chinese."""
    raw = _halfwidth(value).replace(" ", "").upper()
    if not raw:
        raise ValidationError("请填写统一社会信用代码。", code="required")
    try:
        return str(uscc.validate(raw))
    except InvalidLength:
        raise ValidationError("统一社会信用代码应为18位。", code="uscc_length") from None
    except InvalidChecksum:
        raise ValidationError("统一社会信用代码校验位不正确，请核对最后一位。", code="uscc_checksum") from None
    except (InvalidFormat, InvalidComponent, StdnumError):
        raise ValidationError(
            "统一社会信用代码格式不正确：应由18位数字或大写字母组成（不含I、O、S、V、Z）。", code="uscc_format"
        ) from None


_ACCOUNT_RE = re.compile(r"^\d{6,32}$")
# A mobile (1 + 10 digits), or a landline with its area code and an optional extension, or a local number alone:
# local numbers begin with 2-9, so a mobile cut short (1380000) is not taken for one.
_PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|[2-9]\d{6,7})$")


def normalise_bank_account(value: str) -> str:
    raw = _halfwidth(value).replace(" ", "").replace("-", "")
    if not _ACCOUNT_RE.match(raw):
        raise ValidationError("银行账号只能包含数字（6至32位）。", code="bank_account")
    return raw


def normalise_phone(value: str) -> str:
    raw = _halfwidth(value).replace(" ", "")
    if not _PHONE_RE.match(raw):
        raise ValidationError("联系电话格式不正确：请填写11位手机号或带区号的固定电话，如023-88152028。", code="phone")
    return raw


def validate_id_number(value: str) -> None:
    normalise_id_number(value)


def validate_uscc(value: str) -> None:
    normalise_uscc(value)


def validate_bank_account(value: str) -> None:
    normalise_bank_account(value)


def validate_phone(value: str) -> None:
    normalise_phone(value)


def mask_id_number(value: str) -> str:
    """``500103199001011234`` → ``500103********1234``: region code and last four only."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_bank_account(value: str) -> str:
    return f"****{value[-4:]}" if value else ""


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:-4] + "****" if len(value) > 4 else "****"


# The personal-data guard: notices, e-mails and log lines pass through it (portal.notifications.services, portal.logging).

# \d also matches full-width digits (０-９): a number pasted from Word is caught as well.
_ID_IN_TEXT_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXxＸｘ](?![0-9A-Za-z])")
# Bank accounts and anything else of 12 digits or more, also written in groups ("6217 0000 0000 0000 000").
_LONG_NUMBER_IN_TEXT_RE = re.compile(r"(?<!\d)\d(?:[ -]?\d){11,}(?!\d)")
# Mobile numbers (138 0000 0000 too) and land lines with an area code (023-88152028).
_PHONE_IN_TEXT_RE = re.compile(r"(?<![\d-])(?:1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{7,8})(?![\d-])")


def _ascii_digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).upper()


def _mask_id(match: re.Match[str]) -> str:
    number = _ascii_digits(match.group())
    return mask_id_number(number) if ric.is_valid(number) else match.group()


def redact_personal_data(text: str) -> str:
    """Mask whole ID numbers (valid GB 11643), runs of 12 or more digits and phone numbers in ``text``.

    Order matters: a valid ID number keeps its region code and last four; what is left of 12+ digits (an invalid
    ID, a bank account) keeps only its last four; then phones. Long payment references are masked too: they
    have no business in a notice either.
    """
    redacted = _ID_IN_TEXT_RE.sub(_mask_id, text)
    redacted = _LONG_NUMBER_IN_TEXT_RE.sub(lambda m: mask_bank_account(_ascii_digits(m.group())), redacted)
    redacted = _PHONE_IN_TEXT_RE.sub(lambda m: mask_phone(_ascii_digits(m.group())), redacted)
    return redacted
