"""The admin speaks Chinese: no column, filter or recorded field is shown by its English code name."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from portal.models import PersonalDataAccess
from portal.security.privacy import personal_data_reveal
from tests.factories import HireFactory, UserFactory

CJK = re.compile(r"[\u4e00-\u9fff]")
OWN_APPS = ("portal", "positions", "referrals", "subsidies", "bases")


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(UserFactory(admin=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_every_changelist_names_its_columns_and_filters_in_chinese(client: Client) -> None:
    HireFactory()  # a row, so that the lists with relations to follow have something to show
    english = []
    for model in admin.site._registry:
        meta = model._meta
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if response.status_code == 302:
            continue  # a one-record setting opens on its change form (RetentionPolicyAdmin)
        assert response.status_code == 200, meta.label
        changelist = response.context["cl"]
        for header in result_headers(changelist):
            if "action-checkbox-column" in str(header.get("class_attrib", "")):
                continue
            text = strip_tags(str(header["text"])).strip()
            if not CJK.search(text):
                english.append(f"{meta.label}: column {text!r}")
        for spec in changelist.filter_specs:
            if not CJK.search(str(spec.title)):
                english.append(f"{meta.label}: filter {spec.title!r}")
    assert not english


def test_every_field_of_the_portals_models_has_a_chinese_name() -> None:
    """The audit log and the admin name a changed field by its verbose name ("stored name" read as English)."""
    for app in OWN_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.proxy:
                continue  # another package's fields, shown through columns of their own (portal.admin)
            for field in model._meta.get_fields():
                if getattr(field, "concrete", False) and not field.auto_created:
                    assert isinstance(field, models.Field)  # a concrete field: never a relation's other end
                    assert CJK.search(str(field.verbose_name)), f"{model._meta.label}.{field.name}"


@pytest.mark.django_db
def test_the_reveal_log_names_records_and_fields_and_filters_only_what_was_revealed(client: Client) -> None:
    hire = HireFactory()
    personal_data_reveal(
        obj=hire, field="id_number", by=UserFactory(admin=True), allowed=True, purpose="系统管理", remote_addr=None
    )
    assert PersonalDataAccess.objects.count() == 1

    response = client.get(reverse("admin:portal_personaldataaccess_changelist"))

    page = response.content.decode()
    assert "身份证号码" in page and ">id_number<" not in page
    choices = [
        choice["display"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    ]
    assert set(choices) == {"全部", "身份证号码", str(hire._meta.verbose_name)}
    assert "TOTP device" not in page
