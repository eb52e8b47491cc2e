"""The role-aware menu: each entry names the predicate that shows it, so menus and pages agree."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import rules
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from portal import permissions as p
from portal.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    predicate: rules.Predicate


PUBLIC_ITEMS: tuple[NavItem, ...] = (
    NavItem("首页", "portal:home", rules.always_allow),
    NavItem("岗位榜单", "positions:public_list", rules.always_allow),
    NavItem("公示", "referrals:publicity_list", rules.always_allow),
    NavItem("人才基地", "bases:list", rules.always_allow),
    NavItem("政策指南", "portal:policies", rules.always_allow),
)

WORK_ITEMS: tuple[NavItem, ...] = (
    NavItem("我的工作台", "portal:workspace", rules.is_authenticated),
    NavItem("岗位填报", "positions:district_batch", p.is_district_staff),
    NavItem("岗位汇总", "positions:city_batches", p.is_city_staff),
    NavItem("岗位查询", "positions:manage_list", p.is_staff_role),
    NavItem("用人单位", "portal:employer_list", p.is_staff_role),
    NavItem("第三方核验", "portal:third_party_list", p.is_talent_centre | p.is_admin),
    NavItem("单位岗位需求", "positions:proposal_queue", p.is_district_clerk),
    NavItem("我的岗位需求", "positions:proposal_list", p.is_employer),
    NavItem("引进人才", "referrals:hire_list", p.is_district_staff | p.is_city_staff | p.is_employer),
    # Hires at employers without a district (bases): the talent centre audits and publicises them.
    NavItem("基地人员审核", "referrals:centre_hires", p.is_talent_centre),
    NavItem("入职旬报", "referrals:report_district", p.is_district_staff),
    NavItem("入职旬报", "referrals:report_city", p.is_city_staff),
    NavItem("我的推荐申报", "referrals:declaration_list", p.is_third_party),
    NavItem("第三方申报待确认", "referrals:employer_declarations", p.is_employer),
    NavItem("我推荐的人才", "subsidies:introduced_hires", p.is_third_party),
    NavItem("补助申报", "subsidies:claim_list", p.is_third_party),
    NavItem("注册信息", "portal:registration_details", p.is_third_party),
    NavItem("补助审核", "subsidies:review_queue", p.is_talent_centre | p.is_bureau_reviewer),
    NavItem("统计看板", "rollups:dashboard", p.is_talent_centre | p.is_bureau_reviewer),
    NavItem("旬汇总", "rollups:rollup_list", p.is_city_staff | p.is_district_staff),
    NavItem("年度评估", "rollups:evaluation", p.is_bureau_reviewer | p.is_talent_centre),
    NavItem("系统管理", "admin:index", p.is_admin),
)


@functools.lru_cache(maxsize=256)
def _address(url_name: str, prefix: str, urlconf: str) -> str | None:
    """The menu entry's address: the same for every request under one URL configuration and script prefix (the
    key), so reversed once rather than on every page. None for a page whose URL does not exist (yet)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _visible(items: tuple[NavItem, ...], user: User, prefix: str, urlconf: str) -> tuple[dict[str, str], ...]:
    visible = []
    for item in items:
        if not item.predicate.test(user):
            continue
        url = _address(item.url_name, prefix, urlconf)
        if url is None:
            # A page whose URL is not (yet) configured is simply not in the menu.
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return tuple(visible)


#: A menu as the templates read it: ``public`` and ``work``, each entries of label, address and URL name.
Menu = dict[str, tuple[dict[str, str], ...]]

#: The menus built so far, by what they depend on (``_menu_key``): about one per role, built once per process.
_MENUS: dict[tuple[bool, bool, str, str, str], Menu] = {}


def _menu_key(user: User, prefix: str, urlconf: str) -> tuple[bool, bool, str, str, str]:
    """What a menu depends on: every entry's predicate is a role's (``portal.permissions``), which asks whether the
    user is signed in and active and what their role is; then the addresses' URL configuration and prefix."""
    return (
        bool(getattr(user, "is_authenticated", False)),
        bool(getattr(user, "is_active", False)),
        str(getattr(user, "role", "")),
        prefix,
        urlconf,
    )


def menu_for(user: User) -> Menu:
    """The user's menu: the same for everyone of a role, so built once per role and process and then shared (read
    only), rather than some thirty predicates tested on every page."""
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    key = _menu_key(user, prefix, urlconf)
    menu = _MENUS.get(key)
    if menu is None:
        menu = {
            "public": _visible(PUBLIC_ITEMS, user, prefix, urlconf),
            "work": _visible(WORK_ITEMS, user, prefix, urlconf),
        }
        _MENUS[key] = menu
    return menu


def nav_items_html(items: tuple[dict[str, str], ...], request: HttpRequest | None) -> SafeString:
    """``templates/portal/_nav_items.html`` (a menu's entries, the page's own marked current), byte for byte, built
    here: on every page the include ran a dozen template lookups for each of some fifteen entries
    (``{% nav_items %}`` of ``portal_nav``; ``tests/portal/test_navigation.py`` compares the two)."""
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "view_name", None)
    parts = []
    for item in items:
        here = current == item["url_name"]
        active, aria = (" active", ' aria-current="page"') if here else ("", "")
        url, label = conditional_escape(item["url"]), conditional_escape(item["label"])
        parts.append(
            f'\n  <li class="nav-item">\n    <a class="nav-link{active}"\n       href="{url}"{aria}>{label}</a>\n  </li>\n'
        )
    return mark_safe("".join(parts) + "\n")  # noqa: S308 (the addresses and labels are escaped)
