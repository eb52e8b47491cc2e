"""Writes of the talent base list (docs/bases.md): a base's employer details, and its sign-in account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from bases.models import TalentBase
from portal.audit.recording import set_actor
from portal.constants import Role
from portal.errors import PortalError
from portal.identity import normalise_uscc
from portal.models import District, Employer, User
from portal.permissions import is_admin

_CHINESE_NUMERALS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十: how a notice numbers its batches (第一批)."""
    if number < 10:
        return _CHINESE_NUMERALS[number]
    tens, ones = divmod(number, 10)
    if number < 100:
        return ("" if tens == 1 else _CHINESE_NUMERALS[tens]) + "十" + (_CHINESE_NUMERALS[ones] if ones else "")
    return str(number)


def batch_title(year: int, number: int) -> str:
    """The title a new batch gets, in the notice's words: 2023年第一批卓越工程师人才基地."""
    return f"{year}年第{chinese_ordinal(number)}批卓越工程师人才基地"


def credit_code_clean(value: str, *, employer: Employer) -> str | None:
    """The credit code as stored (None for blank), or ``PortalError`` in Chinese: not a valid 统一社会信用代码,
    another employer's, or blank while the employer's sign-in account relies on it."""
    if not (value or "").strip():
        if employer.credit_code and employer.users.filter(is_active=True).exists():
            raise PortalError(
                "该单位已有登录账号，按统一社会信用代码登录：不能清空其统一社会信用代码。",
                "credit_code_in_use",
                field="credit_code",
            )
        return None
    try:
        code = normalise_uscc(value)
    except ValidationError as error:
        raise PortalError(error.messages[0], "invalid_credit_code", field="credit_code") from None
    holder = Employer.objects.filter(credit_code=code).exclude(pk=employer.pk).first()
    if holder is not None:
        raise PortalError(
            f"统一社会信用代码{code}已属于用人单位“{holder.name}”。", "credit_code_taken", field="credit_code"
        )
    return code


@transaction.atomic
def base_employer_update(*, base: TalentBase, credit_code: str, district: District | None, by: User) -> Employer:
    """Record a base's credit code and district (the notice gives only its name), checked as the import checks
    them (``credit_code_clean``)."""
    if not is_admin.test(by):
        raise PortalError("只有系统管理员可以修改人才基地的单位信息。", "forbidden")
    employer = Employer.objects.select_for_update().get(pk=base.employer_id)
    code = credit_code_clean(credit_code, employer=employer)
    if (employer.credit_code, employer.district_id) == (code, district.pk if district else None):
        return employer
    employer.credit_code = code
    employer.district = district
    with set_actor(by):
        employer.save(update_fields=["credit_code", "district", "updated_at"])
    return employer


@dataclass(frozen=True)
class CreatedAccount:
    user: User
    #: Shown once to the admin, who passes it to the base; only its hash is stored.
    initial_password: str


def initial_password() -> str:
    """Twelve characters a person can read out over the phone: no 0/O, 1/l/I."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def base_account_create(*, base: TalentBase, by: User) -> CreatedAccount:
    """Create the sign-in account of a base's employer: an employer account named by its credit code, with a random
    initial password returned once, to be changed at the first sign-in. Refused when the base has no credit code yet
    (it signs in by it) or its employer already has an active account."""
    if not is_admin.test(by):
        raise PortalError("只有系统管理员可以为人才基地创建登录账号。", "forbidden")
    employer = Employer.objects.select_for_update().get(pk=base.employer_id)
    if not employer.credit_code:
        raise PortalError(
            f"“{employer.name}”尚未登记统一社会信用代码：基地按统一社会信用代码登录，请先登记代码。",
            "credit_code_missing",
        )
    if employer.users.filter(is_active=True).exists():
        raise PortalError(f"“{employer.name}”已有登录账号，未重复创建。", "account_exists")
    if User.objects.filter(username=employer.credit_code).exists():
        raise PortalError(f"用户名{employer.credit_code}已被占用，请在用户管理中为该单位创建账号。", "username_taken")
    password = initial_password()
    with set_actor(by):
        user = User.objects.create_user(
            username=employer.credit_code,
            password=password,
            role=Role.EMPLOYER,
            employer=employer,
            display_name=employer.name[:64],
            # The admin saw the password: the base sets its own at its first sign-in (portal.web.middleware).
            must_change_password=True,
        )
    return CreatedAccount(user=user, initial_password=password)
