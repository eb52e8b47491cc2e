"""Every page of every role passes axe-core: each role signs in through the real forms (the second factor included)
and opens every page it may open, on its own records, in the world of the access matrix; each page, and the markup
htmx swaps in, is checked by axe-core with every rule it runs by default (WCAG 2.x A/AA and its best practices).

Which pages a role may open, and on which records, is the access matrix's (tests/security/test_access_matrix.py):
every GET page there is walked here, for every role that may open it. URLs that are no page a person reads (files,
POST-only actions, the JSON API) are excluded below by name, each with its reason, and a URL the resolver knows that
is neither walked nor excluded fails ``test_every_page_is_walked``. The admin, the error pages and the API's
documentation page are walked as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from bases.models import BaseBatch, TalentBase
from referrals.models import Hire
from tests.browser.conftest import (
    accessibility_problems,
    describe_violations,
    finish_accessibility_check,
    log_in,
    start_accessibility_check,
)
from tests.otp import authenticator
from tests.security.test_access_matrix import MATRIX, Cell, Check, _url_names
from tests.security.world import ADMIN, ANON, BUREAU, CENTRE, CLERK, OWN, ROLES, THIRD_PARTY, World, build_world

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Route
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: URLs the resolver knows that are no page a person reads, by name, with the reason.
NOT_PAGES: dict[str, str] = {
    # Files: a download, not a page.
    "rollups:dashboard_csv": "CSV file",
    "rollups:evaluation_xlsx": "Excel workbook",
    "rollups:rollup_xlsx": "Excel workbook",
    "rollups:rollup_pdf": "PDF",
    "portal:guide_pdf": "PDF (the printable guide)",
    "referrals:notice_pdf": "PDF",
    "referrals:hire_import_template": "Excel workbook (the blank Annex 3 sheet)",
    "positions:import_template": "Excel workbook (the blank Annex 1 sheet)",
    "bases:import_template": "Excel workbook (the blank base list)",
    "bases:export": "Excel workbook (the base list as it stands)",
    "subsidies:annex2_pdf": "PDF",
    "subsidies:annex3_pdf": "PDF",
    "subsidies:attachment_download": "the claimant's uploaded scan (PDF or image)",
    "positions:export": "Excel workbook",
    "positions:proposal_template": "Excel workbook (the blank Annex 1 sheet, for an employer)",
    # Actions: a POST from a button on a page walked here, answered by a redirect back to it or an htmx fragment
    # (the fragments are checked in place: see INTERACTIONS).
    "portal:notification_read": "POST from the inbox",
    "portal:notifications_read_all": "POST from the inbox",
    "portal:third_party_verify": "POST from the third-party list",
    "portal:third_party_return": "POST from the third-party list",
    "portal:third_party_reveal": "htmx POST from the third-party list (checked in place)",
    "portal:import_job_confirm": "POST from the import job page",
    "referrals:hire_move": "POST from the hire page",
    "referrals:hire_reveal_id": "htmx POST from the hire page (checked in place)",
    "referrals:objection_resolve": "POST from the objection queue",
    "referrals:employer_confirm": "POST from the employer's hire list",
    "referrals:employer_declaration_decide": "POST from the employer's declarations page",
    "referrals:declared_person_withdraw": "POST from the third party's declarations page",
    "subsidies:claim_submit": "POST from the claim page",
    "subsidies:claim_withdraw": "POST from the claim page",
    "subsidies:attachment_upload": "POST from the claim page",
    "subsidies:attachment_delete": "POST from the claim page",
    "subsidies:review_decide": "POST from the review page",
    "subsidies:review_pay": "POST from the review page",
    "subsidies:verify_paper": "POST from the public check page (the paper's file or digest)",
    "positions:move": "POST from the post's pages",
    "positions:move_many": "POST from the district batch",
    "positions:batch_send": "POST from the district batch",
    "positions:batch_reopen": "POST from the city's batches",
    "positions:proposal_withdraw": "POST from the employer's proposals",
    "positions:proposal_return": "POST from the district's proposals",
    "logout": "POST from the header",
    # The API: programs read its JSON; people read its documentation at /api/docs/, walked here. (A browser that
    # asks these URLs for HTML gets Django REST framework's own browsable page, which is not the portal's.)
    "api-root": "JSON API",
    "schema": "OpenAPI schema (YAML)",
    "position-list": "JSON API",
    "position-detail": "JSON API",
    "position-move": "JSON API",
    "hire-list": "JSON API",
    "hire-detail": "JSON API",
    "hire-move": "JSON API",
    "hire-reveal-id-number": "JSON API",
    "notice-list": "JSON API",
    "notice-detail": "JSON API",
    "notice-exempt": "JSON API",
    "objection-list": "JSON API",
    "objection-detail": "JSON API",
    "objection-resolve": "JSON API",
    "claim-list": "JSON API",
    "claim-claimable-hires": "JSON API",
    "claim-detail": "JSON API",
    "claim-submit": "JSON API",
    "claim-withdraw": "JSON API",
    "claim-attachments": "JSON API",
    "claim-review": "JSON API",
    "claim-pay": "JSON API",
    "post-proposal-list": "JSON API",
    "post-proposal-detail": "JSON API",
    "post-proposal-adopt": "JSON API",
    "post-proposal-return": "JSON API",
    "post-proposal-withdraw": "JSON API",
    "post-proposal-repropose": "JSON API",
    "declaration-list": "JSON API",
    "declaration-detail": "JSON API",
    "declaration-withdraw": "JSON API",
    "declaration-confirmation-list": "JSON API",
    "declaration-confirmation-detail": "JSON API",
    "declaration-confirmation-confirm": "JSON API",
    "declaration-confirmation-decline": "JSON API",
}

#: Pages walked outside the matrix's GET pages: the second factor's pages (met while signing in) and the API's
#: documentation (the matrix asks for it as an API client).
WALKED_ELSEWHERE = frozenset({"two_factor_verify", "two_factor_setup", "api-docs"})


@dataclass(frozen=True)
class Visit:
    role: str
    name: str
    url: str
    label: str
    #: The kind of record the page is about ("" for none), as the access matrix names it.
    target: str = ""


def _side(world: World, check: Check, role: str, target: str) -> str | None:
    """The role's own record of ``target`` where it may open it, else the first other one it may (the city's)."""
    allowed = check.targets[target].get(role, frozenset())
    sides = [OWN] if target == "notification" else world.sides(target)
    return next((side for side in [OWN, *sides] if side in allowed and side in sides), None)


def _record(world: World, target: str, side: str, role: str) -> Any:
    if target == "notification":
        return world.get(f"notification.{role}", OWN)
    return world.get(target, side)


def _url(name: str, check: Check, cell: Cell) -> str:
    if check.kwargs is not None:
        kwargs = check.kwargs(cell)
    elif cell.obj is None or check.in_body:
        kwargs = {}
    else:
        kwargs = {"pk": cell.obj.pk}
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{urlencode(check.query(cell))}" if check.query else url


def matrix_pages(world: World, role: str) -> Iterator[Visit]:
    """Every GET page of the access matrix that ``role`` may open (answered 200), on one record of each kind."""
    for name, checks in MATRIX.items():
        if name in NOT_PAGES:
            continue
        for check in checks:
            if check.method != "GET" or check.api or role not in check.roles or check.expected_status(role) != 200:
                continue
            for target in list(check.targets) or [""]:
                side = _side(world, check, role, target) if target else ""
                if side is None:
                    continue
                obj = _record(world, target, side, role) if target else None
                cell = Cell(world, role, target, side, obj)
                label = f"{role} · {name}" + (f" · {target}/{side}" if target else "")
                yield Visit(role, name, _url(name, check, cell), label, target)


def walked_names() -> set[str]:
    return {
        name for name, checks in MATRIX.items() for check in checks if check.method == "GET" and not check.api
    } | WALKED_ELSEWHERE


def test_every_page_is_walked() -> None:
    """A URL added without being walked (nor excluded here with its reason) fails here."""
    names = {name for name in _url_names() if not name.startswith("admin:")}
    walked = walked_names() - set(NOT_PAGES)
    assert not names - walked - set(NOT_PAGES), f"pages nobody walks: {sorted(names - walked - set(NOT_PAGES))}"
    assert not set(NOT_PAGES) - names, f"excluded URLs that no longer exist: {sorted(set(NOT_PAGES) - names)}"
    assert not WALKED_ELSEWHERE - names, "walked URLs that no longer exist"


# ---- what a person does on a page before it is checked again ------------------------------------------------------


def _search_policies(page: Page) -> None:
    from playwright.sync_api import expect

    page.get_by_label(re.compile("关键词")).fill("补贴")
    expect(page).to_have_url(re.compile(r"q="))
    expect(page.locator("#policy-searching")).not_to_be_visible()


def _reveal_id_number(page: Page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="显示完整号码").click()
    expect(page.get_by_role("button", name="显示完整号码")).to_have_count(0)


def _reveal_bank_account(page: Page) -> None:
    from playwright.sync_api import expect

    buttons = page.get_by_role("button", name="显示完整账号")
    count = buttons.count()
    buttons.first.click()
    expect(buttons).to_have_count(count - 1)


def _submit_empty(page: Page) -> None:
    """Send the page's form as it stands (the portal's forms are ``novalidate``: the server answers): it comes back
    with every required field marked."""
    from playwright.sync_api import expect

    page.locator("main form[method=post] button[type=submit].btn-primary").first.click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()


def _charts_drawn(page: Page) -> None:
    from playwright.sync_api import expect

    charts = page.locator("[data-dashboard-chart]")
    expect(charts.locator("canvas")).to_have_count(charts.count())


#: (role, URL name, target) → what the person does before the page is checked again: markup that htmx swaps in, and
#: forms as they come back with errors, are checked as well as the page as it first loads.
INTERACTIONS: dict[tuple[str, str, str], Callable[[Page], None]] = {
    (ANON, "portal:policies", ""): _search_policies,
    (ANON, "portal:register", ""): _submit_empty,
    (CLERK, "referrals:hire_detail", "hire.recorded"): _reveal_id_number,
    (CLERK, "positions:create", ""): _submit_empty,
    (CLERK, "referrals:hire_create", ""): _submit_empty,
    (CENTRE, "portal:third_party_list", ""): _reveal_bank_account,
}
#: Pages whose content a script draws after the load: checked once it is drawn.
DRAWN: dict[str, Callable[[Page], None]] = {"rollups:dashboard": _charts_drawn}


# ---- the walk ----------------------------------------------------------------------------------------------------


def _sign_in(page: Page, world: World, role: str, problems: list[str], visited: set[str]) -> None:
    """Through the login form and, for staff who review or pay, the second factor's page (checked on the way)."""

    def check_the_code_page(page: Page) -> None:
        step = "two_factor_setup" if "/setup/" in page.url else "two_factor_verify"
        problems.extend(accessibility_problems(page, f"{role} · {step}"))
        visited.add(step)

    log_in(page, world.users[role].username, on_code_page=check_the_code_page)


