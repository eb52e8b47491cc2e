"""Production settings pass Django's deployment checks and the portal's own; the one-machine deployment of
`make run` (``portal.settings.embedded``) serves without DEBUG, on this machine's own keys, with Chinese error pages."""

from __future__ import annotations

import importlib
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import FileResponse
from django.test import Client, override_settings
from django.urls import reverse

from portal.checks import check_field_keys, check_portal_address, check_session_and_lockout
from portal.settings import machine_secrets
from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY
from tests.factories import HireFactory, UserFactory

BASE_DIR = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "talent.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "PORTAL_BASE_URL": "https://talent.example.gov.cn",
        "PORTAL_FIELD_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
        "PORTAL_HMAC_KEY": secrets.token_urlsafe(48),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env |= {"DJANGO_SETTINGS_MODULE": "portal.settings.production", "DJANGO_ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_portals_own_checks_catch_weak_session_and_lockout_settings() -> None:
    with override_settings(SESSION_COOKIE_AGE=3600, AXES_FAILURE_LIMIT=50, AXES_LOCKOUT_PARAMETERS=["ip_address"]):
        ids = {warning.id for warning in check_session_and_lockout(None)}
    assert ids == {"portal.W001", "portal.W004", "portal.W005"}
    assert check_session_and_lockout(None) == []


def test_a_localhost_portal_address_is_caught_before_it_reaches_emails_and_pdfs() -> None:
    with override_settings(PORTAL_BASE_URL="http://localhost:8000"):
        assert [warning.id for warning in check_portal_address(None)] == ["portal.W006"]
    with override_settings(PORTAL_BASE_URL="https://talent.example.gov.cn"):
        assert check_portal_address(None) == []


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "PORTAL_FIELD_KEYS"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_ALLOWED_HOSTS": "talent.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        **extra,
    }


