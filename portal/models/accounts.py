"""People: one user model from the first migration, one role per account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.constants import CITY_ROLES, DISTRICT_ROLES, Role


class UserManager(DjangoUserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person's account. The role decides the menus, the pages and the rules; see ``portal.permissions``.

    Invariants (check constraints): a district clerk or reviewer belongs to exactly one district, an employer
    account to one employer, a third-party account to one third party; nobody else is tied to any of them.
    """

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    district = models.ForeignKey(
        "portal.District",
        verbose_name=_("所属区县"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    employer = models.ForeignKey(
        "portal.Employer",
        verbose_name=_("所属用人单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    third_party = models.ForeignKey(
        "portal.ThirdParty",
        verbose_name=_("所属第三方"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    must_change_password = models.BooleanField(
        _("须修改初始密码"),
        default=False,
        help_text=_(
            "管理员为他人设置初始密码或重置密码后自动勾选：本人登录后须先修改密码才能使用平台，修改后自动取消。"
        ),
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="user_district_iff_district_role",
                condition=Q(role__in=sorted(DISTRICT_ROLES), district__isnull=False)
                | (~Q(role__in=sorted(DISTRICT_ROLES)) & Q(district__isnull=True)),
            ),
            models.CheckConstraint(
                name="user_employer_iff_employer_role",
                condition=Q(role=Role.EMPLOYER, employer__isnull=False)
                | (~Q(role=Role.EMPLOYER) & Q(employer__isnull=True)),
            ),
            models.CheckConstraint(
                name="user_third_party_iff_third_party_role",
                condition=Q(role=Role.THIRD_PARTY, third_party__isnull=False)
                | (~Q(role=Role.THIRD_PARTY) & Q(third_party__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_district_staff(self) -> bool:
        return self.role in DISTRICT_ROLES

    @property
    def is_city_staff(self) -> bool:
        return self.role in CITY_ROLES


class SecondFactorDevice(TOTPDevice):
    """A staff member's authenticator app (django-otp's ``TOTPDevice``, the same table), under its Chinese name in
    the admin: django-otp's own names are plain English strings, not translatable."""

    class Meta:
        proxy = True
        verbose_name = "身份验证器"
        verbose_name_plural = "身份验证器（双因素认证）"
