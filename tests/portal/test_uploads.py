"""Abandoned import previews do not linger on disk."""

from __future__ import annotations

import os
import time

from portal.imports.uploads import PENDING_MAX_AGE_SECONDS, pending_uploads_purge, upload_dir
from portal.tasks import purge_pending_uploads


def test_old_previews_are_purged_and_fresh_ones_kept() -> None:
    old = upload_dir() / ("a" * 32 + ".xlsx")
    fresh = upload_dir() / ("b" * 32 + ".xlsx")
    other = upload_dir() / "README.txt"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    past = time.time() - PENDING_MAX_AGE_SECONDS - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    try:
        assert pending_uploads_purge() == 1
        assert not old.exists() and fresh.exists() and other.exists()
        assert purge_pending_uploads() == 0
    finally:
        for path in (old, fresh, other):
            path.unlink(missing_ok=True)
