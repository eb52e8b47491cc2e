"""The Annex 2 form: one employer, the hires to claim with the amount asked for each, contact and declarations.
Every rule is checked again by ``subsidies.services``; this form only parses what the browser sends."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from portal import limits
from portal.concurrency import opened_at_field
from portal.errors import PortalError
from portal.limits import AMOUNT, parse_amount
from portal.models import Employer, SubsidyCap
from portal.web.widgets import Textarea, bootstrap
from referrals.models import Hire
from subsidies.services import ClaimData, ClaimLine, hire_cap, hire_cap_key


class ClaimForm(forms.Form):
    employer_contact = forms.CharField(label="用人单位联系人", max_length=limits.EMPLOYER_CONTACT.max_length)
    employer_phone = forms.CharField(
        label="联系电话", max_length=limits.EMPLOYER_PHONE.max_length, help_text="手机号或带区号的固定电话。"
    )
    declares_introduced = forms.BooleanField(
        label="1. 本机构（个人）已向该用人单位推荐引进卓越工程师，人员已实际到岗。", required=False
    )
    declares_good_credit = forms.BooleanField(label="2. 本机构（个人）无不良信用记录。", required=False)
    declares_truthful = forms.BooleanField(
        label="3. 所提交的申报材料真实、准确、完整，如有虚假，愿承担相应法律责任。", required=False
    )
    #: The claim as the edit page showed it (a new claim has none).
    opened_at = opened_at_field()

    def __init__(self, *args: Any, employer: Employer, hires: list[Hire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employer = employer
        self.hires = hires
        self.rows: list[dict[str, Any]] = []
        chosen = self.initial.get("lines", {})
        caps: dict[tuple[str, datetime.date], SubsidyCap] = {}  # one look-up per channel and date, not per hire
        for hire in hires:
            key = hire_cap_key(hire)
            if key not in caps:
                caps[key] = hire_cap(hire)
            cap = caps[key].amount
            pick, amount = f"hire_{hire.pk}", f"amount_{hire.pk}"
            self.fields[pick] = forms.BooleanField(required=False, initial=hire.pk in chosen)
            self.fields[amount] = forms.CharField(
                required=False,
                max_length=AMOUNT.max_chars,
                initial=f"{chosen.get(hire.pk, cap):.2f}",
                widget=forms.TextInput(attrs={"aria-label": f"{hire.name}的申请金额", "inputmode": "decimal"}),
            )
            self.rows.append({"hire": hire, "cap": cap, "pick": self[pick], "amount": self[amount]})
        #: The caps these people fall under, each with where it comes from (shown under the table).
        self.caps = sorted({cap.pk: cap for cap in caps.values()}.values(), key=lambda cap: (cap.channel, cap.pk))
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = []
        for hire in self.hires:
            if not data.get(f"hire_{hire.pk}") or f"amount_{hire.pk}" in self.errors:
                continue  # unpicked, or already refused (too long) with its own message
            try:
                amount = parse_amount(data.get(f"amount_{hire.pk}", ""), label=f"{hire.name}的申请金额")
            except PortalError as error:
                self.add_error(f"amount_{hire.pk}", error.message)
                continue
            lines.append(ClaimLine(hire=hire, requested_amount=amount))
        if not lines and not self.errors:
            raise forms.ValidationError("请至少勾选一名引进人才并填写申请金额。")
        data["lines"] = tuple(lines)
        return data

    def claim_data(self) -> ClaimData:
        data = self.cleaned_data
        return ClaimData(
            employer=self.employer,
            employer_contact=data["employer_contact"],
            employer_phone=data["employer_phone"],
            lines=data["lines"],
            declares_introduced=data["declares_introduced"],
            declares_good_credit=data["declares_good_credit"],
            declares_truthful=data["declares_truthful"],
        )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类别")
    file = forms.FileField(label="扫描件", help_text="PDF、JPG或PNG，不超过10MB。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from subsidies.constants import AttachmentKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AttachmentKind.choices  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        bootstrap(self)


class PersonExceptionForm(forms.Form):
    """再次补助例外, as the bureau's reviewer records it; the rules are ``services.person_exception_record``'s."""

    name = forms.CharField(
        label="姓名", max_length=limits.PERSON_NAME.max_length, error_messages={"required": "请填写姓名。"}
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=limits.ID_NUMBER_INPUT.max_length,
        help_text="18位居民身份证号码，末位可为X。",
        error_messages={"required": "请填写身份证号码。"},
    )
    reason = forms.CharField(
        label="例外原因",
        error_messages={"required": "请填写例外原因。"},
        widget=Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="写明同意再次补助的理由和依据（如局务会议纪要文号）。每登记一次，可再申报一次。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
