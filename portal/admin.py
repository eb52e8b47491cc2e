"""Admin for the reference data. Every admin page shows the record's audit trail (django-auditlog)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextareaWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Field, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.trail import audit_rows, audit_trail
from portal.dates import table_datetime
from portal.identity import normalise_id_number
from portal.models import (
    AnnualTarget,
    AnonymisationRun,
    CalendarYear,
    District,
    Employer,
    ImportJob,
    PersonalDataAccess,
    Policy,
    PolicyCategory,
    RetentionPolicy,
    SecondFactorDevice,
    SubsidyCap,
    ThirdParty,
    User,
    WorkingDayOverride,
)
from portal.security.crypto import keyed_digest
from portal.security.passwords import password_given
from portal.two_factor.services import second_factor_reset
from portal.web.widgets import LineBreaksAsStored

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

admin.site.site_header = _("卓越工程师人才服务平台 · 系统管理")
admin.site.site_title = _("卓越工程师人才服务平台")
admin.site.index_title = _("系统管理")


class AdminTextarea(LineBreaksAsStored, AdminTextareaWidget):
    """The admin's ``<textarea>``, its line breaks read back as stored (``portal.web.widgets.browser_text``)."""


class AuditedModelAdmin(admin.ModelAdmin):
    """Adds the record's audit trail (who, when, what changed) below its change form."""

    change_form_template = "admin/portal/audited_change_form.html"
    formfield_overrides = {models.TextField: {"widget": AdminTextarea}}

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        extra_context["audit_entries"] = audit_trail(model=self.model, object_pk=object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            # Django's split date-and-time widget writes "日期：" and "时间：" as bare text before its two boxes, and
            # the field's label names neither box: each box gets its own name, or a screen reader reads none.
            date, time = formfield.widget.widgets
            date.attrs["aria-label"] = _("%(field)s（日期）") % {"field": capfirst(db_field.verbose_name)}
            time.attrs["aria-label"] = _("%(field)s（时间）") % {"field": capfirst(db_field.verbose_name)}
        return formfield


class WorkflowRecordAdmin(admin.ModelAdmin):
    """A record inside a workflow (a post or its batch, a hire, a notice, an objection, a claim, a report, a third
    party, a background import) changes only through its workflow's services, which check the move, keep the figures
    the roll-ups read and write the audit trail. The admin never deletes one: no 删除 on its page, no bulk action.
    Pure reference data (districts, caps, targets, policies, calendars, bases) stays deletable where nothing needs it.
    tests/portal/test_admin_deletion.py holds every registered model to this."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the admin only reads (a log, a job, a device): no 新增, no 修改; its page shows the fields read only.
    Whether it may be deleted is the class's own rule (``EvidenceAdmin``: never)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EvidenceAdmin(ReadOnlyAdmin):
    """A record kept as evidence (who saw personal data, what a retention run anonymised): read only, never deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class IdNumberSearchMixin(admin.ModelAdmin):
    """A whole 身份证号码 typed in the admin's search box finds its record through the keyed digest: the number is
    encrypted at rest (portal.security.crypto), so no ``search_fields`` entry could match it, and a part of one finds nothing."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        try:
            number = normalise_id_number(search_term)
        except ValidationError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(id_number_digest=keyed_digest(number)), False


class AnonymisedReadOnlyMixin(admin.ModelAdmin):
    """A record whose person's data was anonymised (``portal.retention``) is shown, never edited: the emptied fields
    are required or tied by a constraint, so even saving it unchanged would be refused, and nothing of the person
    is to come back. ``anonymised_through`` names the relation that carries ``anonymised_at`` when the record
    itself has none (an objection: its hire)."""

    anonymised_through = ""

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None:
            holder = getattr(obj, self.anonymised_through) if self.anonymised_through else obj
            if getattr(holder, "anonymised_at", None) is not None:
                return False
        return super().has_change_permission(request, obj)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedModelAdmin):
    list_display = ["username", "display_name", "role", "district", "employer", "third_party", "is_active"]
    list_filter = ["role", "district", "is_active"]
    search_fields = ["username", "display_name"]
    autocomplete_fields = ["district", "employer", "third_party"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("平台角色"),
            {
                "fields": (
                    "role",
                    "display_name",
                    "phone",
                    "district",
                    "employer",
                    "third_party",
                    "must_change_password",
                )
            },
        ),
    )
    # Recorded by the sign-in and the account's creation. Their date-and-time inputs would show minutes only
    # (zh-hans's first time format): saving the form unchanged would cut the seconds off.
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("平台角色"), {"fields": ("role", "display_name", "district", "employer", "third_party")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # The admin typed the new account's password: its owner replaces it at the first sign-in.
            password_given(user=obj, by=request.user)  # type: ignore[arg-type]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's 修改密码 page of an account; a password set here for somebody else is an initial password again."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # Saved: Django sends the admin on to the account's page (a refused form is shown again, a conflicting
            # one sent back to this very page).
            if (
                request.method == "POST"
                and response.status_code == 302
                and response["Location"] != request.get_full_path()
            ):
                user = User.objects.get(pk=unquote(id))
                password_given(user=user, by=request.user)  # type: ignore[arg-type]
        return response


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "order", "office_name", "objection_phone"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "order"]}),
        (
            _("公示异议受理联系方式"),
            {
                "fields": ["office_name", "objection_phone", "objection_address"],
                "description": _(
                    "印在公示和公示页面上。未填电话时，公示列出市人力社保局流动处和市人才交流服务中心的电话。"
                ),
            },
        ),
    ]


@admin.register(Employer)
class EmployerAdmin(AuditedModelAdmin):
    list_display = ["name", "credit_code", "district", "contact_name"]
    list_filter = ["district"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["district"]


@admin.register(ThirdParty)
class ThirdPartyAdmin(AnonymisedReadOnlyMixin, IdNumberSearchMixin, WorkflowRecordAdmin, AuditedModelAdmin):
    """Registered by the third party, verified by the talent centre, named on hires and claims: never deleted here
    (retention anonymises an individual nothing needs any more)."""

    list_display = ["name", "kind", "credit_code", "status", "verified_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "credit_code"]  # and a whole ID number (IdNumberSearchMixin)
    # The verification state moves only through portal.registration.verification (the talent centre's list): the admin reads it.
    readonly_fields = [
        "status",
        "status_since",
        "return_reason",
        "returned_at",
        "returned_by",
        "verified_at",
        "verified_by",
    ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The change form shows the ID number and bank account whole: the admin's look is recorded like anyone's.
        if request.method == "GET" and (party := self.get_object(request, object_id)) is not None:
            from portal.security.privacy import personal_data_reveal
            from portal.web.http import client_address

            for field in ("id_number", "bank_account") if party.id_number else ("bank_account",):
                personal_data_reveal(
                    obj=party,
                    field=field,
                    by=request.user,  # type: ignore[arg-type]
                    allowed=self.has_view_permission(request, party),
                    purpose="系统管理",
                    remote_addr=client_address(request),
                )
        return super().change_view(request, object_id, form_url, extra_context)


class EnteredFigureAdmin(AuditedModelAdmin):
    """A cap or a target: whoever enters or changes it is its 录入人 (docs/figures.md, "Where the caps and targets come
    from"); a save that changes nothing leaves it as it was."""

    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change or form.has_changed():
            obj.entered_by = request.user
            obj.entered_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(SubsidyCap)
class SubsidyCapAdmin(EnteredFigureAdmin):
    list_display = [
        "channel",
        "amount",
        "effective_from",
        "effective_to",
        "source",
        "policy_reference",
        "dates_source",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["channel", "source", "dates_source"]
    fieldsets = [
        (None, {"fields": ["channel", "amount", "source", "policy_reference"]}),
        (_("生效期间"), {"fields": ["effective_from", "effective_to", "dates_source", "dates_reference"]}),
        (_("录入"), {"fields": ["entered_by", "entered_at"]}),
    ]


@admin.register(AnnualTarget)
class AnnualTargetAdmin(EnteredFigureAdmin):
    list_display = [
        "year",
        "programme",
        "target",
        "approximate",
        "source",
        "policy_reference",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["programme", "year", "source"]


@admin.register(PolicyCategory)
class PolicyCategoryAdmin(AuditedModelAdmin):
    list_display = ["order", "name"]


@admin.register(Policy)
class PolicyAdmin(AuditedModelAdmin):
    list_display = ["number", "category", "agency"]
    list_filter = ["category"]
    search_fields = ["content", "agency"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedModelAdmin):
    list_display = ["year", "notice_reference", "created_at"]


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


def _field_label(content_type: ContentType, name: str) -> str:
    """A masked field by its Chinese name on the record it belongs to (``id_number`` → 身份证号码)."""
    model = content_type.model_class()
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        field = None
    return str(field.verbose_name) if isinstance(field, Field) else name


class RevealedRecordFilter(admin.SimpleListFilter):
    """Only the kinds of record someone has looked into, by their Chinese names, not every table of the system."""

    title = _("记录类型")
    parameter_name = "record_type"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        seen = PersonalDataAccess.objects.order_by().values_list("content_type", flat=True).distinct()
        kinds = ContentType.objects.filter(pk__in=seen)
        return sorted(
            (
                (str(kind.pk), str(model._meta.verbose_name))
                for kind in kinds
                if (model := kind.model_class()) is not None
            ),
            key=lambda choice: choice[1],
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[PersonalDataAccess]) -> QuerySet[PersonalDataAccess]:
        value = self.value()
        return queryset.filter(content_type_id=int(value)) if value and value.isdigit() else queryset


class RevealedFieldFilter(admin.SimpleListFilter):
    title = _("字段")
    parameter_name = "field"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        pairs = PersonalDataAccess.objects.order_by().values_list("content_type", "field").distinct()
        kinds = ContentType.objects.in_bulk({kind for kind, _ in pairs})
        labels: dict[str, set[str]] = {}
        for kind, name in pairs:
            labels.setdefault(name, set()).add(_field_label(kinds[kind], name) if kind in kinds else name)
        return sorted((name, "、".join(sorted(shown))) for name, shown in labels.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[PersonalDataAccess]) -> QuerySet[PersonalDataAccess]:
        return queryset.filter(field=self.value()) if self.value() else queryset


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(EvidenceAdmin):
    """Who saw whose data whole, when, why, from where: read only, kept as evidence."""

    list_display = ["accessed_at", "user", "record_type", "object_id", "field_label", "purpose", "remote_addr"]
    list_filter = [RevealedFieldFilter, RevealedRecordFilter]
    search_fields = ["user__username", "purpose"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "accessed_at"

    @admin.display(description=_("记录类型"), ordering="content_type")
    def record_type(self, obj: PersonalDataAccess) -> str:
        model = obj.content_type.model_class()
        return str(model._meta.verbose_name) if model else obj.content_type.model

    @admin.display(description=_("字段"), ordering="field")
    def field_label(self, obj: PersonalDataAccess) -> str:
        return _field_label(obj.content_type, obj.field)


# django-auditlog's own list of every entry (审计日志 → 日志记录) writes changes by field name ("2 changes: status,
# notice") and the actor as "system": the same reading as under each record instead (portal.audit.trail).
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(LogEntryAdmin):
    @admin.display(description=_("时间（北京时间）"))
    def created(self, obj: LogEntry) -> str:
        return table_datetime(obj.timestamp)

    @admin.display(description=_("操作人"))
    def user_url(self, obj: LogEntry) -> str:
        return super().user_url(obj) if obj.actor else "系统"

    @admin.display(description=_("变更内容"))
    def msg_short(self, obj: LogEntry) -> str:
        # Field names only, no related record looked up: one list page stays a fixed number of queries.
        model = obj.content_type.model_class()
        names = []
        for name in obj.changes_dict or {}:
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            if field is None:
                names.append(name)
            elif isinstance(field, Field):  # not a reverse relation, which auditlog lists on creation
                names.append(str(field.verbose_name))
        return "、".join(names)

    @admin.display(description=_("关联编号"))
    def cid_url(self, obj: LogEntry) -> str | None:
        return super().cid_url(obj)

    @admin.display(description=_("变更内容"))
    def msg(self, obj: LogEntry) -> str:
        (row,) = audit_rows([obj])
        return (
            format_html_join("", "<div><b>{}</b>：{} → {}</div>", ((c.field, c.old, c.new) for c in row.changes)) or "—"
        )


# django-axes' list of sign-in attempts heads its remaining-tries column with the method's name, "Status", which no
# translation reaches: the same admin, the column named in Chinese.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description=_("状态"))
    def status(self, obj: AccessAttempt) -> str:
        return str(super().status(obj))


# django-otp registers its own TOTP admin, which can add devices and show their secrets: replaced by a reset-only one.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


def _column(field: str, label: StrOrPromise, *, ordering: str | None = "", boolean: bool | None = None) -> Any:
    """A list or detail column showing ``field`` under a Chinese ``label`` (for models whose own field names are
    English and untranslatable); sorted by the field unless ``ordering`` says otherwise (None: not sortable)."""

    @admin.display(description=label, ordering=field if ordering == "" else ordering, boolean=boolean)
    def show(model_admin: admin.ModelAdmin, obj: Model) -> object:
        return getattr(obj, field)

    return show


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("已绑定")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("1", "已绑定"), ("0", "未绑定（待首次登录时绑定）")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> QuerySet[TOTPDevice]:
        return queryset.filter(confirmed=self.value() == "1") if self.value() in ("0", "1") else queryset


@admin.register(SecondFactorDevice)
class SecondFactorDeviceAdmin(ReadOnlyAdmin):
    """身份验证器 (the staff's second factor): read and reset, nothing else. Nobody adds a device here (an admin would
    know its secret) and no secret or QR code is shown. A reset (a lost or replaced phone) goes through
    ``portal.two_factor.services.second_factor_reset``: the person enrols again at their next sign-in, and the reset is in
    the audit trail of their user record. Columns carry Chinese names (django-otp's fields have English ones)."""

    list_display = ["account", "device_name", "is_confirmed", "created", "last_used", "failures"]
    list_filter = [ConfirmedFilter]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user"]
    fields = readonly_fields = (
        "account",
        "device_name",
        "is_confirmed",
        "created",
        "last_used",
        "failures",
        "failed_at",
    )
    actions = ["reset_second_factor"]

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a plain delete would skip the audit record: reset instead
        return actions

    account = _column("user", _("账号"), ordering="user__username")
    device_name = _column("name", _("名称"))
    is_confirmed = _column("confirmed", _("已绑定"), boolean=True)
    created = _column("created_at", _("绑定时间"))
    last_used = _column("last_used_at", _("最近使用"))
    failures = _column("throttling_failure_count", _("连续错误次数"))
    failed_at = _column("throttling_failure_timestamp", _("最近一次错误"), ordering=None)

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        second_factor_reset(user=obj.user, by=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        for user in {device.user for device in queryset.select_related("user")}:
            second_factor_reset(user=user, by=request.user)  # type: ignore[arg-type]

    @admin.action(description=_("重置所选账号的身份验证器（须重新绑定）"), permissions=["delete"])
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            second_factor_reset(user=user, by=request.user)  # type: ignore[arg-type]
        names = "、".join(sorted(user.username for user in users))
        self.message_user(request, f"已重置 {len(users)} 个账号的身份验证器（{names}），其下次登录时须重新绑定。")


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(AuditedModelAdmin):
    """个人信息保存期限: one row, edited here; the daily task (portal.tasks.anonymise_expired) applies it."""

    list_display = ["__str__", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RetentionPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One setting, not a list: straight to its form (created with the defaults on first visit).
        from django.shortcuts import redirect

        return redirect("admin:portal_retentionpolicy_change", RetentionPolicy.current().pk)

    def save_model(self, request: HttpRequest, obj: RetentionPolicy, form: forms.ModelForm, change: bool) -> None:
        if change and not form.has_changed():
            return  # saved unchanged: 修改人 and 修改时间 still say who last changed the setting, and when
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(AnonymisationRun)
class AnonymisationRunAdmin(EvidenceAdmin, AuditedModelAdmin):
    """Each retention run and how much it anonymised: read only, kept as evidence."""

    list_display = [
        "started_at",
        "hires",
        "claims",
        "objections",
        "attachments",
        "third_parties",
        "messages",
        "import_jobs",
        "hire_years",
        "claim_years",
        "by",
    ]
    list_select_related = ["by"]
    date_hierarchy = "started_at"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin, WorkflowRecordAdmin):
    """Background imports, for an admin answering 「我的导入卡住了」: read only; the owner confirms on the job page."""

    list_display = [
        "number",
        "kind",
        "district",
        "owner",
        "status",
        "rows_done",
        "rows_total",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "kind", "district"]
    list_select_related = ["district", "owner"]
    date_hierarchy = "created_at"
    exclude = ["errors"]  # names and masked ID numbers, row by row: the job page shows them to those who may see them

    @admin.display(description=_("编号"), ordering="pk")
    def number(self, obj: ImportJob) -> int:
        return obj.pk
