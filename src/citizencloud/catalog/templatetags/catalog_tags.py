"""Template helpers: pick the Chinese or English field for the active language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import translation

register = template.Library()

CHANNELS = {
    "online": ("网上办理", "Online"),
    "hall": ("窗口办理", "At a service hall"),
    "kiosk": ("自助终端", "Self-service kiosk"),
}
FORMS = {
    "original": ("原件", "original"),
    "copy": ("复印件", "copy"),
    "original_and_copy": ("原件和复印件", "original and copy"),
    "electronic": ("电子材料", "electronic"),
}
TIERS = {
    "city": ("市级", "City"),
    "district": ("区（市）县级", "District or county"),
    "street": ("街道（乡镇）级", "Street or town"),
    "community": ("社区", "Community"),
}
VERBS = {
    "query": ("查", "查询", "Query"),
    "book": ("约", "预约", "Book"),
    "apply": ("办", "办理", "Apply"),
    "pay": ("缴", "缴费", "Pay"),
}


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@register.filter
def local(obj: Any, field: str) -> str:
    """``obj.field`` in Chinese, or ``obj.field_en`` in English when there is one."""

    def get(name: str) -> Any:
        return obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")

    if _english():
        english = get(f"{field}_en")
        if english:
            return str(english)
    return str(get(field))


def _pick(table: Mapping[str, tuple[str, ...]], key: str) -> str:
    entry = table.get(key)
    if entry is None:
        return key
    return entry[-1] if _english() else entry[-2]


@register.filter
def channel_label(key: str) -> str:
    return _pick(CHANNELS, key)


@register.filter
def form_label(key: str) -> str:
    return _pick(FORMS, key)


@register.filter
def tier_label(key: str) -> str:
    return _pick(TIERS, key)


@register.filter
def verb_label(key: str) -> str:
    return _pick(VERBS, key)


@register.filter
def verb_glyph(key: str) -> str:
    return VERBS.get(key, ("?",))[0]


@register.filter
def days(value: float) -> str:
    """Working days, with 0 meaning on the spot."""
    if not value:
        return "即办" if not _english() else "on the spot"
    number = int(value) if float(value).is_integer() else value
    return f"{number} 个工作日" if not _english() else f"{number} working days"
