"""One way of writing dates across the portal (portal.dates): 2026年12月5日 in prose, 2026-12-05 in table cells."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from portal.dates import prose_date, prose_datetime, table_date, table_datetime

#: 16:51 UTC on 4 December is 00:51 on 5 December in Chongqing.
MOMENT = datetime.datetime(2026, 12, 4, 16, 51, tzinfo=datetime.UTC)


def test_prose_and_table_forms_in_chongqing_time() -> None:
    assert prose_date(datetime.date(2026, 2, 5)) == "2026年2月5日"
    assert prose_date(MOMENT) == "2026年12月5日"
    assert prose_datetime(MOMENT) == "2026年12月5日 00:51"
    assert table_date(datetime.date(2026, 2, 5)) == "2026-02-05"
    assert table_date(MOMENT) == "2026-12-05"
    assert table_datetime(MOMENT) == "2026-12-05 00:51"
    assert prose_date(None) == table_datetime(None) == ""


def test_the_template_filters_follow_the_same_rule() -> None:
    template = Template(
        "{% load portal_dates %}{{ day|prose_date }}|{{ at|prose_datetime }}|{{ day|table_date }}|{{ at|table_datetime }}"
        "|{{ missing|prose_date|default:'—' }}"
    )
    rendered = template.render(Context({"day": datetime.date(2026, 12, 5), "at": MOMENT, "missing": None}))
    assert rendered == "2026年12月5日|2026年12月5日 00:51|2026-12-05|2026-12-05 00:51|—"


def test_no_template_formats_a_date_by_hand() -> None:
    """Every shown date goes through the rule's filters; ``|date:`` is left only for machine values: the ISO value
    of a date input and the ``datetime`` attribute of ``<time>``."""
    allowed = re.compile(r"""value="\{\{ [\w.]+\|date:'Y-m-d' \}\}"|datetime="\{\{ [\w.]+\|date:'c' \}\}\"""")
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "|date:" in allowed.sub("", line):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert offenders == []
