"""A form sent after the session ended (signed out in another window, or idle too long): the login page says what
was sent was not saved, and signing in leads back to the page; an htmx request sends the whole window there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import District
from portal.web.decorators import SIGNED_OUT_POST
from positions.models import Position
from tests.factories import HireFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_a_form_sent_signed_out_is_not_saved_and_the_login_page_says_so(district: District) -> None:
    post = PositionFactory(batch__district=district, employer__district=district, headcount=2)
    url = reverse("positions:edit", args=[post.pk])
    client = Client()  # signed out

    sent = client.post(url, {"headcount": "9"})
    assert sent.status_code == 302 and sent["Location"] == f"{reverse('login')}?next={url}"
    page = client.get(sent["Location"]).content.decode()
    assert SIGNED_OUT_POST in page
    assert Position.objects.get(pk=post.pk).headcount == 2


def test_a_page_opened_signed_out_goes_to_the_login_page_without_the_warning(district: District) -> None:
    post = PositionFactory(batch__district=district, employer__district=district)
    client = Client()
    opened = client.get(reverse("positions:edit", args=[post.pk]))
    assert opened.status_code == 302
    assert SIGNED_OUT_POST not in client.get(opened["Location"]).content.decode()


def test_an_htmx_request_signed_out_sends_the_window_to_the_login_page_and_back(district: District) -> None:
    hire = HireFactory(position=PositionFactory(batch__district=district, published=True))
    page = reverse("referrals:hire_detail", args=[hire.pk])
    client = Client()
    reveal = reverse("referrals:hire_reveal_id", args=[hire.pk])

    answer = client.post(reveal, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}?tab=1")
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == f"{reverse('login')}?next={page}%3Ftab%3D1"
    assert SIGNED_OUT_POST in client.get(answer["HX-Redirect"]).content.decode()

    # A current page on another host is not followed back.
    elsewhere = client.post(reveal, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/phish")
    assert elsewhere["HX-Redirect"] == f"{reverse('login')}?next={reveal}"
