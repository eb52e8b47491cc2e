"""Benchmark: the publicity notice (公示) rendered to PDF with WeasyPrint, at 20 and 200 people.

    .venv/bin/python bench/notice_pdf.py [--sizes 20,200] [--repeat 10] [--save /tmp]

Creates a throw-away PostgreSQL database (test_portal_bench_pdf; DATABASE_URL chooses another server), publishes a
notice of each size with realistic names, and prints for each: the first render in this process (fonts loaded
cold for the first size), then the mean, fastest and slowest of ``--repeat`` renders (cache cleared before each), the mean of a request
the PDF cache answers, the pages and the size of the PDF, the queries one render makes, and the fastest render of the
bare page of the same content (``bench.pdf_bench.bare_html``: the same text and table in the same fonts, no portal
stylesheet, straight through WeasyPrint) with the ratio portal/bare of the fastest of each (by the wall clock, then
by CPU time), the two taking turns.
``--save DIR`` writes each PDF there to look at. WeasyPrint is single-threaded: run it on a quiet machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.models import District, User
    from positions.models import Position
    from referrals.models import PublicityNotice

import functools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Its own database name, so the throw-away test_portal_bench_pdf never collides with the suite's or another bench's.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_pdf")
# The bench clears the PDF cache between renders: never a shared one.
os.environ["CACHE_URL"] = "locmemcache://"

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pdf_bench import (  # noqa: E402
    MAJORS,
    POSTS,
    SCHOOLS,
    arguments,
    bare_html,
    fastest_of,
    page_count,
    person_name,
    render_bare,
    throwaway_database,
)

EMPLOYERS = [
    "重庆长安汽车股份有限公司",
    "中国船舶集团有限公司第七一九研究所重庆分部",
    "重庆京东方光电科技有限公司",
    "重庆西部科学城智能网联汽车创新中心有限公司",
    "重庆铜梁高新技术产业开发区建设投资有限公司",
]
EDUCATIONS = ["bachelor", "master", "doctor"]


def make_notice(
    size: int, district: District, clerk: User, positions: Sequence[Position], seed: int
) -> PublicityNotice:
    import datetime
    from zoneinfo import ZoneInfo

    from referrals.models import Hire, PublicityNotice
    from tests.factories import make_id_number

    notice = PublicityNotice.objects.create(
        district=district,
        reference=f"GS-{district.code}-2026-{seed:03d}",
        title=f"{district.name}2026年第{seed}批卓越工程师引进人才公示",
        published_on=datetime.date(2026, 2, 12),
        closes_at=datetime.datetime(2026, 2, 26, tzinfo=ZoneInfo("Asia/Shanghai")),
        published_by=clerk,
    )
    Hire.objects.bulk_create(
        [
            Hire(
                position=positions[n % len(positions)],
                employer=positions[n % len(positions)].employer,
                channel=positions[n % len(positions)].channel,
                post_name=positions[n % len(positions)].name,
                district=district,
                programme="qihang",
                year=2026,
                name=person_name(n, seed),
                id_number=make_id_number(seed * 1000 + n, birthday=f"{1995 + seed}0101"),
                mode="full_time",
                contract_term="3年",
                school=SCHOOLS[n % len(SCHOOLS)],
                major=MAJORS[(n // 2) % len(MAJORS)],
                education=EDUCATIONS[n % len(EDUCATIONS)],
                status="in_publicity",
                notice=notice,
                recorded_by=clerk,
            )
            for n in range(size)
        ]
    )
    return notice


def main() -> None:
    sizes, repeat, save = arguments(sizes="20,200")
    with throwaway_database():
        from referrals.documents import notice_context, notice_paper, notice_pdf
        from tests.factories import DistrictFactory, EmployerFactory, PositionFactory, UserFactory

        district = DistrictFactory(code="500151", name="铜梁区")
        clerk = UserFactory(clerk=True, district=district)
        positions = [
            PositionFactory(
                batch__district=district,
                employer=EmployerFactory(name=employer, district=district),
                published=True,
                name=POSTS[n % len(POSTS)],
            )
            for n, employer in enumerate(EMPLOYERS)
        ]
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {repeat} renders per size")
        print(
            f"{'people':>7} {'first':>13} {'mean':>10} {'fastest':>10} {'slowest':>10} {'cached':>8} "
            f"{'pages':>6} {'PDF size':>9} {'queries':>8} {'bare':>9} {'ratio':>6} {'cpu ratio':>10} "
            f"{'stored':>9} {'faster':>7}"
        )
        for seed, size in enumerate(sizes, start=1):
            notice = make_notice(size, district, clerk, positions, seed)
            page_url = f"https://rcfw.example.cn/publicity/{notice.pk}/"
            cache.clear()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                pdf = notice_pdf(notice=notice, page_url=page_url)
            first = time.perf_counter() - start
            # The notice's table heads are bold: a third face, in the bare page too.
            printed = render_to_string("pdf/publicity_notice.html", notice_context(notice=notice, page_url=page_url))
            bare = bare_html(printed, bold_headers=True)
            bare_pdf = render_bare(bare)  # its first render, fonts warm already, not counted

            def uncached(notice: PublicityNotice = notice, page_url: str = page_url) -> bytes:
                cache.clear()
                return notice_pdf(notice=notice, page_url=page_url)

            (times, bare_times), (cpu, bare_cpu) = fastest_of(repeat, uncached, functools.partial(render_bare, bare))

            # The download as the view serves it: the copy stored at publication, read from its file.
            def from_store(notice: PublicityNotice = notice) -> bytes:
                pdf, stored = notice_paper(notice=notice)
                assert stored is not None
                return pdf

            from_store()
            (rendered, stored_times), _ = fastest_of(repeat, uncached, from_store)
            cached = []
            for _ in range(repeat):
                start = time.perf_counter()
                notice_pdf(notice=notice, page_url=page_url)
                cached.append(time.perf_counter() - start)
            if save:
                save.mkdir(parents=True, exist_ok=True)
                (save / f"notice-{size}.pdf").write_bytes(pdf)
                (save / f"notice-{size}-bare.pdf").write_bytes(bare_pdf)
            print(
                f"{size:>7} {first * 1000:>11.0f}ms {statistics.mean(times) * 1000:>8.0f}ms "
                f"{min(times) * 1000:>8.0f}ms {max(times) * 1000:>8.0f}ms {statistics.mean(cached) * 1000:>6.1f}ms "
                f"{page_count(pdf):>6} "
                f"{len(pdf) / 1024:>7.0f}KB {len(captured):>8} {min(bare_times) * 1000:>7.0f}ms "
                f"{min(times) / min(bare_times):>6.2f} {min(cpu) / min(bare_cpu):>10.2f} "
                f"{min(stored_times) * 1000:>7.1f}ms {min(rendered) / min(stored_times):>6.0f}x"
            )


if __name__ == "__main__":
    main()
