"""Load the readable org data files (``org/data/*.yaml``) into the database, idempotently.

Rows are matched by code and updated in place, so loading twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from citizencloud.org.models import Department, Region, ServicePoint, Tier

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str, data_dir: Path = DATA_DIR) -> Any:
    """Parse one data file."""
    with (data_dir / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def street_code(district_code: str, index: int) -> str:
    return f"{district_code}{index:03d}"


def load_all(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load regions, departments and service points; return how many rows of each exist."""
    load_regions(read("regions.yaml", data_dir))
    load_departments(read("departments.yaml", data_dir))
    load_service_points(read("service_points.yaml", data_dir))
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "service_points": ServicePoint.objects.count(),
    }


def _region(
    *, code: str, name: str, name_en: str, tier: str, kind: str, parent: Region | None, **extra: Any
) -> Region:
    path = f"{parent.path}/{code}" if parent else code
    region, _ = Region.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": name_en,
            "tier": tier,
            "kind": kind,
            "parent": parent,
            "path": path,
            **extra,
        },
    )
    return region


def load_regions(data: dict[str, Any]) -> None:
    city_data = data["city"]
    city = _region(
        code=city_data["code"],
        name=city_data["name"],
        name_en=city_data["name_en"],
        tier=Tier.CITY,
        kind=city_data["kind"],
        parent=None,
        latitude=city_data["lat"],
        longitude=city_data["lng"],
    )
    for position, item in enumerate(data["districts"]):
        district = _region(
            code=item["code"],
            name=item["name"],
            name_en=item["name_en"],
            tier=Tier.DISTRICT,
            kind=item["kind"],
            parent=city,
            latitude=item["lat"],
            longitude=item["lng"],
            position=position,
        )
        for index, street_item in enumerate(item["streets"], start=1):
            street = _region(
                code=street_code(district.code, index),
                name=street_item["name"],
                name_en=street_item["name_en"],
                tier=Tier.STREET,
                kind="镇" if street_item["name"].endswith("镇") else "街道",
                parent=district,
                position=index,
            )
            for number, community in enumerate(street_item["communities"], start=1):
                _region(
                    code=street_code(street.code, number),
                    name=community,
                    name_en="",
                    tier=Tier.COMMUNITY,
                    kind="社区",
                    parent=street,
                    position=number,
                )


def _contacts(item: dict[str, Any]) -> list[dict[str, str]]:
    contacts = [{"kind": "hotline", "value": item["hotline"], "label": "服务热线"}]
    if item["hotline"] != "12345":
        contacts.append({"kind": "hotline", "value": "12345", "label": "12345市民服务热线"})
    return contacts


def _department(code: str, region: Region, item: dict[str, Any], name: str, address: str) -> None:
    Department.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": item["name_en"],
            "short_name": item["short"],
            "function": item["function"],
            "region": region,
            "address": address,
            "contacts": _contacts(item),
        },
    )


def load_departments(data: dict[str, Any]) -> None:
    city = Region.objects.get(tier=Tier.CITY)
    for item in data["city"]:
        _department(f"cd-{item['function']}", city, item, item["name"], item["address"])
    for district in Region.objects.filter(tier=Tier.DISTRICT):
        hall = f"成都市{district.name}政务服务中心"
        for item in data["district"]:
            name = f"{item.get('prefix', '成都市')}{district.name}{item['name']}"
            en = {**item, "name_en": f"{district.name_en} {item['name_en']}"}
            _department(f"{district.code}-{item['function']}", district, en, name, hall)
    for street in Region.objects.filter(tier=Tier.STREET).select_related("parent"):
        for item in data["street"]:
            en = {**item, "name_en": f"{street.name_en} {item['name_en']}"}
            address = f"成都市{street.parent.name if street.parent else ''}{street.name}"
            _department(f"{street.code}-centre", street, en, street.name + item["name"], address)


def load_service_points(data: dict[str, Any]) -> None:
    for item in data["listed"]:
        region = Region.objects.get(code=item["region"])
        department = Department.objects.get(code=f"cd-{item['department']}")
        _point(item["code"], item, region=region, department=department, name=item["name"])
    hall = data["district_hall"]
    for district in Region.objects.filter(tier=Tier.DISTRICT):
        department = Department.objects.get(code=f"{district.code}-office")
        _point(
            f"hall-{district.code}",
            {
                **hall,
                "name_en": f"{district.name_en} {hall['name_en']}",
                "address": f"成都市{district.name}政务服务中心",
                "lat": district.latitude,
                "lng": district.longitude,
            },
            region=district,
            department=department,
            name=district.name + hall["name"],
        )
    centre = data["community_centre"]
    for community in Region.objects.filter(tier=Tier.COMMUNITY).select_related("parent__parent"):
        street = community.parent
        if street is None or street.parent is None:
            raise ValueError(f"community {community.code} is not under a street of a district")
        department = Department.objects.get(code=f"{street.code}-centre")
        _point(
            f"cc-{community.code}",
            {
                **centre,
                "name_en": centre["name_en"],
                "address": f"成都市{street.parent.name}{street.name}{community.name}",
            },
            region=community,
            department=department,
            name=community.name + centre["name"],
        )


def _point(
    code: str, item: dict[str, Any], *, region: Region, department: Department, name: str
) -> None:
    ServicePoint.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": item.get("name_en", ""),
            "kind": item.get("kind", "community" if code.startswith("cc-") else "hall"),
            "region": region,
            "department": department,
            "address": item["address"],
            "latitude": item.get("lat"),
            "longitude": item.get("lng"),
            "opening_hours": item["hours"],
            "phone": item.get("phone", ""),
            "windows": item.get("windows", []),
        },
    )
