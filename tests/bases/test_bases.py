"""The talent bases (卓越工程师人才基地, Annex 4): batches of employers, the public list, the admin, the reference data."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bases.models import BaseBatch, TalentBase
from bases.selectors import batches_with_bases
from portal.models import User
from tests.factories import DistrictFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _batch(year: int = 2023, number: int = 1, **fields: object) -> BaseBatch:
    defaults: dict[str, object] = {"title": f"{year}年第{number}批卓越工程师人才基地"}
    return BaseBatch.objects.create(year=year, number=number, **(defaults | fields))


def _bases(batch: BaseBatch, *names: str, district: object = None) -> list[TalentBase]:
    return [
        TalentBase.objects.create(batch=batch, employer=EmployerFactory(name=name, district=district), number=n)
        for n, name in enumerate(names, start=1)
    ]


# --- the models ---------------------------------------------------------------------------------------------------


def test_a_batch_is_named_by_its_title_and_found_by_year_and_number() -> None:
    batch = _batch(2024, 2, notice_reference="渝人社人才〔2024〕9号")
    assert str(batch) == "2024年第2批卓越工程师人才基地"
    assert batch.natural_key() == (2024, 2)
    assert BaseBatch.objects.get_by_natural_key(2024, 2) == batch


def test_batches_are_listed_newest_first() -> None:
    old, newer, newest = _batch(2023, 1), _batch(2023, 2), _batch(2024, 1)
    assert list(BaseBatch.objects.all()) == [newest, newer, old]


def test_a_base_names_its_batch_and_employer() -> None:
    (base,) = _bases(_batch(), "重庆长安汽车股份有限公司")
    assert str(base) == "2023年第1批卓越工程师人才基地：重庆长安汽车股份有限公司"


def test_a_year_and_number_name_one_batch() -> None:
    _batch(2023, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _batch(2023, 1, title="重复的批次")


def test_an_employer_is_a_base_once_per_batch_and_a_number_is_used_once() -> None:
    batch = _batch()
    (base,) = _bases(batch, "重庆长安汽车股份有限公司")
    with pytest.raises(IntegrityError), transaction.atomic():
        TalentBase.objects.create(batch=batch, employer=base.employer, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        TalentBase.objects.create(batch=batch, employer=EmployerFactory(), number=1)
    # In another batch the same employer is a base again.
    TalentBase.objects.create(batch=_batch(2024, 1), employer=base.employer, number=1)


def test_a_batch_and_an_employer_with_bases_cannot_be_deleted() -> None:
    batch = _batch()
    (base,) = _bases(batch, "重庆长安汽车股份有限公司")
    with pytest.raises(ProtectedError):
        batch.delete()
    with pytest.raises(ProtectedError):
        base.employer.delete()


# --- the public list ----------------------------------------------------------------------------------------------


def test_the_public_list_shows_each_batch_with_its_bases_in_order() -> None:
    district = DistrictFactory(name="铜梁区")
    first = _batch(2023, 1, notice_reference="渝人社人才〔2023〕18号")
    _bases(first, "国网重庆市电力公司", "重庆长安汽车股份有限公司", district=district)
    later = _batch(2024, 1)
    _bases(later, "象帝先计算技术（重庆）有限公司")
    page = Client().get(reverse("bases:list")).content.decode()
    assert "卓越工程师人才基地" in page
    assert page.index(later.title) < page.index(first.title)
    assert "发布文件：渝人社人才〔2023〕18号" in page and "共 <strong>2</strong> 家单位" in page
    assert page.index("国网重庆市电力公司") < page.index("重庆长安汽车股份有限公司")
    assert "铜梁区" in page
    # A base whose employer has no district on record shows a dash.
    row = page[page.index("象帝先计算技术（重庆）有限公司") :]
    assert row[: row.index("</tr>")].count("—") == 1


def test_the_public_list_says_when_nothing_is_published() -> None:
    assert "人才基地名单尚未发布。" in Client().get(reverse("bases:list")).content.decode()
    _batch()
    assert "本批次暂无基地单位。" in Client().get(reverse("bases:list")).content.decode()


def test_the_public_list_is_read_only() -> None:
    assert Client().post(reverse("bases:list")).status_code == 405


def test_the_list_costs_the_same_queries_however_many_bases() -> None:
    _bases(_batch(2023, 1), "单位甲")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            for batch in batches_with_bases():
                for base in batch.bases.all():
                    str(base.employer.district)
        return len(captured)

    few = count()
    _bases(_batch(2024, 1), *(f"单位{n}" for n in range(10)), district=DistrictFactory())
    assert count() == few == 2


# --- the admin ----------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    admin: User = UserFactory(admin=True)
    client.force_login(admin)
    return client


def test_the_admin_lists_batches_and_edits_a_batchs_bases_inline(admin_client: Client) -> None:
    batch = _batch(notice_reference="渝人社人才〔2023〕18号")
    _bases(batch, "国网重庆市电力公司")
    listing = admin_client.get(reverse("admin:bases_basebatch_changelist")).content.decode()
    assert batch.title in listing and "渝人社人才〔2023〕18号" in listing
    change = admin_client.get(reverse("admin:bases_basebatch_change", args=[batch.pk]))
    assert change.status_code == 200 and "国网重庆市电力公司" in change.content.decode()


def test_the_admin_finds_a_base_by_its_employers_name(admin_client: Client) -> None:
    _bases(_batch(), "国网重庆市电力公司", "重庆长安汽车股份有限公司")
    found = admin_client.get(reverse("admin:bases_talentbase_changelist"), {"q": "长安"}).content.decode()
    assert "重庆长安汽车股份有限公司" in found and "国网重庆市电力公司" not in found


# --- the reference data -------------------------------------------------------------------------------------------


def test_the_first_batch_of_2023_is_loaded_with_its_forty_bases(reference_data: None) -> None:
    batch = BaseBatch.objects.get(year=2023, number=1)
    bases = list(TalentBase.objects.filter(batch=batch).select_related("employer").order_by("number"))
    assert len(bases) == 40
    assert [b.number for b in bases] == list(range(1, 41))
    assert len({b.employer_id for b in bases}) == 40
    assert bases[0].employer.name == "国网重庆市电力公司"
    assert bases[-1].employer.name == "象帝先计算技术（重庆）有限公司"
    assert all(b.employer.credit_code is None and b.employer.district is None for b in bases)
