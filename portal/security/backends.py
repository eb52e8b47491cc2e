"""Sign-in by 统一社会信用代码: an employer or an organisation's account is found by its unit's credit code."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from portal.constants import Role
from portal.identity import normalise_uscc
from portal.models import User


class CreditCodeBackend(ModelBackend):
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
