"""The portal's sign-in backends: by user name and password (``PasswordBackend``), or by 统一社会信用代码
(``CreditCodeBackend``: an employer or an organisation's account is found by its unit's credit code). Both load the
signed-in user of each request with what every page shows of them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from portal.constants import Role
from portal.identity import normalise_uscc
from portal.models import User


class PasswordBackend(ModelBackend):
    """Django's user name and password sign-in (``ModelBackend``), whose ``get_user`` loads the signed-in user of a
    request with the district every page's header names, in the same query: the user row alone, then the district
    on first use, were two queries on every page of district staff. Only the district: a third party's row holds
    encrypted columns (decrypted on load), and an employer's is read by the few pages that need it. The same checks
    as Django's (an inactive user is no one)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("district").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> User | None:
        try:
            user = await User._default_manager.select_related("district").aget(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class CreditCodeBackend(PasswordBackend):
    """``username`` may be the unit's 统一社会信用代码 (any case, spaces, full-width): it names the one active
    employer or third-party account of that unit. A unit with several accounts signs in by user name instead."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        try:
            code = normalise_uscc(username)
        except ValidationError:
            return None
        accounts = list(
            User.objects.filter(
                Q(role=Role.EMPLOYER, employer__credit_code=code)
                | Q(role=Role.THIRD_PARTY, third_party__credit_code=code),
                is_active=True,
            )[:2]
        )
        if len(accounts) != 1:
            User().set_password(password)  # the same work as a real check: no timing hint that the code is unknown
            return None
        user = accounts[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
