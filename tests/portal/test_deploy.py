"""Production settings pass Django's deployment checks and the portal's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from portal.checks import check_portal_address, check_session_and_lockout

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
