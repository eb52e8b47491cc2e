"""Benchmark: a claim's Annex 2 (申报表) and Annex 3 (确认表) rendered to PDF with WeasyPrint, at 2 and 20 people.

    .venv/bin/python bench/claim_pdf.py [--sizes 2,20] [--repeat 10] [--save /tmp]

Creates a throw-away PostgreSQL database (test_portal_bench_claim_pdf; DATABASE_URL chooses another server), builds
through the services a claim of each size that has been submitted, passed and approved (so Annex 2 prints the
filled review opinion), and prints for each document: the first render in this process (fonts loaded cold for the
first one), then the mean, fastest and slowest of ``--repeat`` renders, the pages and the size of the PDF, the
queries one render makes, and the fastest render of the bare page of the same content (``bench.pdf_bench.bare_html``:
the same text and tables in the same fonts, no QR code, no portal stylesheet, straight through WeasyPrint) with the
ratio portal/bare of the fastest of each (by the wall clock, then by CPU time), the two taking turns in this
process: what the portal adds to WeasyPrint's own cost. These PDFs are never cached (they hold a bank account and ID
numbers), but each is stored, encrypted, at the claim's events (``portal.documents``): the last two columns are the
fastest download of the stored copy as the view gets it (``documents.claim_paper``: the claim's latest event, the
copy's row, the file read, decrypted and its digest checked; no render), and how many times faster than a render
that is, the two taking turns.
``--save DIR`` writes each PDF there to look at. WeasyPrint is single-threaded: run it on a quiet machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.models import Employer, User
    from subsidies.models import Claim

import datetime
import functools
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Its own database name, so the throw-away test database never collides with the suite's or another bench's.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_claim_pdf")

import django

django.setup()

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


def make_claim(size: int, seed: int, headhunter: User, employer: Employer, centre: User, bureau: User) -> Claim:
    """A claim of ``size`` people, submitted, passed at first review and approved at re-review."""

    from subsidies.services import ClaimData, ClaimLine, claim_create, claim_review, claim_submit
    from tests.factories import attach_signed_annexes, claimable_hire, make_id_number

    hires = [
        claimable_hire(
            headhunter.third_party,
            employer,
            channel="bounty_list" if n % 3 else "special_recruitment",
            position__name=f"{POSTS[n % len(POSTS)]}{seed}-{n}",
            name=person_name(n, seed),
            id_number=make_id_number(seed * 1000 + n, birthday=f"{1990 + seed}0101"),
            school=SCHOOLS[n % len(SCHOOLS)],
            major=MAJORS[(n // 2) % len(MAJORS)],
            title_rank="工程师" if n % 2 else "",
            programme="haiju" if n % 4 == 0 else "qihang",
            work_experience="2016-2024 某汽车研究院 整车电子电气架构工程师" if n % 4 == 0 else "",
        )
        for n in range(size)
    ]
    data = ClaimData(
        employer=employer,
        employer_contact="王经理",
        employer_phone="023-67891234",
        lines=tuple(
            ClaimLine(hire=hire, requested_amount=Decimal(30000 if hire.channel == "bounty_list" else 4000))
            for hire in hires
        ),
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
    )
    claim = claim_create(data=data, by=headhunter)
    attach_signed_annexes(claim, headhunter)
    # Stored copies are not made at the events here (the bench's tasks would run in this process and warm the fonts
    # before the first render is timed): the stored column's first download stores them.
    with mock.patch("subsidies.services.papers_kick"):
        claim = claim_submit(claim=claim, by=headhunter)
        claim = claim_review(claim=claim, action="first_pass", opinion="材料齐全，同意。", by=centre)
        approved = {item.pk: str(item.requested_amount) for item in claim.items.all()}
        claim_review(claim=claim, action="approve", opinion="核定激励金额。", by=bureau, approved=approved)
    return claim


def main() -> None:
    sizes, repeat, save = arguments(sizes="2,20")
    with throwaway_database():
        from portal.models import SubsidyCap
        from subsidies import documents
        from subsidies.selectors import claim_visible
        from tests.factories import DistrictFactory, EmployerFactory, ThirdPartyFactory, UserFactory

        for channel, amount in (("bounty_list", "30000"), ("special_recruitment", "4000")):
            SubsidyCap.objects.create(
                channel=channel,
                amount=Decimal(amount),
                effective_from=datetime.date(2022, 1, 1),
                policy_reference="渝人社发〔2022〕50号",
            )
        district = DistrictFactory(code="500151", name="铜梁区")
        employer = EmployerFactory(name="重庆西部科学城智能网联汽车创新中心有限公司", district=district)
        party = ThirdPartyFactory(verified=True, name="重庆英才汇聚人力资源服务有限公司")
        headhunter = UserFactory(third_party_user=True, third_party=party)
        centre = UserFactory(centre=True, display_name="马潇")
        bureau = UserFactory(bureau=True, display_name="严从越")
        renders = {
            "annex2": (documents.annex2_pdf, documents.annex2_context, "pdf/claim_annex2.html", False),
            "annex3": (documents.annex3_pdf, documents.annex3_context, "pdf/claim_annex3.html", True),
        }

        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {repeat} renders per document")
        print(
            f"{'people':>7} {'document':>9} {'first':>9} {'mean':>9} {'fastest':>9} {'slowest':>9} "
            f"{'pages':>6} {'PDF size':>9} {'queries':>8} {'bare':>9} {'ratio':>6} {'cpu ratio':>10} "
            f"{'stored':>9} {'faster':>7}"
        )
        for seed, size in enumerate(sizes, start=1):
            created = make_claim(size, seed, headhunter, employer, centre, bureau)
            for name, (render, context, template, landscape) in renders.items():
                # As the view does: the claim loaded for the reviewer, then printed.
                def once(render: Callable[..., bytes] = render, pk: int = created.pk) -> bytes:
                    claim = claim_visible(user=bureau).get(pk=pk)
                    return render(claim=claim)

                start = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    pdf = once()
                first = time.perf_counter() - start
                printed = claim_visible(user=bureau).get(pk=created.pk)
                bare = bare_html(render_to_string(template, context(printed)), landscape=landscape)
                bare_pdf = render_bare(bare)  # its first render, fonts warm already, not counted
                (times, bare_times), (cpu, bare_cpu) = fastest_of(repeat, once, functools.partial(render_bare, bare))

                # The download as the view serves it once the copy is stored (stored now if the task has not).
                def from_store(kind: str = name, pk: int = created.pk) -> bytes:
                    claim = claim_visible(user=bureau).get(pk=pk)
                    paper, stored = documents.claim_paper(claim=claim, kind=kind)
                    assert stored is not None, "a decided claim's paper is stored"
                    return paper.pdf

                from_store()
                (rendered, stored_times), _ = fastest_of(repeat, once, from_store)
                if save:
                    save.mkdir(parents=True, exist_ok=True)
                    (save / f"claim-{size}-{name}.pdf").write_bytes(pdf)
                    (save / f"claim-{size}-{name}-bare.pdf").write_bytes(bare_pdf)
                print(
                    f"{size:>7} {name:>9} {first * 1000:>7.0f}ms {statistics.mean(times) * 1000:>7.0f}ms "
                    f"{min(times) * 1000:>7.0f}ms {max(times) * 1000:>7.0f}ms {page_count(pdf):>6} "
                    f"{len(pdf) / 1024:>7.0f}KB {len(captured):>8} {min(bare_times) * 1000:>7.0f}ms "
                    f"{min(times) / min(bare_times):>6.2f} {min(cpu) / min(bare_cpu):>10.2f} "
                    f"{min(stored_times) * 1000:>7.1f}ms {min(rendered) / min(stored_times):>6.0f}x"
                )


if __name__ == "__main__":
    main()
