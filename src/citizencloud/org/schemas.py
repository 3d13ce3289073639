"""API shapes of the org app."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    tier: str
    kind: str
    parent: str | None
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str
    short_name: str
    function: str
    region: str
    tier: str
    address: str
    contacts: list[dict[str, str]]

    @staticmethod
    def resolve_region(obj: Any) -> str:
        return str(obj.region.code)

    @staticmethod
    def resolve_tier(obj: Any) -> str:
        return str(obj.region.tier)


class WindowOut(Schema):
    numbers: str
    label: str
    label_en: str = ""


class ServicePointOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    region: str
    department: str | None
    address: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    phone: str
    windows: list[WindowOut]

    @staticmethod
    def resolve_region(obj: Any) -> str:
        return str(obj.region.code)

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.code if obj.department_id else None
