"""What the PDF benchmarks share (bench/claim_pdf.py, bench/notice_pdf.py): realistic people, the command line,
the throw-away database they build in, the page count of a PDF, and the bare page a portal document is measured
against.

Imported after the benchmark has set its own DATABASE_URL and called ``django.setup()``.
"""

from __future__ import annotations

import argparse
import html
import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
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


# ---- The bare page -------------------------------------------------------------------------------------------------

#: What the bare page keeps of a portal document: its text, its headings and its tables (cells with their spans).
_KEPT = frozenset({"h1", "h2", "p", "br", "table", "thead", "tbody", "tr", "th", "td"})
_VOID = frozenset({"br", "col", "img", "meta", "link", "input", "hr"})
#: The bare page's only style: the page, the same two font families (the title in Serif Bold, the rest in Sans), ruled
#: tables. Nothing else of the portal's stylesheet.
_BARE_STYLE = """
@page {{ size: A4 {orientation}; margin: 1.5cm 2cm; }}
html {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 10pt; line-height: 1.4; }}
p {{ margin: 0 0 0.3em; }}
h1 {{ margin: 0.2em 0; font-family: "Noto Serif CJK SC", serif; font-size: 20pt; font-weight: 700; text-align: center; }}
h2 {{ margin: 0.8em 0 0.3em; font-size: 11pt; font-weight: 400; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
th, td {{ border: 0.75pt solid #000; padding: 3pt 4pt; font-weight: {header_weight}; }}
"""


class _Bare(HTMLParser):
    """The text, headings and tables of a portal document, without its classes, images or anything in ``<head>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        elif self.in_body and tag in _KEPT:
            spans = "".join(f' {name}="{value}"' for name, value in attrs if name in ("colspan", "rowspan"))
            self.out.append(f"<{tag}{spans}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "body":
            self.in_body = False
        elif self.in_body and tag in _KEPT and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.in_body:
            self.out.append(html.escape(data, quote=False))


def bare_html(document: str, *, landscape: bool = False, bold_headers: bool = False) -> str:
    """The same content as the portal's ``document`` (its HTML before WeasyPrint): the same text and tables in the
    same font families, with a few lines of style instead of the portal's stylesheet, and no QR code (no image at
    all). What WeasyPrint costs for the content alone: the yardstick of the portal's render."""
    parser = _Bare()
    parser.feed(document)
    parser.close()
    style = _BARE_STYLE.format(
        orientation="landscape" if landscape else "portrait", header_weight=700 if bold_headers else 400
    )
    return f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><style>{style}</style></head><body>{"".join(parser.out)}</body></html>'


def render_bare(document: str) -> bytes:
    """``document`` (from ``bare_html``) through WeasyPrint directly: no URL fetcher, no stylesheet, no cache."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=document).write_pdf()
    return pdf


def fastest_of(repeat: int, *renders: Callable[[], object]) -> tuple[list[list[float]], list[list[float]]]:
    """Each render timed ``repeat`` times, taking turns (so a burst of load elsewhere weighs on all alike): the
    seconds of each per render, by the wall clock and by this process's CPU time (which other processes on a busy
    machine barely change; the database server's time is not in it)."""
    wall: list[list[float]] = [[] for _ in renders]
    cpu: list[list[float]] = [[] for _ in renders]
    for _ in range(repeat):
        for render, walled, spent in zip(renders, wall, cpu, strict=True):
            start, start_cpu = time.perf_counter(), time.process_time()
            render()
            walled.append(time.perf_counter() - start)
            spent.append(time.process_time() - start_cpu)
    return wall, cpu
