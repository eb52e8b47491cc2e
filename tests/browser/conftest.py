"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against pytest-django's live server."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.management import call_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page
    from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it with apt.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not csp_violations, f"CSP violations: {csp_violations}"


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """``screenshot("name")``: the ``page`` fixture's page, checked and photographed (see ``look_at``)."""

    def take(name: str) -> Path:
        return look_at(page, name)

    return take


@pytest.fixture
def confirmations() -> list[str]:
    """Every ``confirm()`` question the people of ``open_person`` answered 确定, in order."""
    return []


@pytest.fixture
def open_person(browser: Browser, live_server: LiveServer, confirmations: list[str]) -> Iterator[Callable[[], Page]]:
    """One browser context per person, like separate PCs: ``clerk = open_person()``. Each page gets the checks of
    ``page`` (no CSP violation) plus no uncaught script error; every ``confirm()`` is answered 确定 and its question
    kept in ``confirmations``."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def answer(dialog: Dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    def open_() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", answer)
        page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, f"CSP violations or script errors: {problems}"


@pytest.fixture
def screenshot_of() -> Callable[[Page, str], Path]:
    """``screenshot_of(page, "name")``: any person's page, checked and photographed (see ``look_at``)."""
    return look_at


def look_at(page: Page, name: str) -> Path:
    """What a journey does on each page it reaches: axe-core finds no violation on the page as it is now, and a
    full-page screenshot goes to var/screenshots/<name>.png for a person to look at. Every journey's screenshot is
    thereby also an accessibility check."""
    assert_accessible(page, name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def enter_second_factor(page: Page, username: str, *, on_code_page: Callable[[Page], None] | None = None) -> None:
    """Call right after clicking 登录: for a reviewer, payer or admin (portal.two_factor.services), type the current code of
    their authenticator, as the person reads it off the phone. An account that never enrolled is on the QR page
    instead: the code of the secret shown there confirms it. Other roles: nothing to do. ``on_code_page(page)`` is
    called on the code's page before the code is typed (to check that page too)."""
    import re

    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from portal.models import User
    from portal.two_factor.services import second_factor_required
    from tests.otp import usable_code

    user = User.objects.get(username=username)
    if not second_factor_required(user):
        return
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.get_by_label("6位验证码")).to_be_visible()
    if on_code_page is not None:
        on_code_page(page)
    enrolling = "/setup/" in page.url
    device = TOTPDevice.objects.filter(user=user, confirmed=not enrolling).order_by("pk").first()
    assert device is not None, f"{username} has no {'unconfirmed' if enrolling else 'confirmed'} authenticator"
    page.get_by_label("6位验证码").fill(usable_code(device))
    page.get_by_role("button", name="完成绑定" if enrolling else "验证").click()


# ---- accessibility (axe-core) ------------------------------------------------------------------------------------

#: Whether axe-core is in the current document: a navigation gives a fresh document, so the script (about 500 KB)
#: is evaluated once per page, however many times that page is checked (after an htmx swap, say).
_AXE_LOADED = "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"
#: Every rule axe-core runs by default (WCAG 2.x A and AA, and its best practices), less any the caller names;
#: only violations are collected. No preloading: axe would copy each @imported stylesheet (the admin's) into an
#: inline <style>, which the CSP blocks with a console error of axe's making; what it preloads serves one rule only,
#: css-orientation-lock, and no stylesheet here has an orientation media query.
_AXE_RUN = """skipped => window.axe.run(document, {
    resultTypes: ['violations'],
    preload: false,
    rules: Object.fromEntries(skipped.map(rule => [rule, {enabled: false}])),
})"""


