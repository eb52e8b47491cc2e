"""The positions pages through Django's test client: forms, scoping, bulk moves, batches and the public list."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoAssertNumQueries

from portal.calendar import TenDayPeriod
from portal.models import District, User
from positions.constants import BatchStatus, PositionStatus
from positions.models import Position, PositionBatch
from tests.factories import (
    DistrictFactory,
    EmployerFactory,
    PositionBatchFactory,
    PositionFactory,
    UserFactory,
    make_uscc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> District:
    return DistrictFactory(name="铜梁区测试")


@pytest.fixture
def batch(district: District) -> PositionBatch:
    return PositionBatchFactory(district=district)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(employer_id: int | str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "employer": employer_id,
        "channel": "special_recruitment",
        "name": "前沿通信技术与政策研究工程师",
        "headcount": "4",
        "education": "master",
        "majors": "电子信息、通信工程、计算机",
        "competencies": "1.熟悉通信协议；\n2.有政策研究经验；\n3.英语良好。",
        "recruits_graduates": "1",
        "salary_text": "15-25万元/年",
    }
    data.update(overrides)
    return data


def test_clerk_creates_a_draft_and_gets_a_chinese_error_for_zero_headcount(clerk: User, district: District) -> None:
    employer = EmployerFactory(district=district)
    client = login(clerk)

    refused = client.post(reverse("positions:create"), form_data(employer.pk, headcount="0"))
    assert refused.status_code == 200
    assert "需求人数至少为1人。" in refused.content.decode()
    assert not Position.objects.exists()

    response = client.post(reverse("positions:create"), form_data(employer.pk), follow=True)
    position = Position.objects.get()
    assert position.status == PositionStatus.DRAFT
    assert position.district == district and position.headcount == 4
    assert position.competencies.count("\n") == 2
    assert position.salary_min == 150000
    assert "已保存草稿" in response.content.decode()
    assert "前沿通信技术与政策研究工程师" in response.content.decode()


def test_clerk_adds_a_new_employer_with_a_valid_credit_code(clerk: User, district: District) -> None:
    client = login(clerk)
    bad = client.post(
        reverse("positions:create"),
        form_data("", new_employer_name="重庆新设科技有限公司", new_employer_credit_code="91500000MA00000001"),
    )
    assert "统一社会信用代码" in bad.content.decode()
    assert not Position.objects.exists()

    code = make_uscc(424242)
    client.post(
        reverse("positions:create"),
        form_data("", new_employer_name="重庆新设科技有限公司", new_employer_credit_code=code),
    )
    position = Position.objects.get()
    assert position.employer.name == "重庆新设科技有限公司"
    assert position.employer.credit_code == code and position.employer.district == district


def test_copy_prefills_the_form(clerk: User, batch: PositionBatch) -> None:
    original = PositionFactory(batch=batch, name="数字孪生工程师")
    page = login(clerk).get(reverse("positions:create") + f"?copy={original.pk}")
    assert 'value="数字孪生工程师"' in page.content.decode()


def test_another_districts_clerk_cannot_see_or_edit_the_post(batch: PositionBatch) -> None:
    position = PositionFactory(batch=batch, name="铜梁专属岗位")
    stranger = login(UserFactory(clerk=True))

    assert stranger.get(reverse("positions:edit", args=[position.pk])).status_code == 404
    assert stranger.post(reverse("positions:move", args=[position.pk]), {"action": "submit"}).status_code == 404
    assert stranger.get(reverse("positions:create") + f"?copy={position.pk}").status_code == 404
    page = stranger.get(reverse("positions:district_batch"))
    assert page.status_code == 200
    assert "铜梁专属岗位" not in page.content.decode()
    position.refresh_from_db()
    assert position.status == PositionStatus.DRAFT


def test_clerk_submits_and_reviewer_approves_several_at_once(clerk: User, reviewer: User, batch: PositionBatch) -> None:
    draft = PositionFactory(batch=batch)
    login(clerk).post(reverse("positions:move", args=[draft.pk]), {"action": "submit"})
    draft.refresh_from_db()
    assert draft.status == PositionStatus.SUBMITTED

    others = [PositionFactory(batch=batch, submitted=True) for _ in range(2)]
    ids = [draft.pk, *(position.pk for position in others)]
    response = login(reviewer).post(reverse("positions:move_many"), {"action": "approve", "ids": ids}, follow=True)
    assert "已初审通过3个岗位" in response.content.decode()
    assert set(Position.objects.values_list("status", flat=True)) == {PositionStatus.APPROVED}


def test_reviewer_returns_with_a_reason_the_clerk_sees(clerk: User, reviewer: User, batch: PositionBatch) -> None:
    position = PositionFactory(batch=batch, submitted=True)
    client = login(reviewer)
    refused = client.post(
        reverse("positions:move", args=[position.pk]), {"action": "district_return", "reason": " "}, follow=True
    )
    assert "须填写原因" in refused.content.decode()
    client.post(
        reverse("positions:move", args=[position.pk]), {"action": "district_return", "reason": "请补充薪资范围"}
    )
    position.refresh_from_db()
    assert position.status == PositionStatus.RETURNED

    page = login(clerk).get(reverse("positions:district_batch"))
    assert "请补充薪资范围" in page.content.decode()
    assert login(clerk).get(reverse("positions:edit", args=[position.pk])).status_code == 200


def test_reviewer_sends_the_batch(reviewer: User, batch: PositionBatch) -> None:
    PositionFactory(batch=batch, approved=True)
    PositionFactory(batch=batch, approved=True)
    response = login(reviewer).post(reverse("positions:batch_send", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT and not batch.is_zero_report
    assert set(batch.positions.values_list("status", flat=True)) == {PositionStatus.SENT}
    assert "共2个" in response.content.decode()
    assert "已报送" in response.content.decode()


def test_reviewer_sends_a_zero_report(reviewer: User, district: District) -> None:
    client = login(reviewer)
    page = client.get(reverse("positions:district_batch")).content.decode()
    assert "将报送零报告" in page  # the confirm text says so
    batch = PositionBatch.objects.get(district=district, period=str(TenDayPeriod.current()))
    response = client.post(reverse("positions:batch_send", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT and batch.is_zero_report
    assert "零报告" in response.content.decode()


def test_a_clerk_cannot_send_and_another_reviewer_cannot_see_the_batch(clerk: User, batch: PositionBatch) -> None:
    assert login(clerk).post(reverse("positions:batch_send", args=[batch.pk])).status_code == 403
    other = login(UserFactory(district_reviewer=True))
    assert other.post(reverse("positions:batch_send", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN


def test_city_page_shows_which_districts_did_not_send(reference_data: None) -> None:
    tongliang = District.objects.get(code="500151")
    PositionFactory(batch=PositionBatchFactory(district=tongliang), sent=True)
    PositionBatch.objects.filter(district=tongliang).update(status=BatchStatus.SENT, sent_at="2026-01-01T00:00+08:00")
    yuzhong = District.objects.get(code="500103")
    PositionBatchFactory(district=yuzhong)
    PositionBatch.objects.filter(district=yuzhong).update(
        status=BatchStatus.SENT, is_zero_report=True, sent_at="2026-01-01T00:00+08:00"
    )

    page = login(UserFactory(centre=True)).get(reverse("positions:city_batches")).content.decode()
    assert District.objects.count() == 41
    assert page.count("未报送") == 39 + 1  # every silent district, plus the summary line
    assert "已报送（1个岗位）" in page
    assert "零报告" in page
    assert login(UserFactory(clerk=True)).get(reverse("positions:city_batches")).status_code == 403


def test_centre_aggregates_bureau_publishes_and_it_appears_on_the_public_list(batch: PositionBatch) -> None:
    position = PositionFactory(batch=batch, sent=True, name="工业软件架构工程师")
    centre = login(UserFactory(centre=True))
    page = centre.get(reverse("positions:city_batches")).content.decode()
    assert "工业软件架构工程师" in page and "汇总全部（1）" in page
    centre.post(reverse("positions:move_many"), {"action": "aggregate", "ids": [position.pk]})
    position.refresh_from_db()
    assert position.status == PositionStatus.AGGREGATED

    anonymous = Client()
    assert "工业软件架构工程师" not in anonymous.get(reverse("positions:public_list")).content.decode()
    assert anonymous.get(reverse("positions:public_detail", args=[position.pk])).status_code == 404

    bureau = login(UserFactory(bureau=True))
    bureau.post(reverse("positions:move", args=[position.pk]), {"action": "publish"})
    position.refresh_from_db()
    assert position.status == PositionStatus.PUBLISHED
    assert "工业软件架构工程师" in anonymous.get(reverse("positions:public_list")).content.decode()
    assert anonymous.get(reverse("positions:public_detail", args=[position.pk])).status_code == 200


def test_city_return_goes_back_to_the_district_with_the_reason(clerk: User, batch: PositionBatch) -> None:
    position = PositionFactory(batch=batch, sent=True)
    bureau = login(UserFactory(bureau=True))
    bureau.post(reverse("positions:move", args=[position.pk]), {"action": "city_return", "reason": "专业要求过宽"})
    position.refresh_from_db()
    assert position.status == PositionStatus.RETURNED
    assert "专业要求过宽" in login(clerk).get(reverse("positions:district_batch")).content.decode()


def test_bureau_reopens_a_sent_batch_only_with_a_reason(batch: PositionBatch) -> None:
    PositionBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.SENT, sent_at="2026-01-01T00:00+08:00")
    bureau = login(UserFactory(bureau=True))
    refused = bureau.post(reverse("positions:batch_reopen", args=[batch.pk]), {"reason": ""}, follow=True)
    assert "须填写原因" in refused.content.decode()
    bureau.post(reverse("positions:batch_reopen", args=[batch.pk]), {"reason": "补报遗漏岗位"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN and batch.reopened_reason == "补报遗漏岗位"
    assert login(UserFactory(centre=True)).post(reverse("positions:batch_reopen", args=[batch.pk])).status_code == 403


def test_bureau_closes_a_published_post_from_its_page(batch: PositionBatch) -> None:
    position = PositionFactory(batch=batch, published=True)
    bureau = login(UserFactory(bureau=True))
    assert "关闭（已招满）" in bureau.get(reverse("positions:public_detail", args=[position.pk])).content.decode()
    assert "关闭（已招满）" not in Client().get(reverse("positions:public_detail", args=[position.pk])).content.decode()
    bureau.post(reverse("positions:move", args=[position.pk]), {"action": "close_filled"})
    position.refresh_from_db()
    assert position.status == PositionStatus.CLOSED and position.close_reason == "filled"


def test_public_list_filters(batch: PositionBatch) -> None:
    PositionFactory(batch=batch, published=True, name="芯片设计工程师", education="doctor", salary_max=400000)
    PositionFactory(
        batch=batch, published=True, name="机械设计工程师", education="bachelor", salary_min=80000, salary_max=120000
    )
    PositionFactory(batch=batch, approved=True, name="未发布工程师")
    client = Client()
    page = client.get(reverse("positions:public_list")).content.decode()
    assert "芯片设计工程师" in page and "机械设计工程师" in page and "未发布工程师" not in page
    page = client.get(reverse("positions:public_list"), {"education": "doctor"}).content.decode()
    assert "芯片设计工程师" in page and "机械设计工程师" not in page
    page = client.get(reverse("positions:public_list"), {"min_salary": "20"}).content.decode()
    assert "芯片设计工程师" in page and "机械设计工程师" not in page
    page = client.get(reverse("positions:public_list"), {"q": "芯片"}).content.decode()
    assert "芯片设计工程师" in page and "机械设计工程师" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_public_list_query_count_does_not_grow_with_posts(
    count: int, batch: PositionBatch, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(count):
        PositionFactory(batch=batch, published=True, employer=EmployerFactory(district=batch.district))
    client = Client()
    # count, page of posts, districts for the filter: the same three whatever the number of posts.
    with django_assert_num_queries(3):
        response = client.get(reverse("positions:public_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/positions/') >= min(count, 20)


def test_each_post_enters_the_queue_of_whoever_makes_its_next_move(batch: PositionBatch) -> None:
    from portal.workspace import work_queues_for

    district = batch.district
    clerk = UserFactory(clerk=True, district=district)
    reviewer = UserFactory(district_reviewer=True, district=district)
    other_reviewer = UserFactory(district_reviewer=True)
    PositionFactory(batch=batch, submitted=True, employer=EmployerFactory(district=district))
    PositionFactory(batch=batch, status="returned", return_reason="请补充", employer=EmployerFactory(district=district))
    PositionFactory(batch=batch, sent=True, employer=EmployerFactory(district=district))

    def queue(user: User, title: str) -> int:
        return next(q.count for q in work_queues_for(user) if q.title == title)

    assert queue(reviewer, "待初审的岗位") == 1
    assert queue(other_reviewer, "待初审的岗位") == 0
    assert queue(clerk, "被退回的岗位") == 1
    assert queue(UserFactory(centre=True), "待汇总的岗位") == 1
    assert queue(UserFactory(bureau=True), "待复核发布的岗位") == 0

    client = Client()
    client.force_login(reviewer)
    assert "待初审的岗位" in client.get(reverse("portal:workspace")).content.decode()


def test_staff_search_filters_within_scope(batch: PositionBatch) -> None:
    district = batch.district
    mine = PositionFactory(batch=batch, submitted=True, education="doctor", employer=EmployerFactory(district=district))
    PositionFactory(batch=batch, education="master", employer=EmployerFactory(district=district))
    other = PositionFactory(education="doctor")
    client = Client()
    client.force_login(UserFactory(clerk=True, district=district))
    page = client.get(
        reverse("positions:manage_list"), {"education": "doctor", "period": batch.period}
    ).content.decode()
    assert mine.name in page and other.name not in page
    assert "共 <strong>1</strong> 个岗位" in page
    city = Client()
    city.force_login(UserFactory(centre=True))
    page = city.get(reverse("positions:manage_list"), {"education": "doctor", "status": "submitted"}).content.decode()
    assert mine.name in page and other.name not in page
    assert Client().get(reverse("positions:manage_list")).status_code == 302


def _row_of(page: str, marker: str) -> str:
    """The table row (``<tr>…</tr>``) of the page that holds ``marker``."""
    at = page.index(marker)
    return page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]


def test_a_district_queue_lists_its_posts_whatever_their_period_with_their_buttons(batch: PositionBatch) -> None:
    district = batch.district
    now = TenDayPeriod.current()
    clerk = UserFactory(clerk=True, district=district)
    employer = EmployerFactory(district=district)
    here = PositionFactory(
        batch=batch, employer=employer, status="returned", return_reason="请补充专业", name="本旬退回岗位"
    )
    later = PositionFactory(
        batch__district=district,
        batch__period=str(now.next()),
        employer=employer,
        status="returned",
        name="下旬退回岗位",
    )
    PositionFactory(status="returned", name="外区退回岗位")
    PositionFactory(batch=batch, employer=employer, name="本旬草稿岗位")

    page = login(clerk).get(reverse("positions:district_queue", kwargs={"status": "returned"})).content.decode()
    assert "被退回的岗位（2个）" in page
    for position in (here, later):
        row = _row_of(page, position.name)
        assert "提交初审" in row and reverse("positions:edit", args=[position.pk]) in row
    assert now.label in page and now.next().label in page
    assert "请补充专业" in page
    assert "外区退回岗位" not in page and "本旬草稿岗位" not in page
    # The clerk's batch page of the running 旬 shows its own 旬's posts, and points to the one waiting in another.
    batch_page = login(clerk).get(reverse("positions:district_batch")).content.decode()
    assert "下旬退回岗位" not in batch_page
    queue_url = reverse("positions:district_queue", kwargs={"status": "returned"})
    assert f'<a href="{queue_url}">被退回的岗位 1个</a>' in batch_page
    assert login(clerk).get(reverse("positions:district_queue", kwargs={"status": "sent"})).status_code == 404


def test_a_reviewer_opens_a_submitted_post_reads_every_field_and_approves_it(batch: PositionBatch) -> None:
    district = batch.district
    reviewer = UserFactory(district_reviewer=True, district=district)
    position = PositionFactory(
        batch=batch,
        submitted=True,
        employer=EmployerFactory(district=district, name="重庆详情测试有限公司"),
        majors="电子信息、通信工程、计算机科学与技术、软件工程、网络空间安全、人工智能及相关专业",
        competencies="1.熟悉5G通信协议；\n2.具有政策研究经验；\n3.英语读写熟练。",
        recruits_graduates=False,
        salary_text="1.5万/月",
    )
    client = login(reviewer)
    listing = client.get(reverse("positions:district_batch")).content.decode()
    url = reverse("positions:detail", args=[position.pk])
    assert url in _row_of(listing, position.name)

    page = client.get(url, {"next": reverse("positions:district_batch")}).content.decode()
    for text in (
        "重庆详情测试有限公司",
        position.name,
        "揭榜招贤",
        "2 人",
        "硕士",
        position.majors,
        "1.熟悉5G通信协议；\n2.具有政策研究经验；\n3.英语读写熟练。",
        '是否招聘应届生</dt><dd class="col-sm-9">否',
        "1.5万/月",
        district.name,
        "待初审",
    ):
        assert text in page, text
    assert "初审通过" in page and "退回修改的原因（必填）" in page

    response = client.post(
        reverse("positions:move", args=[position.pk]),
        {"action": "approve", "next": reverse("positions:district_batch")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("positions:district_batch")
    position.refresh_from_db()
    assert position.status == PositionStatus.APPROVED

    # The city reads the same page; another district's staff cannot open it.
    assert position.competencies in login(UserFactory(bureau=True)).get(url).content.decode()
    assert login(UserFactory(district_reviewer=True)).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_city_page_lists_posts_sent_in_earlier_periods(batch: PositionBatch) -> None:
    earlier = TenDayPeriod.current().previous().previous()
    sent = PositionFactory(batch__period=str(earlier), sent=True, name="上上旬报送岗位")
    centre = login(UserFactory(centre=True))
    page = centre.get(reverse("positions:city_batches")).content.decode()
    row = _row_of(page, sent.name)
    assert earlier.label in row and "汇总" in row and "退回区县" in row


@pytest.mark.parametrize(
    ("statuses", "says", "button"),
    [
        (["submitted", "submitted", "approved"], "尚有2个岗位待初审", "须先完成初审"),
        (["approved", "draft"], "另有1个岗位尚未提交初审", "岗位（1个）"),
        (["returned"], "另有1个岗位尚未提交初审", "零报告（无岗位）"),
        ([], "", "零报告（无岗位）"),
    ],
)
def test_the_send_button_says_what_the_send_will_do(
    batch: PositionBatch, statuses: list[str], says: str, button: str
) -> None:
    district = batch.district
    for status in statuses:
        PositionFactory(batch=batch, status=status, employer=EmployerFactory(district=district))
    page = login(UserFactory(district_reviewer=True, district=district)).get(reverse("positions:district_batch"))
    text = page.content.decode()
    label = TenDayPeriod.current().label
    assert says in text
    assert f"报送{label}" in text and button in text
    if "submitted" in statuses:
        assert "零报告" not in text  # never a zero report while posts wait for review
        assert 'disabled><i class="bi bi-send"' in text
    if "approved" not in statuses and "submitted" not in statuses:
        assert "将报送零报告" in text


def test_a_refused_send_says_how_many_wait(batch: PositionBatch) -> None:
    district = batch.district
    for _ in range(2):
        PositionFactory(batch=batch, submitted=True, employer=EmployerFactory(district=district))
    client = login(UserFactory(district_reviewer=True, district=district))
    response = client.post(reverse("positions:batch_send", args=[batch.pk]), follow=True)
    assert "尚有2个岗位待初审" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN


def test_after_a_send_the_reviewer_is_told_where_the_unsubmitted_posts_went(batch: PositionBatch) -> None:
    district = batch.district
    PositionFactory(batch=batch, approved=True, employer=EmployerFactory(district=district))
    draft = PositionFactory(batch=batch, employer=EmployerFactory(district=district))
    client = login(UserFactory(district_reviewer=True, district=district))
    page = client.post(reverse("positions:batch_send", args=[batch.pk]), follow=True).content.decode()
    label = TenDayPeriod.current().label
    assert f"已报送{label}的岗位，共1个。另有1个未提交初审的岗位已转入之后的旬" in page
    draft.refresh_from_db()
    assert draft.batch.period == str(TenDayPeriod.current().next())


def test_a_return_without_a_reason_keeps_the_reviewer_on_the_post(district: District, batch: PositionBatch) -> None:
    reviewer = UserFactory(district_reviewer=True, district=district)
    position = PositionFactory(batch=batch, submitted=True)
    client = login(reviewer)
    listing = reverse("positions:district_batch")
    detail = f"{reverse('positions:detail', args=[position.pk])}?next={listing}"
    page = client.get(detail).content.decode()
    form = re.search(r'<form[^>]*>(?:(?!</form>).)*name="action" value="district_return".*?</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    assert re.search(r"<textarea[^>]*name=\"reason\"[^>]*required", form.group(0))  # the browser asks first

    refused = client.post(reverse("positions:move", args=[position.pk]), {**fields, "reason": ""})

    assert refused.status_code == 302 and refused["Location"] == detail
    assert "退回修改须填写原因。" in client.get(refused["Location"]).content.decode()
    position.refresh_from_db()
    assert position.status == PositionStatus.SUBMITTED
    # A safe address only: a forged one falls back to the page named by next.
    forged = client.post(
        reverse("positions:move", args=[position.pk]),
        {"action": "district_return", "reason": "", "here": "https://evil.example/", "next": listing},
    )
    assert forged["Location"] == listing


def test_every_filter_names_its_all_option_apart_from_its_values() -> None:
    """学历要求 has a value 不限 (a post open to any education): the option meaning "no filter" must not read the same."""
    page = Client().get(reverse("positions:public_list")).content.decode()
    selects = re.findall(r'<select name="(\w+)".*?</select>', page, re.S)
    assert {"education", "recruits_graduates", "district", "channel"} <= set(selects)
    for name, body in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
        everything = [label for value, label in options if value == ""]
        assert len(everything) == 1 and everything[0].startswith("全部"), name
        assert not any("不限" in label for label in everything), name
