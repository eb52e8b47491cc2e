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


def test_the_menu_tag_writes_what_the_menu_include_writes() -> None:
    """``{% nav_items %}`` (``navigation.nav_items_html``) and ``portal/_nav_items.html``, to the byte, the page's own
    entry marked current, for every role's menu; and nothing but the line break for no menu at all."""
    from django.template import engines
    from django.test import RequestFactory
    from django.urls import Resolver404, resolve

    engine = engines["django"]
    include = engine.from_string('{% include "portal/_nav_items.html" with items=items %}|')
    tag = engine.from_string("{% load portal_nav %}{% nav_items items %}|")
    for path in ("/positions/district/", "/", "/no-such-page/"):
        request = RequestFactory().get(path)
        try:
            request.resolver_match = resolve(path)
        except Resolver404:  # a page with no view: no entry is current
            request.resolver_match = None
        for role in Role.values:
            menu = navigation.menu_for(User(role=role))
            for items in (menu["public"], menu["work"], ({"label": "<甲&乙>", "url": "/a?b=1&c=2", "url_name": "x"},)):
                context = {"items": items, "request": request}
                assert tag.render(context) == include.render(context)
            assert 'aria-current="page"' in tag.render({"items": menu["public"], "request": request}) or path != "/"
        assert tag.render({"request": request}) == include.render({"request": request}) == "\n|"
