"""The limits of the fields that more than one door takes: the page's form, the API's serializer, the sheet
import's column and the model's column are all built from the one declaration here, so no door takes what another
refuses (a 5,000-character amount through the API that the page stops at 20).

Text: one ``TextLimit`` per field (its label and longest length). Numbers: ``HEADCOUNT`` (需求人数 1..9999) and
``AMOUNT`` (yuan, 0..9,999,999,999.99 to the fen, as at most 20 characters), with ``parse_amount``, the one reading
of an amount as a person or a client writes it (full-width digits, thousands separators).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal.errors import PortalError


@dataclass(frozen=True)
class TextLimit:
    label: str
    max_length: int

    def too_long(self, value: str) -> str | None:
        """The importer's refusal of a cell longer than the field, or None when it fits."""
        if len(value) > self.max_length:
            return f"不能超过{self.max_length}个字（现有{len(value)}个）。"
        return None


# --- Annex 1: posts ----------------------------------------------------------------------------------------------
EMPLOYER_NAME = TextLimit("用人单位", 128)
#: The credit code as typed (spaces and full-width characters allowed; the normalised code has 18 characters).
CREDIT_CODE_INPUT = TextLimit("统一社会信用代码", 30)
POSITION_NAME = TextLimit("岗位名称", 128)
MAJORS = TextLimit("专业要求", 500)
SALARY_TEXT = TextLimit("薪资范围", 100)

# --- Annex 3: hires ----------------------------------------------------------------------------------------------
PERSON_NAME = TextLimit("姓名", 64)
#: The ID number as typed (spaces and full-width characters allowed; the service says why it is not 18 characters).
ID_NUMBER_INPUT = TextLimit("身份证号码", 32)
CONTRACT_TERM = TextLimit("劳动合同期限", 64)
SCHOOL = TextLimit("毕业院校", 128)
MAJOR = TextLimit("专业", 128)
TITLE_RANK = TextLimit("职称职级", 64)
SKILL_LEVEL = TextLimit("技能等级", 64)

# --- publicity and objections ------------------------------------------------------------------------------------
NOTICE_TITLE = TextLimit("公示标题", 200)
OBJECTOR_NAME = TextLimit("异议人姓名", 64)
PHONE = TextLimit("联系电话", 32)
OBJECTION_STATEMENT = TextLimit("异议事实和理由", 2000)

# --- Annex 2: claims ---------------------------------------------------------------------------------------------
EMPLOYER_CONTACT = TextLimit("用人单位联系人", 64)
EMPLOYER_PHONE = TextLimit("联系电话", 32)

# --- third parties -----------------------------------------------------------------------------------------------
THIRD_PARTY_NAME = TextLimit("名称/姓名", 128)
#: 统一社会信用代码 or 身份证号码 as typed; each is 18 characters once normalised.
IDENTITY_NUMBER_INPUT = TextLimit("统一社会信用代码/身份证号码", 32)
CONTACT_NAME = TextLimit("联系人", 32)
BANK_NAME = TextLimit("开户银行", 128)
#: The account as typed, spaces and dashes included; its digits are at most ``BANK_ACCOUNT_DIGITS``.
BANK_ACCOUNT_INPUT = TextLimit("银行账号", 40)


# --- 需求人数 ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IntegerLimit:
    label: str
    min_value: int
    max_value: int
    unit: str

    @property
    def error_messages(self) -> dict[str, Any]:
        """The same words in the form, the serializer and the service."""
        return {
            "min_value": f"{self.label}至少为{self.min_value}{self.unit}。",
            "max_value": f"{self.label}不能超过{self.max_value}{self.unit}。",
            "invalid": f"{self.label}须为整数。",
        }


#: A post's 需求人数 at most: far above any real post, far below the column's range (a larger number would reach
#: the database as an out-of-range integer and fail there instead of being refused here).
HEADCOUNT = IntegerLimit("需求人数", 1, 9_999, "人")


# --- amounts -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AmountLimit:
    max_digits: int
    decimal_places: int
    #: The longest amount as written: "9,999,999,999.99" and a little room for spaces, never thousands of zeros.
    max_chars: int

    @property
    def largest(self) -> Decimal:
        return Decimal(10) ** (self.max_digits - self.decimal_places) - Decimal(1).scaleb(-self.decimal_places)

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimal_places)


#: The money columns (``max_digits=12, decimal_places=2``) and an amount field's text.
AMOUNT = AmountLimit(max_digits=12, decimal_places=2, max_chars=20)
CENT = AMOUNT.quantum
#: The most the money columns hold; more is refused before any arithmetic (quantizing a huge number overflows the
#: decimal context) or any write.
MAX_AMOUNT = AMOUNT.largest
#: Yuan as a person writes them, once full-width digits are folded and thousands separators taken out: digits with
#: at most one decimal point. Not what ``Decimal()`` also takes: exponents (3e4), underscores (1_000), NaN.
_AMOUNT_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_SHOWN_CHARACTERS = 20


def _amount_decimal(value: object) -> Decimal | None:
    """The number in ``value``, or None when it is not written as an amount."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the float as written (0.1), not its binary expansion
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().replace(",", "").replace("，", "")
    return Decimal(text) if _AMOUNT_TEXT.match(text) else None


def parse_amount(value: object, *, label: str = "金额", allow_zero: bool = False) -> Decimal:
    """Yuan as a person or a client sends it: '30000', '30000.00', '30,000', '３００００', 30000. Never float
    arithmetic; empty, over-long text, NaN, infinity, exponents, fractions of a fen, amounts of zero or less and
    amounts the database cannot hold are refused, each saying so."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PortalError(f"请填写{label}。", "invalid_amount")
    if isinstance(value, str) and len(value.strip()) > AMOUNT.max_chars:
        raise PortalError(f"{label}最多填写{AMOUNT.max_chars}个字符（现有{len(value.strip())}个）。", "invalid_amount")
    amount = _amount_decimal(value)
    if amount is None or not amount.is_finite():
        shown = str(value) if len(str(value)) <= _SHOWN_CHARACTERS else f"{str(value)[:_SHOWN_CHARACTERS]}…"
        raise PortalError(f"{label}“{shown}”不是有效的金额：请只填写数字，如 30000.00。", "invalid_amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise PortalError(f"{label}须大于0元。", "invalid_amount")
    if amount > MAX_AMOUNT:
        raise PortalError(f"{label}不能超过{MAX_AMOUNT:,.2f}元。", "invalid_amount")
    if amount != amount.quantize(CENT):
        raise PortalError(f"{label}最多保留两位小数（到分）。", "invalid_amount")
    return amount.quantize(CENT)
