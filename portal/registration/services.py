"""Third parties sign themselves up (第三方注册); the talent centre or an admin then verifies them (核验,
``portal.registration.verification``).

Registration writes the ``ThirdParty`` and its one ``User`` together or not at all. Until verified, the account can
sign in and follow published lists but cannot claim subsidies (``portal.permissions.is_verified_third_party``).
The details' rules (``details_check``) serve the registration and the correction of a returned one alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from portal.audit.recording import set_actor
from portal.constants import Role, ThirdPartyKind
from portal.errors import PortalError
from portal.identity import (
    normalise_bank_account,
    normalise_id_number,
    normalise_phone,
    normalise_uscc,
)
from portal.models import ThirdParty, User
from portal.security.crypto import keyed_digest

ORGANISATION_KINDS = frozenset({ThirdPartyKind.AGENCY, ThirdPartyKind.SOCIAL_ORGANISATION})

DUPLICATE_USCC = "该统一社会信用代码已注册，请直接登录或联系市人才中心。"
DUPLICATE_ID_NUMBER = "该身份证号码已注册，请直接登录或联系市人才中心。"


@dataclass(frozen=True)
class ThirdPartyDetails:
    """Who the third party is and where its subsidy is paid, as typed at registration or in a correction.
    ``identity_number`` is the 统一社会信用代码 of an organisation or the 身份证号码 of an individual, as typed
    (full-width, lower case and spaces are tolerated)."""

    kind: str
    name: str
    identity_number: str
    phone: str
    bank_name: str
    bank_account: str
    contact_name: str = ""


@dataclass(frozen=True)
class RegistrationData(ThirdPartyDetails):
    """What a registrant types: the details and the sign-in account."""

    username: str = ""
    email: str = ""


class RegistrationRefused(PortalError):
    """Every reason a registration is refused at once, each naming its field, so the form shows them together."""

    def __init__(self, errors: list[PortalError]) -> None:
        assert errors
        super().__init__(errors[0].message, errors[0].code, field=errors[0].field)
        self.errors = errors


@dataclass
class Checked:
    """What a check found: the normalised values, and every refusal with its field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[PortalError] = field(default_factory=list)

    def refuse(self, message: str, code: str, name: str) -> None:
        self.errors.append(PortalError(message, code, field=name))


def _looks_like(normalise: Callable[[str], str], value: str) -> bool:
    try:
        normalise(value)
    except ValidationError:
        return False
    return True


def _check_identity(data: ThirdPartyDetails, checked: Checked) -> None:
    kind, typed = data.kind, data.identity_number
    if kind in ORGANISATION_KINDS:
        try:
            checked.values["credit_code"] = normalise_uscc(typed)
        except ValidationError as error:
            if _looks_like(normalise_id_number, typed):
                checked.refuse(
                    "统一社会信用代码：所填的是身份证号码。机构请填写18位统一社会信用代码；个人请将注册类别选为“个人”。",
                    "identity_wrong_kind",
                    "identity_number",
                )
            else:
                checked.refuse(error.messages[0], str(error.code), "identity_number")
    elif kind == ThirdPartyKind.INDIVIDUAL:
        try:
            checked.values["id_number"] = normalise_id_number(typed)
        except ValidationError as error:
            if _looks_like(normalise_uscc, typed):
                checked.refuse(
                    "身份证号码：所填的是统一社会信用代码。个人请填写本人18位居民身份证号码；机构请将注册类别选为“人力资源服务机构”或“社会组织”。",
                    "identity_wrong_kind",
                    "identity_number",
                )
            else:
                checked.refuse(error.messages[0], str(error.code), "identity_number")
    else:
        checked.refuse("注册类别：请选择人力资源服务机构、社会组织或个人。", "invalid_kind", "kind")


def _others(exclude_pk: int | None) -> QuerySet[ThirdParty]:
    return ThirdParty.objects.exclude(pk=exclude_pk) if exclude_pk is not None else ThirdParty.objects.all()


def _id_number_taken(id_number: str, *, exclude_pk: int | None = None) -> bool:
    # ID numbers are encrypted at rest: compared through their keyed digest (portal.security.crypto).
    return _others(exclude_pk).filter(id_number_digest=keyed_digest(id_number)).exists()


def _credit_code_taken(credit_code: str, *, exclude_pk: int | None = None) -> bool:
    return _others(exclude_pk).filter(credit_code=credit_code).exists()


def _check_duplicates(checked: Checked, *, exclude_pk: int | None = None) -> None:
    # The message says only that the number is taken, never by whom: the registrant already holds the number.
    if "credit_code" in checked.values and _credit_code_taken(checked.values["credit_code"], exclude_pk=exclude_pk):
        checked.refuse(DUPLICATE_USCC, "duplicate_identity", "identity_number")
    if "id_number" in checked.values and _id_number_taken(checked.values["id_number"], exclude_pk=exclude_pk):
        checked.refuse(DUPLICATE_ID_NUMBER, "duplicate_identity", "identity_number")


def _check_username(data: RegistrationData, checked: Checked) -> None:
    username = data.username.strip()
    if not username:
        checked.refuse("用户名：请填写用户名。", "required", "username")
        return
    try:
        User.username_validator(username)
    except ValidationError:
        checked.refuse("用户名：只能包含字母、数字、汉字和 @ . + - _ 字符。", "username_format", "username")
        return
    if _looks_like(normalise_uscc, username) or _looks_like(normalise_id_number, username):
        # A code as user name would shadow another unit's sign-in by credit code; an ID number would be shown
        # whole in the page header.
        checked.refuse(
            "用户名：不能使用统一社会信用代码或身份证号码。机构可直接用统一社会信用代码登录，用户名请另取。",
            "username_is_identity",
            "username",
        )
        return
    if User.objects.filter(username__iexact=username).exists():
        checked.refuse("用户名：该用户名已被使用，请换一个。", "username_taken", "username")
        return
    checked.values["username"] = username


