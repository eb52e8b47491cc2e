"""What the PDF benchmarks share (bench/claim_pdf.py, bench/notice_pdf.py): realistic people, the command line,
the throw-away database they build in, and the page count of a PDF.

Imported after the benchmark has set its own DATABASE_URL and called ``django.setup()``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.test.utils import setup_test_environment

POSTS = ["前沿通信技术与政策研究工程师", "工业机器人系统集成工程师", "电池管理系统软件工程师", "工艺工程师"]
SCHOOLS = ["重庆大学", "西南大学", "电子科技大学", "哈尔滨工业大学（深圳）", "新加坡国立大学"]
MAJORS = ["电子信息", "机械工程", "控制科学与工程", "材料科学与工程", "计算机科学与技术"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]


def person_name(n: int, seed: int) -> str:
    """The ``n``th person of batch ``seed``: names repeat as real lists do, never in the same order."""
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7 + seed) % len(GIVEN)]


def arguments(*, sizes: str) -> tuple[list[int], int, Path | None]:
    """``--sizes`` (default ``sizes``), ``--repeat`` and ``--save``, as (sizes, repeat, save)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=sizes)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    return [int(s) for s in args.sizes.split(",")], args.repeat, args.save


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A test database of the configured name, destroyed afterwards; WeasyPrint quiet (it reports every layout step
    at INFO, and the figures are what the benchmark prints)."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def page_count(pdf: bytes) -> str:
    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S607
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