def _walk(tabs: list[Page], visits: list[Visit], problems: list[str], interacted: set[tuple[str, str, str]]) -> None:
    """Each page in turn, in two tabs of the same person: while axe-core checks the page in one tab, the next page
    loads in the other (the browser's renderer and the server work side by side instead of in turn)."""
    checking: list[tuple[Page, Visit]] = []

    def collect(tab: Page) -> None:
        for pending in [item for item in checking if item[0] is tab]:
            checking.remove(pending)
            violations = finish_accessibility_check(tab)
            if violations:
                problems.append(describe_violations(pending[1].label, tab.url, violations))

    for number, visit in enumerate(visits):
        tab = tabs[number % len(tabs)]
        collect(tab)
        response = tab.goto(visit.url)
        assert response is not None and response.status == 200, f"{visit.label}: {visit.url} answered {response}"
        if visit.name in DRAWN:
            DRAWN[visit.name](tab)
        interaction = INTERACTIONS.get((visit.role, visit.name, visit.target))
        if interaction is None:
            start_accessibility_check(tab)
            checking.append((tab, visit))
            continue
        problems += accessibility_problems(tab, visit.label)
        interacted.add((visit.role, visit.name, visit.target))
        interaction(tab)
        problems += accessibility_problems(tab, f"{visit.label} (after {interaction.__name__.strip('_')})")
    for tab in tabs:
        collect(tab)


