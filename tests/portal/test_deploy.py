"""Production settings pass Django's deployment checks and the portal's own."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings

from portal.checks import check_field_keys, check_portal_address, check_session_and_lockout

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
