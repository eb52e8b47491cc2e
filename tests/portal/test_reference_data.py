"""Reference fixtures: districts, the policy guide, caps and targets, bases (docs/forms.md, docs/subsidies.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from bases.models import BaseBatch, TalentBase
from portal.constants import Channel, DistrictKind, FigureSource, Programme
from portal.models.money import AnnualTarget, SubsidyCap
from portal.models.places import District, Employer
from portal.models.policies import Policy, PolicyCategory

FIXTURES = tuple(
    str(settings.BASE_DIR / "fixtures" / name)
    for name in ("districts.json", "policies.json", "bases.json", "caps_targets.json")
)

DOCUMENTED_DISTRICTS = [
    *("万州区", "涪陵区", "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区"),
    *("綦江区", "大足区", "渝北区", "巴南区", "黔江区", "长寿区", "江津区", "合川区", "永川区"),
    *("南川区", "璧山区", "铜梁区", "潼南区", "荣昌区", "开州区", "梁平区", "武隆区"),
    *("城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县", "巫溪县"),
    *("石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县", "彭水苗族土家族自治县"),
    *("两江新区", "西部科学城重庆高新区", "万盛经开区"),
]

SEED_CATEGORIES = [
    "加强工程师引进",
    "加快工程师培养",
    "加大卓越工程师资助",
    "激励卓越工程师创新创业",
    "促进卓越工程师交流",
    "强化卓越工程师服务",
]

MODELS = (District, PolicyCategory, Policy, Employer, BaseBatch, TalentBase, SubsidyCap, AnnualTarget)


def load() -> None:
    call_command("loaddata", *FIXTURES, verbosity=0)


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in MODELS}


@pytest.fixture
def reference_data() -> None:
    load()


@pytest.mark.django_db
def test_districts(reference_data: None) -> None:
    districts = list(District.objects.all())
    assert len(districts) == 41
    codes = [d.code for d in districts]
    assert len(set(codes)) == 41
    real = [d for d in districts if d.kind != DistrictKind.MANAGEMENT_ZONE]
    zones = [d for d in districts if d.kind == DistrictKind.MANAGEMENT_ZONE]
    assert len(real) == 38 and len(zones) == 3
    assert all(d.code.startswith("500") and d.code.isdigit() and len(d.code) == 6 for d in real)
    assert not any(d.code.startswith("500") for d in zones)
    # Fixture order follows docs/forms.md, "Districts": 26 districts, 8 counties, 4 autonomous counties, 3 zones.
    assert [d.name for d in districts] == DOCUMENTED_DISTRICTS
    assert [d.order for d in districts] == list(range(1, 42))
    by_kind = {kind: sum(d.kind == kind for d in districts) for kind in DistrictKind.values}
    assert by_kind == {"district": 26, "county": 8, "autonomous_county": 4, "zone": 3}
    assert District.objects.get(name="万州区").code == "500101"
    assert District.objects.get(name="武隆区").code == "500156"
    assert District.objects.get(name="彭水苗族土家族自治县").code == "500243"


@pytest.mark.django_db
def test_policies(reference_data: None) -> None:
    assert list(PolicyCategory.objects.values_list("name", flat=True)) == SEED_CATEGORIES
    policies = list(Policy.objects.select_related("category"))
    assert len(policies) == 23
    assert [p.number for p in policies] == list(range(1, 24))
    # Categories are written only on a group's first row; every policy belongs to one, in seed order.
    assert [p.category.name for p in policies] == (
        [SEED_CATEGORIES[0]] * 4
        + [SEED_CATEGORIES[1]] * 5
        + [SEED_CATEGORIES[2]] * 3
        + [SEED_CATEGORIES[3]] * 5
        + [SEED_CATEGORIES[4]] * 3
        + [SEED_CATEGORIES[5]] * 3
    )
    fourth = Policy.objects.get(number=4)
    assert "3万元" in fourth.content and "4000元" in fourth.content
    assert fourth.agency == "市人才中心"
    assert all(p.content and p.agency and p.phone for p in policies)
    assert Policy.objects.get(number=7).phone == "023-88152120\n023-88958260"


@pytest.mark.django_db
def test_caps_and_targets(reference_data: None) -> None:
    bounty = SubsidyCap.objects.get(channel=Channel.BOUNTY_LIST)
    special = SubsidyCap.objects.get(channel=Channel.SPECIAL_RECRUITMENT)
    assert bounty.amount == Decimal("30000.00") and isinstance(bounty.amount, Decimal)
    assert special.amount == Decimal("4000.00") and isinstance(special.amount, Decimal)
    assert bounty.effective_to is None and special.effective_to is None
    for year in range(2023, 2028):
        assert AnnualTarget.objects.get(programme=Programme.QIHANG, year=year).target == 1000
        assert AnnualTarget.objects.get(programme=Programme.HAIJU, year=year).target == 200


@pytest.mark.django_db
def test_the_caps_and_targets_say_where_they_come_from(reference_data: None) -> None:
    bounty = SubsidyCap.objects.get(channel=Channel.BOUNTY_LIST)
    special = SubsidyCap.objects.get(channel=Channel.SPECIAL_RECRUITMENT)
    for cap in (bounty, special):
        assert (cap.source, cap.policy_reference) == (FigureSource.DOCUMENT, "渝人社发〔2022〕50号")
        assert cap.dates_source == FigureSource.ADMIN and cap.dates_reference == ""
        assert cap.entered_by is None and cap.entered_by_label == "平台初始数据"
    assert bounty.label == "上限30,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）"
    assert special.label == "上限4,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）"
    qihang = AnnualTarget.objects.get(programme=Programme.QIHANG, year=2023)
    haiju = AnnualTarget.objects.get(programme=Programme.HAIJU, year=2023)
    assert qihang.label == "目标1,000人左右（依据渝人社人才〔2023〕18号）"
    assert haiju.label == "目标200人（依据渝人社人才〔2023〕18号）"
    for later in AnnualTarget.objects.exclude(year=2023):
        assert later.source == FigureSource.ADMIN and later.policy_reference == ""
        assert later.source_note == "系统管理员录入，无文件依据"


@pytest.mark.django_db
def test_loading_twice_changes_nothing(reference_data: None) -> None:
    before = counts()
    assert before == {
        "portal.District": 41,
        "portal.PolicyCategory": 6,
        "portal.Policy": 23,
        "portal.Employer": 40,
        "bases.BaseBatch": 1,
        "bases.TalentBase": 40,
        "portal.SubsidyCap": 2,
        "portal.AnnualTarget": 10,
    }
    load()
    assert counts() == before


@pytest.mark.django_db
def test_reloading_the_reference_data_keeps_the_contacts_an_admin_entered(reference_data: None) -> None:
    district = District.objects.get(name="铜梁区")
    district.objection_phone = "023-45678901"
    district.objection_address = "重庆市铜梁区巴川街道龙城大道1号"
    district.office_name = "铜梁区人力资源和社会保障局人才科"
    district.save()
    call_command("load_reference_data", verbosity=0)
    district.refresh_from_db()
    assert district.objection_phone == "023-45678901"
    assert district.objection_address == "重庆市铜梁区巴川街道龙城大道1号"
    assert district.office_name == "铜梁区人力资源和社会保障局人才科"
    assert District.objects.count() == 41
