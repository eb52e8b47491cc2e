"""An uploaded sheet kept between its preview and its confirmation (upload → preview → confirm).

The bytes go under ``MEDIA_ROOT/imports`` with a random name, outside the web root; the session remembers that
name under one key per importer, so a positions upload and a hires upload in the same session do not meet.
Only the view that stored it reads it back, for the same session; it is deleted once imported, and a new upload
for the same importer replaces (and deletes) the previous one.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from portal.imports.sheets import MAX_FILE_BYTES

#: What ``store`` writes; anything else found in a session is ignored rather than opened.
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.xlsx$")


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes, one byte past the limit at most: the sheet reader then refuses the file as too large."""
    return upload.read(MAX_FILE_BYTES + 1)


@dataclass(frozen=True)
class PendingUpload:
    """The sheet one importer's preview showed, waiting for its confirmation; ``key`` is the session key."""

    key: str

    def store(self, request: HttpRequest, *, data: bytes, filename: str) -> None:
        self.discard(request)
        name = f"{uuid.uuid4().hex}.xlsx"
        (upload_dir() / name).write_bytes(data)
        request.session[self.key] = {"name": name, "filename": filename}

    def path(self, request: HttpRequest) -> Path | None:
        """Where the pending sheet is, or None when nothing is pending (or the file has gone)."""
        stored = request.session.get(self.key)
        name = stored.get("name", "") if isinstance(stored, dict) else ""
        if not _STORED_NAME.match(name):
            return None
        path = upload_dir() / name
        return path if path.is_file() else None

    def filename(self, request: HttpRequest) -> str:
        stored = request.session.get(self.key)
        return str(stored.get("filename", "")) if isinstance(stored, dict) else ""

    def discard(self, request: HttpRequest) -> None:
        """Forget the pending sheet and delete its file (after a successful import, or when replaced)."""
        stored = request.session.pop(self.key, None)
        name = stored.get("name", "") if isinstance(stored, dict) else ""
        if _STORED_NAME.match(name):
            (upload_dir() / name).unlink(missing_ok=True)


#: A preview nobody confirmed within a working day is abandoned: sessions end after 12 hours at most anyway.
PENDING_MAX_AGE_SECONDS = 24 * 60 * 60


def pending_uploads_purge(*, now: float | None = None) -> int:
    """Delete previewed sheets older than ``PENDING_MAX_AGE_SECONDS`` (their sessions have ended): personal data
    must not linger on disk. Returns how many files went."""
    import time

    cutoff = (now if now is not None else time.time()) - PENDING_MAX_AGE_SECONDS
    removed = 0
    for path in upload_dir().iterdir():
        if _STORED_NAME.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
