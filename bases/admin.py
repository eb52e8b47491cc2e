"""Admin of the base list: batches with their bases, and each base's employer details (the credit code and district
the notice does not give) with its sign-in account (docs/bases.md, "Signing in")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bases.models import BaseBatch, TalentBase
from bases.services import base_account_create, base_employer_update, credit_code_clean
from portal.admin import AuditedModelAdmin
from portal.errors import PortalError
from portal.models import District, Employer, User
from portal.web.http import request_user


class TalentBaseInline(admin.TabularInline):
    model = TalentBase
    autocomplete_fields = ["employer"]
    extra = 0


@admin.register(BaseBatch)
class BaseBatchAdmin(AuditedModelAdmin):
    list_display = ["title", "year", "number", "notice_reference"]
    inlines = [TalentBaseInline]


class TalentBaseForm(forms.ModelForm):
    """A base with its employer's credit code and district, which the base list records for the employer."""

    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("18位，基地以此代码登录；留空表示尚未登记。"),
    )
    district = forms.ModelChoiceField(
        label=_("所在区县"), queryset=District.objects.order_by("order", "code"), required=False
    )

    class Meta:
        model = TalentBase
        fields = ["batch", "employer", "number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            employer = self.instance.employer
            self.fields["credit_code"].initial = employer.credit_code or ""
            self.fields["district"].initial = employer.district_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        employer = data.get("employer")
        if isinstance(employer, Employer):
            try:
                # The same check as the import: a valid code (GB 32100 check character) no other employer holds.
                data["credit_code"] = credit_code_clean(data.get("credit_code") or "", employer=employer) or ""
            except PortalError as error:
                self.add_error("credit_code", error.message)
        return data


@admin.register(TalentBase)
class TalentBaseAdmin(AuditedModelAdmin):
    form = TalentBaseForm
    list_display = ["number", "employer", "batch", "credit_code", "district", "has_account"]
    list_filter = ["batch", "employer__district"]
    search_fields = ["employer__name", "employer__credit_code"]
    autocomplete_fields = ["employer"]
    fields = ["batch", "number", "employer", "credit_code", "district"]
    actions = ["create_sign_in_account"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TalentBase]:
        accounts = User.objects.filter(employer=OuterRef("employer"), is_active=True)
        return (
            super()
            .get_queryset(request)
            .select_related("batch", "employer__district")
            .annotate(account=Exists(accounts))
        )

    @admin.display(description=_("统一社会信用代码"), ordering="employer__credit_code")
    def credit_code(self, obj: TalentBase) -> str:
        return obj.employer.credit_code or "—"

    @admin.display(description=_("所在区县"), ordering="employer__district__order")
    def district(self, obj: TalentBase) -> str:
        return obj.employer.district.name if obj.employer.district else "—"

    @admin.display(description=_("登录账号"), boolean=True)
    def has_account(self, obj: TalentBase) -> bool:
        return bool(getattr(obj, "account", False))

    def save_model(self, request: HttpRequest, obj: TalentBase, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        base_employer_update(
            base=obj,
            credit_code=form.cleaned_data.get("credit_code") or "",
            district=form.cleaned_data.get("district"),
            by=request_user(request),
        )

    @admin.action(description=_("为所选基地创建登录账号（初始密码只显示一次）"))
    def create_sign_in_account(self, request: HttpRequest, queryset: QuerySet[TalentBase]) -> None:
        by = request_user(request)
        for base in queryset.select_related("employer"):
            try:
                created = base_account_create(base=base, by=by)
            except PortalError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                self.message_user(
                    request,
                    f"已为“{base.employer.name}”创建登录账号：用户名（统一社会信用代码）{created.user.username}，"
                    f"初始密码 {created.initial_password}（只显示这一次，请转交基地联系人；基地首次登录后须先修改密码）。",
                    messages.SUCCESS,
                )
