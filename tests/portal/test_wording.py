"""The portal addresses everyone as 您, Django's own texts included (locale/zh_Hans overrides its 你)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory


def test_the_password_rules_say_nin() -> None:
    with translation.override("zh-hans"):
        texts = password_validators_help_texts()
        with pytest.raises(ValidationError) as refused:
            validate_password("12345")
    assert texts and all("您" in text and "你" not in text for text in texts), texts
    assert all("你" not in message for message in refused.value.messages), refused.value.messages
    assert "您的密码必须包含至少 10 个字符。" in texts


@pytest.mark.django_db
def test_the_password_change_page_says_nin(password: str) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/password/").content.decode()
    assert "您的密码不能是常见密码。" in page
    assert "你" not in page
    refused = client.post(
        "/accounts/password/",
        {"old_password": "wrong-old-password", "new_password1": "x", "new_password2": "x"},
    ).content.decode()
    assert "您的旧密码不正确，请重新输入。" in refused and "你" not in refused


@pytest.mark.django_db
def test_the_admins_script_messages_say_nin() -> None:
    client = Client()
    client.force_login(UserFactory(admin=True, is_superuser=True))
    catalog = client.get("/admin/jsi18n/").content.decode()
    assert "\\u60a8\\u7684\\u65f6\\u95f4" in catalog or "您的时间比服务器时间" in catalog
    assert "你比服务器时间" not in catalog and "\\u4f60\\u6bd4" not in catalog
