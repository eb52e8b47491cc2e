"""The city dashboard (统计看板): who may see it, its numbers, its CSV downloads, its fixed query count, its CSP."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.calendar.tenday import SHANGHAI
from portal.models import AnnualTarget, District, User
from referrals.models import Hire
from rollups.dashboard import DASHBOARD_QUERIES, dashboard_data
from subsidies.models import Claim
from tests.factories import (
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2025
URL = "/dashboard/"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)


def confirmed_hire(
    district: District, on: date, *, programme: str = "qihang", channel: str = "bounty_list", year: int = YEAR
) -> Hire:
    return HireFactory(
        position__batch__district=district,
        position__channel=channel,
        programme=programme,
        year=year,
        confirmed=True,
        confirmed_at=at(on),
    )


def make_claim(n: int, *, status: str, requested: str, **fields: Any) -> Claim:
    third_party = ThirdPartyFactory()
    return Claim.objects.create(
        reference=f"BZ-TEST-{n}",
        verification_code=f"V{n:08d}",
        third_party=third_party,
        employer=EmployerFactory(),
        employer_contact="王经理",
        employer_phone="023-88888888",
        declares_introduced=True,
        declares_good_credit=True,
        declares_truthful=True,
        status=status,
        status_since=fields.pop("status_since", timezone.now()),
        requested_total=Decimal(requested),
        created_by=UserFactory(third_party_user=True, third_party=third_party),
        **fields,
    )


@pytest.fixture
def small_year() -> dict[str, District]:
    """Two districts: 北区 with 3 confirmed (2 启航 in 1月上旬 by 揭榜招贤, 1 海聚 in 2月下旬 by 引才专项), 南区 with 2
    (启航 in 1月中旬, 海聚 in 3月上旬, both 引才专项); plus records that must not count."""
    north, south = DistrictFactory(name="北区", order=2), DistrictFactory(name="南区", order=1)
    AnnualTarget.objects.create(programme="qihang", year=YEAR, target=1000)
    AnnualTarget.objects.create(programme="haiju", year=YEAR, target=200)
    confirmed_hire(north, date(YEAR, 1, 5))
    confirmed_hire(north, date(YEAR, 1, 10))
    confirmed_hire(north, date(YEAR, 2, 25), programme="haiju", channel="special_recruitment")
    confirmed_hire(south, date(YEAR, 1, 15), channel="special_recruitment")
    confirmed_hire(south, date(YEAR, 3, 1), programme="haiju", channel="special_recruitment")
    # Not counted: a hire of this year's programme confirmed last December (a hire counts in the year it was confirmed,
    # docs/figures.md), and a hire still waiting for the district (a queue entry instead).
    confirmed_hire(south, date(YEAR - 1, 12, 31), year=YEAR)
    HireFactory(position__batch__district=south, year=YEAR)
    # Money: asked in March (30,000 + 4,000), approved in April (25,000.50), paid in May; a draft asks nothing.
    make_claim(
        1,
        status="paid",
        requested="30000.00",
        approved_total=Decimal("25000.50"),
        submitted_at=at(date(YEAR, 3, 2)),
        second_reviewed_at=at(date(YEAR, 4, 1)),
        paid_on=date(YEAR, 5, 10),
        payment_reference="ZF-1",
    )
    make_claim(
        2,
        status="submitted",
        requested="4000.00",
        submitted_at=at(date(YEAR, 3, 20)),
        status_since=timezone.now() - timedelta(days=3),
    )
    make_claim(3, status="draft", requested="4000.00")
    return {"north": north, "south": south}


def login(client: Client, **traits: Any) -> User:
    user = UserFactory(**traits)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("traits", "status"),
    [
        ({"centre": True}, 200),
        ({"bureau": True}, 200),
        ({"clerk": True}, 403),
        ({"district_reviewer": True}, 403),
        ({"third_party_user": True}, 403),
        ({"employer_user": True}, 403),
        ({"admin": True}, 403),
    ],
)
def test_only_the_talent_centre_and_the_bureau_see_the_dashboard(
    client: Client, traits: dict[str, bool], status: int
) -> None:
    login(client, **traits)
    assert client.get(URL).status_code == status
    assert client.get(reverse("rollups:dashboard_csv", args=["districts"])).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_numbers_of_a_small_year(small_year: dict[str, District]) -> None:
    data = dashboard_data(year=YEAR)
    assert data["targets"] == {"qihang": 1000, "haiju": 200}
    assert data["totals"] == {"qihang": 3, "haiju": 2}
    progress = data["progress"]
    assert len(progress["periods"]) == 36
    assert progress["periods"][:2] == ["2025-01-1", "2025-01-2"]
    assert progress["labels"][5] == "2月下旬"
    # Cumulative by 旬: 1月上旬 2, 1月中旬 3 (then flat); 海聚 1 from 2月下旬, 2 from 3月上旬.
    assert progress["qihang"][:3] == [2, 3, 3]
    assert progress["qihang"][-1] == 3
    assert progress["haiju"][4:7] == [0, 1, 2]
    # The even pace reaches the target in the last 旬, half of it at mid-year.
    assert progress["qihang_target"][17] == 500
    assert progress["qihang_target"][-1] == 1000
    assert progress["haiju_target"][-1] == 200
    # Ranking: 北区 (3) before 南区 (2), whatever their official order.
    assert [(r["name"], r["qihang"], r["haiju"], r["total"]) for r in data["districts"][:2]] == [
        ("北区", 2, 1, 3),
        ("南区", 1, 1, 2),
    ]
    assert [(r["name"], r["qihang"], r["haiju"]) for r in data["channels"]] == [("揭榜招贤", 2, 0), ("引才专项", 1, 2)]
    months = {row["month"]: row for row in data["subsidies"]}
    assert months["3月"] == {"month": "3月", "asked": "34000.00", "approved": "0.00", "paid": "0.00"}
    assert months["4月"]["approved"] == "25000.50"
    assert months["5月"]["paid"] == "25000.50"
    assert data["subsidy_totals"] == {"asked": "34000.00", "approved": "25000.50", "paid": "25000.50"}
    queues = {(r["area"], r["step"]): r for r in data["queues"]}
    waiting_claims = queues[("补助申报", "市人才中心初审（待初审）")]
    assert waiting_claims["count"] == 1
    assert waiting_claims["oldest_days"] == waiting_claims["median_days"] == pytest.approx(3.0, abs=0.1)
    assert queues[("引进人才", "区县审核（待初审）")]["count"] == 1
    assert queues[("补助申报", "市人社局复核（待复核）")] == {
        "area": "补助申报",
        "step": "市人社局复核（待复核）",
        "count": 0,
        "oldest_days": None,
        "median_days": None,
    }


def test_the_queue_median_is_the_middle_wait() -> None:
    now = timezone.now()
    for n, days in enumerate([1, 2, 10]):
        make_claim(n, status="first_passed", requested="100.00", status_since=now - timedelta(days=days))
    row = next(r for r in dashboard_data(year=YEAR, now=now)["queues"] if r["step"] == "市人社局复核（待复核）")
    assert (row["count"], row["oldest_days"], row["median_days"]) == (3, 10.0, 2.0)


def test_the_running_year_has_no_figure_for_future_periods() -> None:
    now = datetime(YEAR, 3, 15, 12, tzinfo=SHANGHAI)
    progress = dashboard_data(year=YEAR, now=now)["progress"]
    assert progress["labels"][7] == "3月中旬"
    assert progress["qihang"][7] == 0  # the running 旬
    assert progress["qihang"][8] is None


def test_the_page_carries_parseable_json_blocks_and_no_inline_script(
    client: Client, small_year: dict[str, District]
) -> None:
    login(client, centre=True)
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("progress", "districts", "channels", "subsidies", "bases", "queues"):
        match = re.search(rf'<script id="dashboard-{name}-data" type="application/json">(.*?)</script>', html, re.S)
        assert match, name
        json.loads(match.group(1))
        # No talent base has a figure in the small year: that chart says so instead of drawing.
        drawn = name != "bases"
        assert (f'data-dashboard-chart="{name}"' in html) is drawn, name
        assert (f'data-dashboard-empty="{name}"' in html) is not drawn, name
        assert f"/dashboard/{name}.csv?year={YEAR}" in html
    match = re.search(r'id="dashboard-progress-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    progress = json.loads(match.group(1))
    assert progress["targets"] == {"qihang": 1000, "haiju": 200}
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    assert "echarts.min.js" in html and "js/dashboard.js" in html
    # The tables carry the same numbers as the charts.
    assert "34000.00" in html and "25000.50" in html


def test_a_chart_with_nothing_to_draw_says_so_in_its_place_and_its_table(client: Client) -> None:
    """A year with no hire, no target, no money, no base and no queue: every chart is 暂无数据, not bare axes."""
    login(client, centre=True)
    html = client.get(URL, {"year": 2031}).content.decode()
    assert "data-dashboard-chart=" not in html
    for name in ("progress", "districts", "channels", "subsidies", "bases", "queues"):
        section = html.split(f'aria-labelledby="dashboard-{name}-title"', 1)[1].split("</section>", 1)[0]
        assert re.search(rf'<p class="[^"]*" data-dashboard-empty="{name}">暂无数据</p>', section), name
        # The table beside it says the same, in one row across all its columns: no column of zeros.
        assert re.search(r'<tbody>\s*<tr><td colspan="\d+" [^>]*>暂无数据</td></tr>\s*</tbody>', section), name


def test_a_chart_with_only_a_target_still_draws() -> None:
    from rollups.dashboard import empty_charts

    AnnualTarget.objects.create(programme="qihang", year=2031, target=100)
    assert "progress" not in empty_charts(dashboard_data(year=2031))


def test_a_year_without_targets_says_so(client: Client) -> None:
    login(client, bureau=True)
    html = client.get(URL, {"year": 2031}).content.decode()
    assert "2031年未设置目标" in html
    assert "启航目标（未设置目标）" in html
    assert dashboard_data(year=2031)["progress"]["qihang_target"] is None


def test_a_bad_year_falls_back_to_this_year(client: Client) -> None:
    login(client, bureau=True)
    response = client.get(URL, {"year": "abc"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def read_csv(response: Any) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_downloads_have_chinese_headers_and_the_table_numbers(
    client: Client, small_year: dict[str, District]
) -> None:
    login(client, centre=True)
    districts = client.get(reverse("rollups:dashboard_csv", args=["districts"]), {"year": YEAR})
    assert districts["Content-Type"].startswith("text/csv")
    assert "attachment;" in districts["Content-Disposition"]
    rows = read_csv(districts)
    assert rows[0] == ["排名", "区县", "启航", "海聚", "合计"]
    assert rows[1:3] == [["1", "北区", "2", "1", "3"], ["2", "南区", "1", "1", "2"]]
    progress = read_csv(client.get(reverse("rollups:dashboard_csv", args=["progress"]), {"year": YEAR}))
    assert progress[0] == [
        "旬",
        "启航累计确认人数",
        "启航目标均衡进度（全年1000人）",
        "海聚累计确认人数",
        "海聚目标均衡进度（全年200人）",
    ]
    assert progress[1] == ["1月上旬", "2", "28", "0", "6"]
    money = read_csv(client.get(reverse("rollups:dashboard_csv", args=["subsidies"]), {"year": YEAR}))
    assert money[0] == ["月份", "申报金额（元）", "核定金额（元）", "发放金额（元）"]
    assert money[-1] == ["合计", "34000.00", "25000.50", "25000.50"]
    queues = read_csv(client.get(reverse("rollups:dashboard_csv", args=["queues"])))
    assert queues[0] == ["事项", "审核环节", "待办数", "最长等待（天）", "等待中位数（天）"]
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_the_query_count_does_not_grow_with_the_data(client: Client, small_year: dict[str, District]) -> None:
    login(client, centre=True)
    with CaptureQueriesContext(connection) as selector_small:
        dashboard_data(year=YEAR)
    with CaptureQueriesContext(connection) as page_small:
        assert client.get(URL, {"year": YEAR}).status_code == 200
    assert len(selector_small) == DASHBOARD_QUERIES

    # Ten times more of everything, spread over new districts, channels, statuses and days.
    for n in range(3):
        district = DistrictFactory()
        position = PositionFactory(batch__district=district, published=True, channel="special_recruitment")
        PositionFactory.create_batch(3, batch__district=district, submitted=True)
        PositionFactory(batch__district=district, aggregated=True)
        for k in range(10):
            HireFactory(
                position=position,
                district=district,
                programme="haiju" if k % 3 else "qihang",
                year=YEAR,
                confirmed=True,
                confirmed_at=at(date(YEAR, 1 + k, 1 + n * 9)),
            )
        HireFactory(position=position, district=district, audited=True, year=YEAR)
        make_claim(100 + n, status="first_passed", requested="1000.00", submitted_at=at(date(YEAR, 6, 1 + n)))
    with CaptureQueriesContext(connection) as selector_large:
        data = dashboard_data(year=YEAR)
    with CaptureQueriesContext(connection) as page_large:
        assert client.get(URL, {"year": YEAR}).status_code == 200
    assert data["totals"]["qihang"] + data["totals"]["haiju"] == 5 + 30
    assert len(selector_large) == len(selector_small) == DASHBOARD_QUERIES
    assert len(page_large) == len(page_small)


def test_table_amounts_are_written_as_everywhere_else() -> None:
    """The tables carry amounts as two-place strings (as their CSV writes them); the page shows 30,000.00."""
    from portal.templatetags.portal_money import figure

    assert figure("30000.00") == "30,000.00"
    assert figure("1234567.50") == "1,234,567.50"
    assert (figure(12), figure("3.5"), figure("—"), figure("1月上旬")) == ("12", "3.5", "—", "1月上旬")
