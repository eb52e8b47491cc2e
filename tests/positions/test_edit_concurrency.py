"""Two windows on one post: the Annex 1 form saved from a page opened before another save is refused (it would
silently undo that save), with the clerk's typed values kept; reopened, it saves (``portal.concurrency``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.errors import PortalError
from portal.models import User
from positions import services
from positions.forms import PositionForm
from positions.models import Position
from tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def _open(client: Client, position: Position) -> dict[str, str]:
    """The edit page opened, and its form's fields as the browser would send them back."""
    page = client.get(reverse("positions:edit", args=[position.pk]))
    assert page.status_code == 200
    fields: dict[str, str] = {}
    for field in page.context["form"]:
        value: Any = field.value()
        fields[field.name] = "" if value is None else str(value)
    # The stamp rides along as a hidden field, whole (with its microseconds).
    assert f'name="opened_at" value="{fields["opened_at"]}"' in page.content.decode()
    return fields


def _refusal(position: Position) -> str:
    when = timezone.localtime(position.updated_at).strftime("%Y-%m-%d %H:%M")
    return f"该岗位已于 {when} 被修改（可能是您在另一个窗口或其他人保存的），您打开本页时看到的还是修改前的内容。请重新打开本页后再修改。"


def test_a_page_opened_before_another_save_is_refused_and_reopened_it_saves(clerk: User) -> None:
    position = PositionFactory(batch__district=clerk.district, name="结构工程师", salary_text="10-15万元/年")
    client = Client()
    client.force_login(clerk)
    url = reverse("positions:edit", args=[position.pk])
    tab_a, tab_b = _open(client, position), _open(client, position)

    assert client.post(url, tab_a | {"salary_text": "20-30万元/年"}).status_code == 302
    position.refresh_from_db()
    saved_by_a = position.updated_at

    stale = client.post(url, tab_b | {"name": "结构设计工程师"})
    assert stale.status_code == 200
    form = stale.context["form"]
    assert form.non_field_errors() == [_refusal(position)]
    assert _refusal(position) in stale.content.decode()
    assert form["name"].value() == "结构设计工程师"  # what the clerk typed is kept on the page
    assert 'value="结构设计工程师"' in stale.content.decode()
    position.refresh_from_db()
    assert (position.name, position.salary_text, position.updated_at) == ("结构工程师", "20-30万元/年", saved_by_a)

    reopened = _open(client, position)
    assert client.post(url, reopened | {"name": "结构设计工程师"}).status_code == 302
    position.refresh_from_db()
    assert (position.name, position.salary_text) == ("结构设计工程师", "20-30万元/年")


def test_an_unchanged_save_of_a_freshly_opened_page_passes(clerk: User) -> None:
    position = PositionFactory(batch__district=clerk.district)
    client = Client()
    client.force_login(clerk)
    url = reverse("positions:edit", args=[position.pk])
    assert client.post(url, _open(client, position)).status_code == 302
    assert client.post(url, _open(client, position)).status_code == 302  # the redirect's new page, the new stamp


def test_a_page_with_a_broken_stamp_is_refused(clerk: User) -> None:
    position = PositionFactory(batch__district=clerk.district, name="结构工程师")
    client = Client()
    client.force_login(clerk)
    url = reverse("positions:edit", args=[position.pk])
    refused = client.post(url, _open(client, position) | {"opened_at": "昨天", "name": "别的名字"})
    assert refused.status_code == 200 and "请重新打开本页后再修改" in refused.content.decode()
    position.refresh_from_db()
    assert position.name == "结构工程师"


def test_the_service_compares_only_when_given_the_stamp(clerk: User) -> None:
    """The API and the import do not pass a stamp: their saves are not compared (they send the whole post)."""
    position = PositionFactory(batch__district=clerk.district)
    form = PositionForm(
        PositionForm.editing(position) | {"salary_text": "面议"}, district=position.district, initial={}
    )
    assert form.is_valid(), form.errors
    opened_at = form.cleaned_data["opened_at"]
    assert opened_at == position.updated_at  # exact, to the microsecond
    data = form.position_data(position.employer)
    services.position_update(position=position, data=data, by=clerk, opened_at=opened_at)
    services.position_update(position=position, data=data, by=clerk)  # no stamp: no comparison
    with pytest.raises(PortalError) as refused:
        services.position_update(position=position, data=data, by=clerk, opened_at=opened_at)
    assert refused.value.code == "changed_since_opened"
