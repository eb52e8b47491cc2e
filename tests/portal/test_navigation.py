"""The role-aware menu, built once per role and shared: it must depend on nothing but the role."""

from __future__ import annotations

import re

import rules
from django.contrib.auth.models import AnonymousUser

from portal.constants import Role
from portal.models import User
from portal.web import navigation

#: Predicates that ask only whether the user is signed in and active, and their role.
ROLE_ONLY = re.compile(r"^(has_role\([a-z_,]+\)|always_allow|is_authenticated)$")


def test_every_menu_entry_asks_only_for_the_role() -> None:
    """``menu_for`` shares one menu among everyone of a role (``navigation._menu_key``): an entry whose predicate
    read anything else of the user (a district, a verification) would show one person's menu to another."""
    assert rules.always_allow.name == "always_allow" and rules.is_authenticated.name == "is_authenticated"
    for item in (*navigation.PUBLIC_ITEMS, *navigation.WORK_ITEMS):
        parts = re.findall(r"has_role\([^)]*\)|[A-Za-z_]+", item.predicate.name)
        assert parts and all(ROLE_ONLY.match(part) for part in parts), (item.label, item.predicate.name)


def test_the_shared_menu_is_the_one_the_predicates_give() -> None:
    navigation._MENUS.clear()
    for role in Role.values:
        first, second = User(username="first", role=role), User(username="second", role=role)
        built = navigation.menu_for(first)
        assert navigation.menu_for(second) is built
        navigation._MENUS.clear()
        assert navigation.menu_for(second) == built
    clerk = navigation.menu_for(User(role=Role.DISTRICT_CLERK))
    assert "岗位填报" in [item["label"] for item in clerk["work"]]
    inactive = navigation.menu_for(User(role=Role.DISTRICT_CLERK, is_active=False))
    assert "岗位填报" not in [item["label"] for item in inactive["work"]]
    anonymous = navigation.menu_for(AnonymousUser())  # type: ignore[arg-type]
    assert anonymous["work"] == () and anonymous["public"]
