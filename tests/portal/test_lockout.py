"""Sign-in protection beyond axes' per-name lockout (portal.security.lockout): over-long user names, and an address failing
across many user names (password spraying). Run on SQLite and on PostgreSQL (DATABASE_URL), where an over-long
user name once failed axes' varchar(255) insert."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from portal.models import User
from portal.security.lockout import ADDRESS_BLOCKED, SPRAY_NAMES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "请输入一个正确的"  # the start of Django's "wrong user name or password" message, in Chinese


def _clerk() -> User:
    user: User = UserFactory(clerk=True)
    return user


def _login(username: str, password: str, *, ip: str = "10.20.0.1", client: Client | None = None) -> TestResponse:
    return (client or Client()).post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("length", [256, 300, 5_000])
def test_an_over_long_user_name_is_an_ordinary_failed_sign_in(length: int, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        response = _login("x" * length, "whatever-123")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 255 and attempt.failures_since_start == 1


def test_over_long_user_names_are_locked_out_like_any_other() -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login("y" * 400, "whatever-123").status_code == 200
    assert _login("y" * 400, "whatever-123").status_code == 429


def test_one_password_against_many_user_names_stops_the_address() -> None:
    for n in range(SPRAY_NAMES):
        response = _login(f"guess{n}", "Spring-2026-pass")
        assert response.status_code == 200 and WRONG in response.content.decode()
    # The next name is refused before its password is looked at, even when the password is right.
    stranger = _clerk()
    response = _login(stranger.username, "Secret-pass-123")
    assert response.status_code == 429
    assert ADDRESS_BLOCKED in response.content.decode()
    assert _login("guess-more", "Spring-2026-pass").status_code == 429
    # Another address is not held back.
    assert _login(stranger.username, "Secret-pass-123", ip="10.20.0.2").status_code == 302


def test_repeated_failures_of_one_name_do_not_stop_the_address() -> None:
    """One person mistyping their own password is axes' business (per name and address), not the address's."""
    user = _clerk()
    for _ in range(3):
        _login(user.username, "wrong-password")
    for n in range(SPRAY_NAMES - 2):
        _login(f"typo{n}", "wrong-password")
    assert _login(user.username, "Secret-pass-123").status_code == 302


def test_a_colleague_who_signed_in_here_before_still_gets_in() -> None:
    """The office shares an address with the attacker: colleagues who have signed in from it before keep their
    password check (still under axes' per-name lockout); a name new to the address waits out the block."""
    colleague = _clerk()
    assert _login(colleague.username, "Secret-pass-123").status_code == 302
    for n in range(SPRAY_NAMES):
        _login(f"guess{n}", "Spring-2026-pass")
    assert _login(_clerk().username, "Secret-pass-123").status_code == 429
    response = _login(colleague.username, "Secret-pass-123")
    assert response.status_code == 302
    wrong = _login(colleague.username, "Wrong-pass-123")
    assert wrong.status_code == 200 and WRONG in wrong.content.decode()
