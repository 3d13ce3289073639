"""The org data files describe Chengdu's tiers, departments and service points completely."""

from __future__ import annotations

import pytest

from citizencloud.org import loading
from citizencloud.org.models import Department, Region, ServicePoint, Tier

pytestmark = pytest.mark.django_db

CITY_BUREAUS = (
    "人社局",
    "医保局",
    "公积金中心",
    "住建局",
    "公安局",
    "交通运输局",
    "教育局",
    "卫健委",
    "市场监管局",
    "税务局",
    "民政局",
)


def test_chengdu_has_twenty_districts_counties_and_cities_plus_two_zones() -> None:
    districts = Region.objects.filter(tier=Tier.DISTRICT)
    assert districts.filter(kind__in=["区", "县", "县级市"]).count() == 20
    assert set(districts.filter(kind="功能区").values_list("name", flat=True)) == {
        "天府新区",
        "高新区",
    }
    assert Region.objects.get(tier=Tier.CITY).name == "成都市"


def test_every_district_has_two_streets_and_two_communities() -> None:
    for district in Region.objects.filter(tier=Tier.DISTRICT):
        streets = Region.objects.filter(parent=district, tier=Tier.STREET)
        assert streets.count() >= 2, district.name
        communities = Region.objects.filter(parent__in=streets, tier=Tier.COMMUNITY)
        assert communities.count() >= 2, district.name
        assert all(r.path.startswith(district.path + "/") for r in communities)


def test_city_bureaus_and_district_counterparts_have_contact_channels() -> None:
    shorts = set(
        Department.objects.filter(region__tier=Tier.CITY).values_list("short_name", flat=True)
    )
    for bureau in CITY_BUREAUS:
        assert any(bureau in short for short in shorts), bureau
    assert Department.objects.filter(
        code="510104-hrss", name="成都市锦江区人力资源和社会保障局"
    ).exists()
    assert Department.objects.filter(region__tier=Tier.STREET).count() >= 44
    assert all(d.contacts for d in Department.objects.all())


def test_service_points_have_address_hours_coordinates_and_windows() -> None:
    hall = ServicePoint.objects.get(code="hall-city")
    assert hall.windows
    assert hall.latitude
    assert hall.address
    assert hall.opening_hours
    assert ServicePoint.objects.filter(code__startswith="hall-510").count() == 22
    assert ServicePoint.objects.filter(kind="hospital").count() >= 3
    assert ServicePoint.objects.filter(kind="community").count() >= 44


def test_loading_twice_changes_nothing() -> None:
    before = (Region.objects.count(), Department.objects.count(), ServicePoint.objects.count())
    loading.load_all()
    after = (Region.objects.count(), Department.objects.count(), ServicePoint.objects.count())
    assert before == after
