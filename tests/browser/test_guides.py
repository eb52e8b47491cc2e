"""The guides' screenshots, taken on the demo data as each role sees the portal, and the guide pages themselves checked
at desktop and phone widths. Each run rewrites static/guide/<role>/<step>.png (committed), so the pictures follow the
portal: run this module after changing a page a guide shows (README.md, "操作指南 / Guides")."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from portal.constants import Role
from portal.guide.content import GUIDES, PUBLIC
from portal.guide.views import screenshot_name
from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import log_in, look_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATIC = Path(settings.BASE_DIR) / "static"
#: The demo account (manage.py seed_demo) that walks each role's guide; the public's walks signed out.
DEMO_ACCOUNTS = {
    Role.DISTRICT_CLERK: "clerk_tongliang",
    Role.DISTRICT_REVIEWER: "reviewer_tongliang",
    Role.TALENT_CENTRE: "centre_officer",
    Role.BUREAU_REVIEWER: "bureau_reviewer",
    Role.THIRD_PARTY: "headhunter",
    Role.EMPLOYER: "employer",
    Role.ADMIN: "admin",
    PUBLIC: "",
}
#: Pages a person sees before signing in, photographed signed out.
SIGNED_OUT_PAGES = {"login", "portal:register"}
VIEWPORT = {"width": 1280, "height": 800}
#: Screenshots are scaled down to this width: legible in the guide, small in the repository.
SHOT_WIDTH = 1024


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())


def save_shot(png: bytes, path: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((SHOT_WIDTH, round(image.height * SHOT_WIDTH / image.width)), Image.Resampling.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def confirm_introductions_as_the_employer(open_person) -> None:  # type: ignore[no-untyped-def]
    """The demo employer confirms the introductions waiting for it, so the demo third party has someone to claim for."""
    from playwright.sync_api import expect

    employer = open_person()
    log_in(employer, DEMO_ACCOUNTS[Role.EMPLOYER], DEMO_PASSWORD)
    employer.goto(reverse("referrals:employer_hires"))
    buttons = employer.get_by_role("button", name="确认", exact=True)
    expect(buttons.first).to_be_visible()
    for _ in range(buttons.count()):
        buttons.first.click()
        employer.wait_for_load_state("networkidle")


def reach(page, role: str, step) -> None:  # type: ignore[no-untyped-def]
    """Open the page of ``step`` as its reader does: most by their URL, a few only by the link that leads there."""
    from playwright.sync_api import expect

    if (role, step.key) == (Role.THIRD_PARTY, "claim_create"):
        page.goto(reverse("subsidies:introduced_hires"))
        page.get_by_role("link", name="去申报").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    elif (role, step.key) == (Role.THIRD_PARTY, "claim_submit"):
        # From the claim form just photographed: the first person at the cap, the claim saved, its page open.
        page.locator("tbody input[type=checkbox]").first.check()
        page.get_by_label("申请金额").first.fill("30000")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page).to_have_url(re.compile(r"/claims/\d+/$"))
    else:
        response = page.goto(reverse(step.url_name))
        assert response is not None and response.ok, f"{role}/{step.key}: {reverse(step.url_name)} answered {response}"
    page.wait_for_load_state("networkidle")


def test_every_guide_has_a_demo_account() -> None:
    assert set(DEMO_ACCOUNTS) == set(GUIDES)


@pytest.mark.parametrize("role", list(GUIDES))
def test_each_role_walks_its_guide_and_the_screenshots_are_refreshed(role: str, open_person, demo_data) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    guide = GUIDES[role]
    signed_out = open_person()
    signed_out.set_viewport_size(VIEWPORT)
    person = signed_out
    if role == Role.THIRD_PARTY:
        confirm_introductions_as_the_employer(open_person)
    if DEMO_ACCOUNTS[role]:
        person = open_person()
        person.set_viewport_size(VIEWPORT)
        log_in(person, DEMO_ACCOUNTS[role], DEMO_PASSWORD)

    for step in guide.steps:
        if not step.shot:
            continue
        viewer = signed_out if step.url_name in SIGNED_OUT_PAGES else person
        reach(viewer, role, step)
        save_shot(viewer.screenshot(), STATIC / screenshot_name(role, step))

    # The guide as this role opens it: from the 帮助 link, at desktop and phone widths, with axe finding nothing.
    person.goto(reverse("portal:workspace") if DEMO_ACCOUNTS[role] else "/")
    person.get_by_role("link", name="帮助").click()
    expect(person.get_by_role("heading", level=1)).to_have_text(guide.title)
    look_at(person, f"guide-{role}-desktop")
    person.set_viewport_size({"width": 390, "height": 844})
    look_at(person, f"guide-{role}-narrow")
