"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page
    from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
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
def page(browser, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not csp_violations, f"CSP violations: {csp_violations}"


@pytest.fixture
def screenshot(page):  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

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
    """``screenshot_of(page, "name")``: a full-page screenshot of any person's page, into var/screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def enter_second_factor(page: Page, username: str) -> None:
    """Call right after clicking 登录: for a reviewer, payer or admin (portal.two_factor), type the current code of
    their authenticator, as the person reads it off the phone. An account that never enrolled is on the QR page
    instead: the code of the secret shown there confirms it. Other roles: nothing to do."""
    import re

    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from portal.models import User
    from portal.two_factor import second_factor_required
    from tests.otp import usable_code

    user = User.objects.get(username=username)
    if not second_factor_required(user):
        return
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.get_by_label("6位验证码")).to_be_visible()
    enrolling = "/setup/" in page.url
    device = TOTPDevice.objects.filter(user=user, confirmed=not enrolling).order_by("pk").first()
    assert device is not None, f"{username} has no {'unconfirmed' if enrolling else 'confirmed'} authenticator"
    page.get_by_label("6位验证码").fill(usable_code(device))
    page.get_by_role("button", name="完成绑定" if enrolling else "验证").click()
