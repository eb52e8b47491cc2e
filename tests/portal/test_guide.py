"""The guides (portal.guide) tell the truth about the portal: every page they name exists, every button they tell a
reader to press is written in the files that draw it, every refusal they quote is the code's own, and each role reads
the guides it may read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.constants import Role
from portal.guide.content import GUIDES, PUBLIC

ROOT = Path(settings.BASE_DIR)
STEPS = [(role, step) for role, guide in GUIDES.items() for step in guide.steps]
REFUSALS = [(role, refusal) for role, guide in GUIDES.items() for refusal in guide.refusals]


def test_every_role_and_the_public_has_a_guide() -> None:
    assert set(GUIDES) == {*Role.values, PUBLIC}


@pytest.mark.parametrize(("role", "step"), STEPS, ids=[f"{role}-{step.key}" for role, step in STEPS])
def test_each_step_names_a_page_that_exists_and_buttons_its_files_draw(role: str, step) -> None:  # type: ignore[no-untyped-def]
    assert reverse(step.url_name)
    assert step.sources, f"{role}/{step.key} names no file that draws its buttons"
    texts = [(ROOT / source).read_text(encoding="utf-8") for source in step.sources]
    for label in step.press:
        assert any(label in text for text in texts), f"{role}/{step.key}: “{label}” is in none of {step.sources}"


def test_step_keys_are_unique_within_a_guide() -> None:
    for role, guide in GUIDES.items():
        keys = [step.key for step in guide.steps]
        assert len(keys) == len(set(keys)), role


@pytest.mark.parametrize(("role", "refusal"), REFUSALS, ids=[f"{role}-{i}" for i, (role, _) in enumerate(REFUSALS)])
def test_each_quoted_refusal_is_the_codes_own(role: str, refusal) -> None:  # type: ignore[no-untyped-def]
    assert refusal.fragment in (ROOT / refusal.source).read_text(encoding="utf-8"), (role, refusal.message)


@pytest.mark.django_db
def test_anonymous_visitors_get_the_public_guide_and_a_help_link(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("portal:guide"))
    assert response.status_code == 200
    assert GUIDES[PUBLIC].title in response.content.decode()
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:guide")}"' in home and "帮助" in home
    assert client.get(reverse("portal:guide_detail", args=["district_clerk"])).status_code == 302


@pytest.mark.django_db
def test_each_role_reads_its_own_guide_and_staff_read_the_others(client, user_factory, reference_data) -> None:  # type: ignore[no-untyped-def]
    clerk = user_factory(clerk=True)
    client.force_login(clerk)
    assert GUIDES[Role.DISTRICT_CLERK].title in client.get(reverse("portal:guide")).content.decode()
    assert client.get(reverse("portal:guide_detail", args=[Role.THIRD_PARTY])).status_code == 200
    assert client.get(reverse("portal:guide_detail", args=["nobody"])).status_code == 404

    employer = user_factory(employer_user=True)
    client.force_login(employer)
    assert GUIDES[Role.EMPLOYER].title in client.get(reverse("portal:guide")).content.decode()
    assert client.get(reverse("portal:guide_detail", args=[PUBLIC])).status_code == 200
    assert client.get(reverse("portal:guide_detail", args=[Role.BUREAU_REVIEWER])).status_code == 404


@pytest.mark.django_db
def test_a_guide_prints_as_a_pdf(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("portal:guide_pdf", args=[PUBLIC]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