#: Django 5.2's own Chinese catalogue lacks some of these (the short-password message is still English).
_PASSWORD_MESSAGES = {
    "password_too_short": "太短，至少需要{min_length}个字符。",
    "password_too_common": "这个密码太常见，容易被猜中，请换一个。",
    "password_entirely_numeric": "不能全是数字，请加入字母或符号。",
    "password_too_similar": "与{verbose_name}太相似，请换一个。",
}


def _check_password(data: RegistrationData, password: str, checked: Checked) -> None:
    # The similarity validator compares with what the account will hold: user name, names, e-mail.
    candidate = User(
        username=data.username.strip(),
        display_name=data.contact_name.strip() or data.name.strip(),
        email=data.email.strip(),
        role=Role.THIRD_PARTY,
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        for problem in error.error_list:
            template = _PASSWORD_MESSAGES.get(str(problem.code))
            params = problem.params or {}
            message = template.format(**params) if template else " ".join(problem.messages)
            checked.refuse(f"密码：{message}", "weak_password", "password")


def details_check(data: ThirdPartyDetails, *, exclude_pk: int | None = None) -> Checked:
    """The rules of a third party's details, every refusal collected; ``exclude_pk`` is the third party being
    corrected (its own numbers are not duplicates of itself)."""
    checked = Checked()
    name = data.name.strip()
    if not name:
        checked.refuse("名称/姓名：请填写机构名称或本人姓名。", "required", "name")
    checked.values["name"] = name
    contact_name = data.contact_name.strip()
    if data.kind in ORGANISATION_KINDS and not contact_name:
        checked.refuse("联系人：机构请填写联系人姓名。", "required", "contact_name")
    checked.values["contact_name"] = contact_name
    _check_identity(data, checked)
    _check_duplicates(checked, exclude_pk=exclude_pk)
    for key, normalise in (("phone", normalise_phone), ("bank_account", normalise_bank_account)):
        try:
            checked.values[key] = normalise(getattr(data, key))
        except ValidationError as error:
            checked.refuse(error.messages[0], str(error.code), key)
    bank_name = data.bank_name.strip()
    if not bank_name:
        checked.refuse("开户银行：请填写开户银行。", "required", "bank_name")
    checked.values["bank_name"] = bank_name
    return checked


def _registration_check(data: RegistrationData, password: str) -> Checked:
    checked = details_check(data)
    _check_username(data, checked)
    _check_password(data, password, checked)
    return checked


_MODEL_FIELD_TO_FORM = {"credit_code": "identity_number", "id_number": "identity_number", "display_name": "name"}


def check_model(instance: ThirdParty | User, checked: Checked, *, exclude: list[str]) -> None:
    """The models' own field rules (lengths, formats) as a safety net; uniqueness is checked above and by the DB."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = getattr(instance._meta.get_field(name), "verbose_name", "") if name != "__all__" else ""
            for message in messages:
                checked.refuse(
                    f"{label}：{message}" if label else message, "invalid", _MODEL_FIELD_TO_FORM.get(name, name)
                )


def third_party_register(*, data: RegistrationData, password: str) -> User:
    """Create the third party and its sign-in account, unverified. Raises ``RegistrationRefused`` with every reason.

    Concurrency: two registrations of the same number or user name at once both pass the checks; the unique
    constraints decide inside the transaction and the loser gets the same message as a plain duplicate.
    """
    checked = _registration_check(data, password)
    if checked.errors:
        raise RegistrationRefused(checked.errors)
    values = checked.values
    third_party = ThirdParty(
        kind=data.kind,
        name=values["name"],
        credit_code=values.get("credit_code"),
        id_number=values.get("id_number"),
        contact_name=values["contact_name"],
        phone=values["phone"],
        bank_name=values["bank_name"],
        bank_account=values["bank_account"],
    )
    user = User(
        username=values["username"],
        display_name=values["contact_name"] or values["name"][:64],
        email=data.email.strip(),
        phone=values["phone"],
        role=Role.THIRD_PARTY,
    )
    user.set_password(password)
    check_model(third_party, checked, exclude=[])
    check_model(user, checked, exclude=["password", "third_party"])
    if checked.errors:
        raise RegistrationRefused(checked.errors)
    try:
        with transaction.atomic():
            third_party.save()
            user.third_party = third_party
            # The new account is the actor of its own creation in the audit trail.
            with set_actor(user):
                user.save()
    except IntegrityError:
        raise RegistrationRefused([_lost_race(values)]) from None
    return user


def _lost_race(values: dict[str, str]) -> PortalError:
    if "credit_code" in values and ThirdParty.objects.filter(credit_code=values["credit_code"]).exists():
        return PortalError(DUPLICATE_USCC, "duplicate_identity", field="identity_number")
    if "id_number" in values and _id_number_taken(values["id_number"]):
        return PortalError(DUPLICATE_ID_NUMBER, "duplicate_identity", field="identity_number")
    return PortalError("用户名：该用户名已被使用，请换一个。", "username_taken", field="username")
