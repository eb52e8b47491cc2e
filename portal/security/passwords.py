"""Initial passwords: a password an admin set for somebody else is that person's only until their first sign-in.

Whoever gives a person a password (the admin creating a base's account, adding a user or resetting another user's
password in the admin site) has seen it; the account is flagged ``must_change_password`` and
``portal.web.middleware.InitialPasswordMiddleware`` holds every page and API call but the password change page until the
person has chosen their own (docs/roles.md, "Initial passwords"). Choosing it, on the portal's password change page or
by an admin for their own account, clears the flag. Self-registered and demo accounts are never flagged.
"""

from __future__ import annotations

from portal.audit.recording import set_actor
from portal.models import User

#: What a person with an admin-set password is told on every page and API call they are held from.
INITIAL_PASSWORD_HELD = "您正在使用管理员设置的初始密码，请先修改密码后再继续使用。"  # noqa: S105  (a message)


def password_given(*, user: User, by: User) -> None:
    """``by`` has just set ``user``'s password: somebody else's password must be changed at its next sign-in; one's
    own is one's own. An account without a usable password (sign-in by password switched off) has nothing to change."""
    flag = user.pk != by.pk and user.has_usable_password()
    _flag_set(user=user, flag=flag, by=by)


def password_chosen(*, user: User) -> None:
    """``user`` has just changed their own password: it is no longer the one an admin gave them."""
    _flag_set(user=user, flag=False, by=user)


def _flag_set(*, user: User, flag: bool, by: User) -> None:
    if user.must_change_password == flag:
        return
    user.must_change_password = flag
    with set_actor(by):
        user.save(update_fields=["must_change_password"])
