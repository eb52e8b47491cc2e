"""This machine's own secrets for the one-machine set-up (``local`` and ``embedded`` settings), kept in var/.

A fresh machine gets its own Django secret key and its own keys for personal data at rest (``portal.security.crypto``), not the
development keys published in the repository. They are made once, on the first start, into ``var/secrets.env``
(readable by its owner only) and read on every start after it, so that ``make run`` run again, ``make dev`` and any
``manage.py`` command read what an earlier run encrypted. The file belongs in the machine's backups with the database:
without it the encrypted columns of ``var/portal.sqlite3`` cannot be read.

A database made before this file existed was encrypted with the development keys, so the file then records those and
the database stays readable. Values already in the environment win over the file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY

#: base settings' VAR_DIR (imported before them: they read these secrets).
VAR_DIR = Path(__file__).resolve().parents[2] / "var"
SECRETS_FILE = "secrets.env"
#: The SQLite database of the one-machine set-up (base settings' default ``DATABASE_URL``).
DATABASE_FILE = "portal.sqlite3"
NAMES = ("DJANGO_SECRET_KEY", "PORTAL_FIELD_KEYS", "PORTAL_HMAC_KEY")


def use_machine_secrets(var_dir: Path = VAR_DIR) -> Path:
    """Puts ``DJANGO_SECRET_KEY``, ``PORTAL_FIELD_KEYS`` and ``PORTAL_HMAC_KEY`` (NAMES) from ``var_dir/secrets.env``
    into the environment where it does not set them already, making the file first if there is none."""
    path = var_dir / SECRETS_FILE
    if all(name in os.environ for name in NAMES):
        return path  # the environment gives them all: nothing to make or read
    if not path.exists():
        _create(path, _new_secrets(older_database=(var_dir / DATABASE_FILE).exists()))
    for name, value in read_secrets(path).items():
        os.environ.setdefault(name, value)
    return path


def read_secrets(path: Path) -> dict[str, str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def _new_secrets(*, older_database: bool) -> dict[str, str]:
    if older_database:
        field_key, hmac_key = DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY
    else:
        field_key, hmac_key = Fernet.generate_key().decode(), secrets.token_urlsafe(48)
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_FIELD_KEYS": field_key,
        "PORTAL_HMAC_KEY": hmac_key,
    }


def _create(path: Path, values: dict[str, str]) -> None:
    """Writes the file whole under a temporary name, then links it into place: the web server, the worker and beat
    start together, and whichever is first makes the file; the others read the same one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Made once by portal.settings.machine_secrets; keep it with the database, never publish it.\n"
    text += "".join(f"{name}={value}\n" for name, value in values.items())
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: read that one
    finally:
        temporary.unlink()
