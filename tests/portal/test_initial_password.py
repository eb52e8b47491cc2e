"""A password an admin sets for somebody else holds its account at the password change page until its owner picks
their own: the base list's account action and the admin site mark the account, every page redirects, the API answers
403, the change (to a different password) clears the mark, and the demo accounts are never marked."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portal.constants import Role
from portal.models import User
from portal.security.passwords import INITIAL_PASSWORD_HELD
from tests.factories import TalentBaseFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGE_URL = "/accounts/password/"
OLD = "Secret-pass-123"  # tests.factories.UserFactory's
NEW = "Fresh-chosen-pass-456"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _flagged(**kwargs: object) -> User:
    user: User = UserFactory(employer_user=True, must_change_password=True, **kwargs)
    return user


# --- who marks an account -------------------------------------------------------------------------------------


def test_the_base_account_action_marks_the_new_account_and_its_first_sign_in_lands_on_the_password_page() -> None:
    admin = UserFactory(admin=True)
    base = TalentBaseFactory()
    response = _client(admin).post(
        reverse("admin:bases_talentbase_changelist"),
        {"action": "create_sign_in_account", "_selected_action": [base.pk]},
        follow=True,
    )
    text = response.content.decode()
    password = re.search(r"初始密码 (\S+)（只显示这一次", text)
    assert password is not None, text
    assert "首次登录后须先修改密码" in text
    account = User.objects.get(employer=base.employer)
    assert account.must_change_password is True
    assert User.objects.get(pk=admin.pk).must_change_password is False

    client = Client()
    landed = client.post("/accounts/login/", {"username": account.username, "password": password.group(1)}, follow=True)
    assert landed.redirect_chain[-1] == (CHANGE_URL, 302)
    assert INITIAL_PASSWORD_HELD in landed.content.decode()


def test_an_account_added_in_the_admin_site_is_marked() -> None:
    admin = UserFactory(admin=True)
    response = _client(admin).post(
        reverse("admin:portal_user_add"),
        {
            "username": "new_officer",
            "password1": NEW,
            "password2": NEW,
            "usable_password": "true",
            "role": Role.TALENT_CENTRE,
            "display_name": "新同事",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(username="new_officer").must_change_password is True


def test_a_password_the_admin_sets_for_somebody_else_is_marked_and_their_own_is_not() -> None:
    admin = UserFactory(admin=True, must_change_password=True)
    clerk = UserFactory(clerk=True)
    client = _client(admin)
    # Held first: the admin's own page is the password change page too.
    assert client.get(reverse("admin:auth_user_password_change", args=[clerk.pk]))["Location"] == CHANGE_URL
    User.objects.filter(pk=admin.pk).update(must_change_password=False)
    form = {"password1": NEW, "password2": NEW, "usable_password": "true"}
    response = client.post(reverse("admin:auth_user_password_change", args=[clerk.pk]), form)
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.must_change_password is True and clerk.check_password(NEW)
    # A refused form (the two passwords differ) changes nothing.
    other = UserFactory(clerk=True)
    refused = client.post(
        reverse("admin:auth_user_password_change", args=[other.pk]), {**form, "password2": "Something-else-789"}
    )
    assert refused.status_code == 200
    assert User.objects.get(pk=other.pk).must_change_password is False
    # The admin's own password, set here, is their own.
    own = client.post(reverse("admin:auth_user_password_change", args=[admin.pk]), form)
    assert own.status_code == 302
    assert User.objects.get(pk=admin.pk).must_change_password is False


# --- the hold ---------------------------------------------------------------------------------------------------


def test_every_page_redirects_to_the_password_page_with_the_reason() -> None:
    client = _client(_flagged())
    for url in ("/workspace/", "/", "/positions/", "/inbox/", "/admin/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, CHANGE_URL), url
    assert INITIAL_PASSWORD_HELD in [str(message) for message in get_messages(response.wsgi_request)]
    htmx = client.get("/workspace/", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx["HX-Redirect"]) == (403, CHANGE_URL)
    page = client.get(CHANGE_URL)
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    # Logout stays open.
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_api_answers_403_with_the_reason() -> None:
    response = _client(_flagged()).get("/api/v1/positions/")
    assert response.status_code == 403
    assert response.json() == {"detail": INITIAL_PASSWORD_HELD, "code": "password_change_required"}


def test_staff_give_their_second_factor_before_the_password_page() -> None:
    officer = UserFactory(centre=True, must_change_password=True)
    client = Client()
    client.force_login(officer)  # with the conftest's second factor: held at the password page only
    assert client.get("/workspace/")["Location"] == CHANGE_URL
    bare = Client()
    response = bare.post("/accounts/login/", {"username": officer.username, "password": OLD})
    assert response.status_code == 302
    assert bare.get("/workspace/")["Location"].startswith(reverse("two_factor_verify"))
    assert bare.get(CHANGE_URL)["Location"].startswith(reverse("two_factor_verify"))


def test_an_unmarked_account_is_not_held() -> None:
    client = _client(UserFactory(employer_user=True))
    assert client.get("/workspace/").status_code == 200
    assert client.get("/api/v1/positions/").status_code == 200


# --- the change clears it ---------------------------------------------------------------------------------------


def test_choosing_a_new_password_clears_the_mark_and_the_same_one_is_refused() -> None:
    user = _flagged()
    client = _client(user)
    same = client.post(CHANGE_URL, {"old_password": OLD, "new_password1": OLD, "new_password2": OLD})
    assert same.status_code == 200
    assert "不能与当前密码相同" in same.content.decode()
    assert User.objects.get(pk=user.pk).must_change_password is True

    response = client.post(CHANGE_URL, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert (response.status_code, response["Location"]) == (302, "/workspace/")
    user.refresh_from_db()
    assert user.must_change_password is False and user.check_password(NEW)
    # Still signed in, and no longer held.
    assert client.get("/workspace/").status_code == 200
    assert client.get("/api/v1/positions/").status_code == 200


# --- demo accounts ----------------------------------------------------------------------------------------------


def test_demo_accounts_are_never_marked(reference_data: None) -> None:
    call_command("seed_demo", "--without-posts", stdout=io.StringIO())
    demo = User.objects.all()
    assert demo.exists() and not demo.filter(must_change_password=True).exists()
    # Seeding again puts a demo account marked in the meantime back to its published password, unmarked.
    User.objects.filter(username="admin").update(must_change_password=True)
    call_command("seed_demo", "--without-posts", stdout=io.StringIO())
    assert not User.objects.filter(must_change_password=True).exists()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/workspace/").status_code == 200