def _error_pages(page: Page, role: str, problems: list[str]) -> None:
    """The 404 page as each role meets it; the 403 page as a signed-in person meets it; the 405 page (an action's
    address opened in the browser) as anyone does."""
    response = page.goto("/此页不存在/")
    assert response is not None and response.status == 404
    problems += accessibility_problems(page, f"{role} · 404")
    response = page.goto(reverse("logout"))
    assert response is not None and response.status == 405
    problems += accessibility_problems(page, f"{role} · 405")
    if role in (CLERK, THIRD_PARTY):
        response = page.goto(reverse("rollups:dashboard"))
        assert response is not None and response.status == 403
        problems += accessibility_problems(page, f"{role} · 403")


def _standalone_error_pages(page: Page, problems: list[str]) -> None:
    """500, 503 and the CSRF refusal are rendered with no request when something already failed: served here as the
    server would serve them, with the portal's stylesheets."""
    for template, status in (("500.html", 500), ("503.html", 503), ("403_csrf.html", 403)):
        page.route("**/__error_page__", _serve(render_to_string(template, {"reason": ""}), status))
        page.goto("/__error_page__")
        page.unroute("**/__error_page__")
        problems += accessibility_problems(page, f"{ANON} · {template}")


def _serve(html: str, status: int) -> Callable[[Route], None]:
    def fulfil(route: Route) -> None:
        route.fulfill(status=status, content_type="text/html; charset=utf-8", body=html)

    return fulfil


