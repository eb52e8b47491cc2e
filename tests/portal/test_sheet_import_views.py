"""The flow both sheet import pages share (Annex 1 posts, Annex 3 hires): a confirmation without a pending preview."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from portal.calendar import TenDayPeriod
from portal.imports.pages import NOTHING_PENDING
from portal.models import District
from positions.models import Position
from referrals.models import Hire
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "extra", "model"),
    [
        ("positions:import", {"period": str(TenDayPeriod.current())}, Position),
        ("referrals:hire_import", {}, Hire),
    ],
)
def test_a_confirmation_whose_preview_is_gone_says_so_and_writes_nothing(
    url: str, extra: dict[str, str], model: type[Position] | type[Hire], district: District
) -> None:
    """Expired, already imported, or never uploaded: both pages tell the clerk the same thing, on the same page."""
    client = Client()
    client.force_login(UserFactory(clerk=True, district=district))

    response = client.post(reverse(url), {"confirm": "1", **extra})

    assert response.status_code == 200
    assert [str(message) for message in get_messages(response.wsgi_request)] == [NOTHING_PENDING]
    assert "没有待确认的表格（可能已导入或已过期），请重新上传。" in response.content.decode()
    assert "请选择要导入的Excel文件。" not in response.content.decode()
    assert not model.objects.exists()
