"""Progress of a long loop over a sheet's rows, for the background import jobs (``portal.imports.jobs``).

The importers take an optional ``progress`` callback and pass their row loop through ``tracked``; the job turns
each call into one short UPDATE of its row, so the page that polls it sees rows done / total. Without a callback
(the request path, the management commands) nothing is reported and nothing is slowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: ``progress(done, total)``: called from inside the loop; it must be cheap and must not raise.
Progress = Callable[[int, int], None]

#: Rows between two reports: a few dozen reports for the largest sheet, not one query per row.
REPORT_EVERY = 500


def tracked(rows: Sequence[T], progress: Progress | None, *, every: int | None = None) -> Iterator[T]:
    """Yield ``rows`` one by one, reporting ``(done, total)`` before the first, every ``every`` rows (by default
    ``REPORT_EVERY``), and at the end."""
    total = len(rows)
    if progress is None:
        yield from rows
        return
    every = every or REPORT_EVERY
    progress(0, total)
    for done, row in enumerate(rows):
        if done and done % every == 0:
            progress(done, total)
        yield row
    progress(total, total)
