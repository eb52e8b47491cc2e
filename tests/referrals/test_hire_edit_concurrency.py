"""Two windows on one hire: the correction form saved from a page opened before another save is refused (it would
silently undo that save), with the office's typed values kept; reopened, it saves (``portal.concurrency``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.errors import PortalError
from portal.models import District, User
from referrals.forms import HireForm
from referrals.models import Hire
from referrals.services import hire_update
from tests.factories import HireFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hire(district: District) -> Hire:
    position = PositionFactory(batch__district=district, published=True, headcount=3, recruits_graduates=True)
    return HireFactory(position=position, contract_term="3年", major="机械工程")


def _open(client: Client, hire: Hire) -> dict[str, str]:
    """The correction page opened, and its form's fields as the browser would send them back."""
    page = client.get(reverse("referrals:hire_edit", args=[hire.pk]))
    assert page.status_code == 200
    fields: dict[str, str] = {}
    for field in page.context["form"]:
        value: Any = field.value()
        fields[field.name] = "" if value is None else str(value)
    # The stamp rides along as a hidden field, whole (with its microseconds).
    assert f'name="opened_at" value="{fields["opened_at"]}"' in page.content.decode()
    return fields


def _refusal(hire: Hire) -> str:
    when = timezone.localtime(hire.updated_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"{hire.name}的登记信息已于 {when} 被修改（可能是您在另一个窗口或其他人保存的），您打开本页时看到的还是修改前的"
        "内容。请重新打开本页后再修改。"
    )


def test_a_page_opened_before_another_save_is_refused_and_reopened_it_saves(clerk: User, hire: Hire) -> None:
    client = Client()
    client.force_login(clerk)
    url = reverse("referrals:hire_edit", args=[hire.pk])
    tab_a, tab_b = _open(client, hire), _open(client, hire)

    assert client.post(url, tab_a | {"contract_term": "5年"}).status_code == 302
    hire.refresh_from_db()
    saved_by_a = hire.updated_at

    stale = client.post(url, tab_b | {"major": "机械电子工程"})
    assert stale.status_code == 200
    form = stale.context["form"]
    assert form.non_field_errors() == [_refusal(hire)]
    assert _refusal(hire) in stale.content.decode()
    assert form["major"].value() == "机械电子工程"  # what the office typed is kept on the page
    assert 'value="机械电子工程"' in stale.content.decode()
    hire.refresh_from_db()
    assert (hire.contract_term, hire.major, hire.updated_at) == ("5年", "机械工程", saved_by_a)

    reopened = _open(client, hire)
    assert client.post(url, reopened | {"major": "机械电子工程"}).status_code == 302
    hire.refresh_from_db()
    assert (hire.contract_term, hire.major) == ("5年", "机械电子工程")


def test_an_unchanged_save_of_a_freshly_opened_page_passes(clerk: User, hire: Hire) -> None:
    client = Client()
    client.force_login(clerk)
    url = reverse("referrals:hire_edit", args=[hire.pk])
    assert client.post(url, _open(client, hire)).status_code == 302
    assert client.post(url, _open(client, hire)).status_code == 302  # the redirect's new page, the new stamp


def test_the_service_compares_only_when_given_the_stamp(clerk: User, hire: Hire) -> None:
    """The API and the import do not pass a stamp: their saves are not compared."""
    initial = {key: ("" if value is None else value) for key, value in HireForm.initial_from(hire).items()}
    form = HireForm(initial | {"contract_term": "4年"}, hire=hire)
    assert form.is_valid(), form.errors
    opened_at = form.cleaned_data["opened_at"]
    assert opened_at == hire.updated_at  # exact, to the microsecond
    hire_update(hire=hire, data=form.hire_data(), by=clerk, opened_at=opened_at)
    hire_update(hire=hire, data=form.hire_data(), by=clerk)  # no stamp: no comparison
    with pytest.raises(PortalError) as refused:
        hire_update(hire=hire, data=form.hire_data(), by=clerk, opened_at=opened_at)
    assert refused.value.code == "changed_since_opened"
