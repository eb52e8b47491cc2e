"""Benchmark: peak memory of an import preview of a sheet that reaches far down while holding almost nothing.

    .venv/bin/python bench/sheet_memory.py [--concurrent 4]

Two sheets of about 2 KB: the Annex 1 title and header, a ``<dimension ref="A1:K…"/>`` and one number far away
(``tests.security.corpus.far_cell_sheet``): in A1000000 (past the row limit), and in BL100020 (the last row and
column within the limits). Each measurement runs in a fresh Python process (so one
run's high-water mark never hides another's): Django set up and the sheet in memory is the baseline, then the
Annex 1 and the Annex 3 readers (what the import previews call first) read it and are refused. Printed per
process: the peak resident set (``ru_maxrss``) over the baseline, and tracemalloc's peak of Python's own
allocations (calamine's grid is Rust's, which tracemalloc does not see: the resident set is the figure that
counts). ``--concurrent N`` starts N such processes at once, as N web workers previewing the sheet together.
No database is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, os, resource, sys, tracemalloc
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
import django
django.setup()
import python_calamine  # the reader's extension, loaded before the baseline is taken
from portal.errors import PortalError
from positions.importing import read_sheet as read_annex1
from referrals.importing import read_hire_sheet as read_annex3
from tests.security.corpus import far_cell_sheet
data = far_cell_sheet(last_row={rows}, last_column={column!r})
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
answers = []
for read in (read_annex1, read_annex3):
    try:
        read(data)
        answers.append("accepted")
    except PortalError as error:
        answers.append(error.message)
python_peak = tracemalloc.get_traced_memory()[1]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"bytes": len(data), "baseline_kb": baseline, "growth_kb": peak - baseline,
                  "python_peak_kb": python_peak // 1024, "answers": answers}}))
"""


def measure(*, rows: int, processes: int, column: str = "A") -> list[dict[str, object]]:
    """Start ``processes`` children at once, each reading the sheet with its one cell in row ``rows`` and
    ``column``; their figures, as they report them."""
    code = CHILD.format(root=str(ROOT), rows=rows, column=column)
    children = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=os.environ.copy(), cwd=ROOT)  # noqa: S603 (our own code)
        for _ in range(processes)
    ]
    results = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"a measuring process failed (exit {child.returncode})")
        results.append(json.loads(out))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrent", type=int, default=4, help="processes previewing at once")
    args = parser.parse_args()
    for rows, column in ((1_000_000, "A"), (100_020, "BL")):
        print(f"one number in {column}{rows}:")
        for label, processes in (("alone", 1), (f"{args.concurrent} concurrent", args.concurrent)):
            results = measure(rows=rows, processes=processes, column=column)
            growth = [int(str(result["growth_kb"])) / 1024 for result in results]
            python = [int(str(result["python_peak_kb"])) / 1024 for result in results]
            print(
                f"  {label:>13}: sheet {results[0]['bytes']} bytes; resident set over the baseline "
                f"{' + '.join(f'{mb:.1f}' for mb in growth)} = {sum(growth):.1f} MB; "
                f"tracemalloc peak {max(python):.1f} MB; baseline {int(str(results[0]['baseline_kb'])) / 1024:.0f} MB"
            )
        answers = results[0]["answers"]
        assert isinstance(answers, list)
        print("  answers:", *answers, sep="\n    ")


if __name__ == "__main__":
    main()
