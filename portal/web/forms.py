"""Forms of the shared core. They parse what a person typed; the rules stay in the services."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from portal import limits
from portal.constants import ThirdPartyKind
from portal.models import ThirdParty
from portal.registration.services import RegistrationData, ThirdPartyDetails
from portal.security.lockout import ADDRESS_BLOCKED

#: The form fields that are the third party's details, named as ``ThirdPartyDetails`` names them.
_DETAILS = tuple(field.name for field in fields(ThirdPartyDetails))


class ThirdPartyDetailsForm(forms.Form):
    """The third party's identity, contact and bank details (as on Annex 2): at registration and in a correction."""

    kind = forms.ChoiceField(
        label="注册类别",
        choices=ThirdPartyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "注册类别：请选择人力资源服务机构、社会组织或个人。"},
    )
    name = forms.CharField(
        label="名称/姓名",
        max_length=limits.THIRD_PARTY_NAME.max_length,
        help_text="机构填写营业执照或登记证书上的全称；个人填写本人姓名。",
        error_messages={"required": "名称/姓名：请填写机构名称或本人姓名。"},
    )
    identity_number = forms.CharField(
        label="统一社会信用代码/身份证号码",
        max_length=limits.IDENTITY_NUMBER_INPUT.max_length,
        help_text="机构填写18位统一社会信用代码；个人填写18位居民身份证号码（末位可为X）。",
        error_messages={"required": "统一社会信用代码/身份证号码：请填写。"},
    )
    contact_name = forms.CharField(
        label="联系人",
        max_length=limits.CONTACT_NAME.max_length,
        required=False,
        help_text="机构必填；个人可不填（即本人）。",
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=limits.PHONE.max_length,
        help_text="11位手机号或带区号的固定电话，如023-88152028。",
        error_messages={"required": "联系电话：请填写联系电话。"},
    )
    bank_name = forms.CharField(
        label="开户银行",
        max_length=limits.BANK_NAME.max_length,
        help_text="写到支行，如：中国银行重庆渝中支行。补助将拨付到此账户。",
        error_messages={"required": "开户银行：请填写开户银行。"},
    )
    bank_account = forms.CharField(
        label="银行账号",
        max_length=limits.BANK_ACCOUNT_INPUT.max_length,
        help_text="只填数字，可含空格。机构应为单位对公账户，个人应为本人账户。",
        error_messages={"required": "银行账号：请填写银行账号。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs.setdefault("class", "form-control")
            field.widget.attrs.setdefault("id", f"id_{name}")
            # Every message names its field, also when shown in a summary above the form.
            field.error_messages["max_length"] = f"{field.label}：最多%(limit_value)d个字符（已填%(show_value)d个）。"
        if "phone" in self.fields:
            self.fields["phone"].widget.attrs["autocomplete"] = "tel"

    @staticmethod
    def initial_of(third_party: ThirdParty) -> dict[str, str]:
        """What the third party registered, to correct it."""
        return {name: getattr(third_party, name) for name in _DETAILS}

    def details(self) -> ThirdPartyDetails:
        return ThirdPartyDetails(**{name: self.cleaned_data[name] for name in _DETAILS})


class RegistrationForm(ThirdPartyDetailsForm):
    """第三方注册: the registrant's details, then the sign-in account."""

    username = forms.CharField(
        label="用户名",
        max_length=150,
        help_text="登录时使用，可用字母、数字、汉字和 @ . + - _ 。机构也可用统一社会信用代码登录。",
        error_messages={"required": "用户名：请填写用户名。"},
    )
    email = forms.EmailField(label="电子邮箱", required=False, error_messages={"invalid": "电子邮箱：格式不正确。"})
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少10位，不能全是数字，不能与用户名、名称相近，也不能是常见密码。",
        error_messages={"required": "密码：请设置密码。"},
    )
    password_confirm = forms.CharField(
        label="确认密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "确认密码：请再输入一次密码。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["username"].widget.attrs["autocapitalize"] = "none"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", "确认密码：两次输入的密码不一致。")
        return cleaned

    def registration_data(self) -> RegistrationData:
        return RegistrationData(**{field.name: self.cleaned_data[field.name] for field in fields(RegistrationData)})


class SecondFactorForm(forms.Form):
    """The 6-digit code of the authenticator app (动态验证码), on the verify and the enrolment page. Only presence is
    checked here; ``portal.two_factor.services.normalise_code`` reads full-width digits and spaces and refuses the rest."""

    code = forms.CharField(
        label="6位验证码",
        max_length=32,
        error_messages={"required": "验证码：请输入身份验证器上显示的6位数字。"},
    )


class LoginForm(AuthenticationForm):
    """Django's sign-in form; when the address is refused (``portal.security.lockout``), it says so instead of the usual
    "wrong user name or password"."""

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "portal_address_blocked", False):
            return ValidationError(ADDRESS_BLOCKED, code="address_blocked")
        return super().get_invalid_login_error()


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change; the new password must differ from the current one, or an initial password an admin
    gave (``portal.security.passwords``) would count as changed while the admin still knows it."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("new_password2")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error(
                "new_password2",
                ValidationError("新密码：不能与当前密码相同，请设置一个新的密码。", code="password_unchanged"),
            )
        return cleaned