def test_production_refuses_to_start_without_the_personal_data_keys(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PORTAL_FIELD_KEYS" in result.stderr


def test_check_deploy_fails_on_the_published_development_keys(tmp_path: Path) -> None:
    # The test settings' keys are in the repository: under production settings they must stop a deployment.
    from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY

    env = _production_env(tmp_path, PORTAL_FIELD_KEYS=DEVELOPMENT_FIELD_KEY, PORTAL_HMAC_KEY=DEVELOPMENT_HMAC_KEY)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "portal.E011" in result.stdout + result.stderr


def test_missing_or_malformed_keys_are_named_without_showing_them() -> None:
    with override_settings(PORTAL_FIELD_KEYS=[], PORTAL_HMAC_KEY=""):
        problems = check_field_keys(None)
    assert [problem.id for problem in problems] == ["portal.E010", "portal.E010"]
    assert "PORTAL_FIELD_KEYS 未设置" in problems[0].msg and "PORTAL_HMAC_KEY" in problems[1].msg

    good = Fernet.generate_key().decode()
    with override_settings(PORTAL_FIELD_KEYS=[good, "not-a-fernet-key"], PORTAL_HMAC_KEY="short"):
        problems = check_field_keys(None)
    assert [problem.id for problem in problems] == ["portal.E010", "portal.E010"]
    assert "第2个密钥无效" in problems[0].msg and "not-a-fernet-key" not in problems[0].msg
    assert "过短" in problems[1].msg

    with override_settings(PORTAL_FIELD_KEYS=[good], PORTAL_HMAC_KEY=secrets.token_urlsafe(48)):
        assert check_field_keys(None) == []
    # The test settings run on the published development keys: caught.
    assert [problem.id for problem in check_field_keys(None)] == ["portal.E011"]


# ---- the one-machine deployment (make run) ------------------------------------------------------------------------


def test_the_embedded_settings_serve_without_debug_over_plain_http_on_this_machine() -> None:
    embedded = importlib.import_module("portal.settings.embedded")
    assert embedded.DEBUG is False
    assert {"127.0.0.1", "localhost"} <= set(embedded.ALLOWED_HOSTS)
    # Signing in over plain HTTP on 127.0.0.1: no cookie may demand HTTPS, none may carry a __Host- name.
    assert not getattr(embedded, "SESSION_COOKIE_SECURE", False) and not getattr(embedded, "CSRF_COOKIE_SECURE", False)
    assert not getattr(embedded, "SECURE_SSL_REDIRECT", False)
    for name in ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME"):
        assert not getattr(embedded, name, "").startswith("__Host-")
    # Static files collected and served by WhiteNoise, with DEBUG off too.
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in embedded.MIDDLEWARE
    assert embedded.STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert (Path(embedded.WHITENOISE_ROOT) / "favicon.ico").is_file()
    # Several gunicorn workers and the Celery worker count throttles in one cache, not one each.
    assert embedded.CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert embedded.CELERY_BROKER_URL.startswith("filesystem://") or "CELERY_BROKER_URL" in os.environ


@pytest.mark.django_db
def test_a_wrong_address_under_the_embedded_settings_is_the_portals_chinese_404() -> None:
    embedded = importlib.import_module("portal.settings.embedded")
    with override_settings(DEBUG=embedded.DEBUG, ALLOWED_HOSTS=embedded.ALLOWED_HOSTS):
        response = Client().get("/nope/", headers={"host": "127.0.0.1"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page
    assert "Page not found" not in page and "URLconf" not in page and "DEBUG" not in page


@pytest.mark.django_db
def test_another_districts_hire_is_a_chinese_404_without_djangos_english_message() -> None:
    hire = HireFactory()
    stranger = UserFactory(clerk=True)
    assert stranger.district != hire.district
    client = Client()
    client.force_login(stranger)
    with override_settings(DEBUG=False):
        page = client.get(reverse("referrals:hire_detail", args=[hire.pk]))
        api = client.get(f"/api/v1/hires/{hire.pk}/")
    assert page.status_code == 404 and api.status_code == 404
    assert "页面不存在" in page.content.decode() and api.json() == {"detail": "未找到。"}
    for body in (page.content.decode(), api.content.decode()):
        assert "No Hire matches" not in body and "matches the given query" not in body
    # The same address is the hire for its own district's clerk: the 404 above is the district scope, not a typo.
    client.force_login(hire.recorded_by)
    assert client.get(reverse("referrals:hire_detail", args=[hire.pk])).status_code == 200


def test_favicon_ico_is_served_at_the_root_and_linked_from_every_page() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO header
    base = (BASE_DIR / "templates" / "base.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="/favicon.ico"' in base


def test_management_commands_print_no_library_start_up_lines() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""  # no "AXES: BEGIN version …"


@pytest.fixture
def no_secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in machine_secrets.NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_secrets_in_the_environment")
def test_a_fresh_machine_makes_its_own_keys_once_and_reads_them_on_every_start(tmp_path: Path) -> None:
    path = machine_secrets.use_machine_secrets(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    made = machine_secrets.read_secrets(path)
    assert set(made) == set(machine_secrets.NAMES)
    assert {name: os.environ[name] for name in machine_secrets.NAMES} == made
    assert made["PORTAL_FIELD_KEYS"] != DEVELOPMENT_FIELD_KEY and made["PORTAL_HMAC_KEY"] != DEVELOPMENT_HMAC_KEY
    with override_settings(PORTAL_FIELD_KEYS=[made["PORTAL_FIELD_KEYS"]], PORTAL_HMAC_KEY=made["PORTAL_HMAC_KEY"]):
        assert check_field_keys(None) == []  # valid, and not the published ones

    # The next start (make run again, make dev, manage.py) reads the same keys: what was encrypted stays readable.
    for name in machine_secrets.NAMES:
        del os.environ[name]
    machine_secrets.use_machine_secrets(tmp_path)
    assert {name: os.environ[name] for name in machine_secrets.NAMES} == made
    assert machine_secrets.read_secrets(path) == made


@pytest.mark.usefixtures("no_secrets_in_the_environment")
def test_the_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment")
    machine_secrets.use_machine_secrets(tmp_path)
    assert os.environ["DJANGO_SECRET_KEY"] == "from-the-environment"
    assert os.environ["PORTAL_HMAC_KEY"] == machine_secrets.read_secrets(tmp_path / "secrets.env")["PORTAL_HMAC_KEY"]


@pytest.mark.usefixtures("no_secrets_in_the_environment")
def test_a_database_older_than_the_keys_file_keeps_the_development_keys_it_was_encrypted_with(tmp_path: Path) -> None:
    (tmp_path / "portal.sqlite3").write_bytes(b"")
    made = machine_secrets.read_secrets(machine_secrets.use_machine_secrets(tmp_path))
    assert made["PORTAL_FIELD_KEYS"] == DEVELOPMENT_FIELD_KEY and made["PORTAL_HMAC_KEY"] == DEVELOPMENT_HMAC_KEY
    assert made["DJANGO_SECRET_KEY"] != "local-development-only-not-a-secret"


@pytest.mark.django_db
def test_an_action_address_opened_in_the_browser_gets_the_portals_page(client: Client) -> None:
    """A POST-only address typed into the browser: the portal's Chinese page, not the browser's empty 405."""
    clerk = UserFactory(clerk=True)
    client.force_login(clerk)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    page = response.content.decode()
    assert "无法直接打开此地址" in page and "返回我的工作台" in page
    # The API's own 405 says so in JSON, and stays as it is.
    api = client.put("/api/v1/publicity/", data={}, content_type="application/json")
    assert api.status_code == 405 and api["Content-Type"] == "application/json"