def accessibility_violations(page: Page, *, skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` as it is now (after any script or htmx swap that already ran). ``skip``:
    rules not to run, for markup the portal does not write (say why where you pass it)."""
    start_accessibility_check(page, skip=skip)
    return finish_accessibility_check(page)


def start_accessibility_check(page: Page, *, skip: Iterable[str] = ()) -> None:
    """Set axe-core checking ``page`` as it is now and return at once: a test that walks many pages loads the next
    one in another tab meanwhile, and collects this one's violations with ``finish_accessibility_check``."""
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate(_AXE_LOADED):
        page.evaluate(Axe().axe_script)
    page.evaluate(f"skipped => {{ window.__portalAxe = ({_AXE_RUN})(skipped); }}", list(skip))


def finish_accessibility_check(page: Page) -> list[dict[str, Any]]:
    """The violations of the check ``start_accessibility_check`` set going on ``page`` (waits for it to end)."""
    violations: list[dict[str, Any]] = page.evaluate("() => window.__portalAxe")["violations"]
    return violations


def describe_violations(name: str, url: str, violations: list[dict[str, Any]]) -> str:
    """One readable block per page: each rule broken, its impact and help, and each element by selector with
    axe's summary of what to fix (for contrast: the colours and the ratio found)."""
    lines = [f"{name} ({url}): {sum(len(v['nodes']) for v in violations)} elements break {len(violations)} rules"]
    for violation in violations:
        lines.append(f"  {violation['id']} [{violation['impact']}] {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(" >> ".join(part) if isinstance(part, list) else part for part in node["target"])
            lines.append(f"    {target}: {' '.join(node.get('failureSummary', '').split())}")
    return "\n".join(lines)


def accessibility_problems(page: Page, name: str, *, skip: Iterable[str] = ()) -> list[str]:
    """[] when axe-core finds nothing on ``page``, else one readable block (for tests that collect every page's
    problems before failing)."""
    violations = accessibility_violations(page, skip=skip)
    return [describe_violations(name, page.url, violations)] if violations else []


def assert_accessible(page: Page, name: str) -> None:
    """Fail unless axe-core finds no violation on ``page`` as it is now: call it on every page a test visits (and
    again after a swap that brings new markup). ``name`` says which page in the failure."""
    problems = accessibility_problems(page, name)
    assert not problems, problems[0]


# ---- what every person does --------------------------------------------------------------------------------------


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    """The reference data and the demo accounts of ``make run`` (without their posts); they sign in with
    ``log_in(page, username, DEMO_PASSWORD)``."""
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", without_posts=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def enter_password(page: Page, username: str, password: str | None = None) -> None:
    """The login page filled in and sent: what comes next (the workspace, the second factor, an error) is the
    caller's. ``password``: the test accounts' (tests.conftest.PASSWORD) unless given, e.g. the demo data's."""
    from tests.conftest import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or PASSWORD)
    page.get_by_role("button", name="登录").click()


def replace_initial_password(page: Page, initial: str, chosen: str = "Jiyu-Zhuoyue-2026!") -> None:
    """Signed in with a password an admin gave: the portal holds the account on the password page until the person
    sets their own; this sets it, as the person does, and lands on the workspace."""
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.get_by_text("您正在使用管理员设置的初始密码，请先修改密码后再继续使用。")).to_be_visible()
    page.get_by_label("旧密码").fill(initial)
    page.get_by_label("新密码", exact=True).fill(chosen)
    page.get_by_label("再次输入新密码").fill(chosen)
    page.get_by_role("button", name="确认修改").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))


def log_in(
    page: Page, username: str, password: str | None = None, *, on_code_page: Callable[[Page], None] | None = None
) -> None:
    """Sign in through the login page as a person does (the second factor too, for those who need it; see
    ``enter_second_factor`` for ``on_code_page``) and land on the workspace."""
    from playwright.sync_api import expect

    enter_password(page, username, password)
    enter_second_factor(page, username, on_code_page=on_code_page)
    expect(page).to_have_url(re.compile(r"/workspace/$"))


def log_out(page: Page) -> None:
    """Sign out with the header's button, back to a page with the 登录 link."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()


def open_from_menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="工作菜单").get_by_role("link", name=label).click()


def message(page: Page, text: str) -> Locator:
    """The flash message (Bootstrap alert) that says ``text``."""
    return page.locator(".portal-messages").get_by_role("alert").filter(has_text=text)