def _api_docs(page: Page, problems: list[str]) -> None:
    """Swagger UI draws the page from the schema, in markup its script writes and no setting changes: its headings
    go from the API's title (h1) straight to each group of operations (h3), and its title block sits outside the
    <main> it puts the operations in. Those two rules alone are not run there; the portal's part (colours, links,
    language) is checked like any page."""
    page.goto(reverse("api-docs"))
    page.locator(".opblock").first.wait_for()
    problems += accessibility_problems(page, f"{ANON} · api-docs", skip=["heading-order", "region"])


def _admin_pages(world: World) -> list[Visit]:
    """The admin's front page, an app's page, lists (with a search box), a record's form (date-and-time boxes, the
    audit trail under it), forms with autocomplete boxes (empty and chosen), a two-list chooser and a table of inline
    rows, an empty form, a record's history and deletion page, the password form and the posts' export page."""
    hire = Hire.objects.order_by("pk").first()
    assert hire is not None
    party = world.third_parties["TP1"]
    batch = BaseBatch.objects.create(year=world.today.year, number=1, title="无障碍检查批次")
    TalentBase.objects.create(batch=batch, employer=world.employers["E1"], number=1)
    pages = {
        "admin:index": reverse("admin:index"),
        "admin:app_list": reverse("admin:app_list", kwargs={"app_label": "referrals"}),
        "admin:referrals_hire_changelist": reverse("admin:referrals_hire_changelist"),
        "admin:authtoken_tokenproxy_changelist": reverse("admin:authtoken_tokenproxy_changelist"),
        "admin:referrals_hire_change": reverse("admin:referrals_hire_change", args=[hire.pk]),
        "admin:portal_thirdparty_change": reverse("admin:portal_thirdparty_change", args=[party.pk]),
        "admin:portal_user_change": reverse("admin:portal_user_change", args=[world.users[CLERK].pk]),
        "admin:portal_employer_add": reverse("admin:portal_employer_add"),
        "admin:bases_basebatch_change": reverse("admin:bases_basebatch_change", args=[batch.pk]),
        "admin:portal_district_add": reverse("admin:portal_district_add"),
        "admin:referrals_hire_history": reverse("admin:referrals_hire_history", args=[hire.pk]),
        "admin:portal_employer_delete": reverse("admin:portal_employer_delete", args=[world.employers["E2"].pk]),
        "admin:password_change": reverse("admin:password_change"),
        "admin:positions_position_export": reverse("admin:positions_position_export"),
    }
    return [Visit(ADMIN, name, url, f"{ADMIN} · {name}") for name, url in pages.items()]


def test_every_page_of_every_role_passes_axe(browser: Browser, live_server: LiveServer) -> None:
    world = build_world()
    # One staff account that has enrolled its authenticator (the code page); the others enrol at sign-in (the QR page).
    authenticator(world.users[BUREAU])
    problems: list[str] = []
    script_errors: list[str] = []
    interacted: set[tuple[str, str, str]] = set()
    visited: set[str] = set()
    for role in ROLES:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
        tabs = [context.new_page(), context.new_page()]
        for tab in tabs:

            def on_error(error: Error, tab: Page = tab) -> None:
                script_errors.append(f"{tab.url}: {error}")

            def on_console(msg: ConsoleMessage, tab: Page = tab) -> None:
                if "Content Security Policy" in msg.text:
                    script_errors.append(f"{tab.url}: {msg.text}")

            tab.on("pageerror", on_error)
            tab.on("console", on_console)
        page = tabs[0]
        if role == ANON:
            _standalone_error_pages(page, problems)
            _api_docs(page, problems)
            visited.add("api-docs")
            # The login form as it comes back with an error.
            page.goto(reverse("login"))
            page.get_by_label("用户名").fill("no-such-person")
            page.get_by_label("密码").fill("wrong-password")
            page.get_by_role("button", name="登录").click()
            page.locator(".alert, .invalid-feedback, .errorlist").first.wait_for()
            problems += accessibility_problems(page, f"{ANON} · login with an error")
        else:
            _sign_in(page, world, role, problems, visited)
        visits = list(matrix_pages(world, role))
        visited |= {visit.name for visit in visits}
        if role == ADMIN:
            visits += _admin_pages(world)
        _walk(tabs, visits, problems, interacted)
        _error_pages(page, role, problems)
        context.close()
    assert not problems, f"{len(problems)} pages with accessibility violations:\n\n" + "\n\n".join(problems)
    assert not script_errors, script_errors
    assert interacted == set(INTERACTIONS), f"pages never met: {set(INTERACTIONS) - interacted}"
    # A page of the matrix that no role opened (each was sent elsewhere, say) would be walked by nobody.
    assert not walked_names() - set(NOT_PAGES) - visited, f"opened by nobody: {walked_names() - visited}"
