"""The guide's structure (validated on every edit and load) and the API's shapes."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

MaterialForm = Literal["original", "copy", "original_and_copy", "electronic"]
Channel = Literal["online", "hall", "kiosk"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Material(Strict):
    """Something the citizen brings, or that the government already holds."""

    code: str = ""  # the key in materials.yaml (application attachment slots name it)
    name: str = Field(min_length=1)
    name_en: str = ""
    form: MaterialForm
    count: int = Field(default=1, ge=1)
    required: bool = True
    condition: str = ""  # when a conditional material is needed
    note: str = ""
    held_by_government: bool = False


class Step(Strict):
    title: str = Field(min_length=1)
    detail: str = ""


class TimeLimit(Strict):
    """Working days: the legal maximum, and what the department promises (0 = on the spot)."""

    statutory_days: float = Field(gt=0)
    promised_days: float = Field(ge=0)


class Responsible(Strict):
    tier: Literal["city", "district", "street"]
    department: str = Field(min_length=1)
    role: str = ""


class Faq(Strict):
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class Guide(Strict):
    """The exact guide of one service version."""

    summary: str = ""
    eligibility: list[str] = Field(min_length=1)
    materials: list[Material] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    legal_basis: list[str] = Field(min_length=1)
    time_limit: TimeLimit
    fee: str = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    responsible: list[Responsible] = Field(min_length=1)
    faq: list[Faq] = Field(min_length=1)
    keywords: list[str] = []


# --- API ----------------------------------------------------------------------------------


class ThemeOut(Schema):
    code: str
    name: str
    name_en: str
    summary: str
    summary_en: str
    service_count: int


class DepartmentRef(Schema):
    code: str
    name: str
    name_en: str


class ServiceListItem(Schema):
    code: str
    name: str
    name_en: str
    theme: str
    tier: str
    audience: str
    verbs: list[str]
    department: DepartmentRef
    popularity: int
    url: str

    @staticmethod
    def resolve_theme(obj: Any) -> str:
        return str(obj.theme.code)

    @staticmethod
    def resolve_verbs(obj: Any) -> list[str]:
        return list(obj.verb_list())

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return f"/services/{obj.code}/"


class ServicePage(Schema):
    """Ninja's pagination shape, so every list endpoint reads alike."""

    items: list[ServiceListItem]
    count: int


class PointRef(Schema):
    code: str
    name: str
    kind: str
    region: str
    address: str
    opening_hours: str


class ServiceOut(Schema):
    code: str
    name: str
    name_en: str
    theme: str
    tier: str
    audience: str
    verbs: list[str]
    status: str
    successor: str | None
    department: DepartmentRef
    version: int
    published_at: str | None
    guide: Guide
    service_points: list[PointRef]
    url: str


class LifeEventStepOut(Schema):
    position: int
    service: str
    name: str
    name_en: str
    note: str


class LifeEventOut(Schema):
    code: str
    name: str
    name_en: str
    summary: str
    summary_en: str
    steps: list[LifeEventStepOut]


class VersionOut(Schema):
    number: int
    name: str
    change_note: str
    published_at: str | None
    editor: str
