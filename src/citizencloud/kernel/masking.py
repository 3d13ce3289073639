"""Masks for showing personal data on screens: enough to recognise, not enough to misuse.

Every helper accepts ``None``/empty (→ ``""``) and never raises on odd input; it masks more, not
less, when the value does not look as expected.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["mask_address", "mask_bank_card", "mask_id_number", "mask_name", "mask_phone"]

STAR = "*"
_SPACES = re.compile(r"[\s\-\u00a0\u3000]+")


def _compact(value: str | None) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or ""))


def _keep(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        # Too short to show both ends: show at most the last character.
        return STAR * (len(text) - 1) + text[-1:] if len(text) > 1 else STAR * len(text)
    return text[:head] + STAR * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(value: str | None) -> str:
    """``51010519900101123X`` → ``5101**********123X`` (first 4 and last 4 kept)."""
    return _keep(_compact(value).upper(), 4, 4)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; a ``+86`` prefix is kept as written."""
    text = _compact(value)
    match = re.fullmatch(r"(\+?86|0086)?(\d{11})", text)
    if match:
        prefix, number = match.group(1) or "", match.group(2)
        return f"{prefix}{number[:3]}****{number[-4:]}"
    return _keep(text, 3, 4)


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张*丰``; ``张三`` → ``张*``; ``John Smith`` → ``J*** S****``."""
    text = (value or "").strip()
    if not text:
        return ""
    if text.isascii() and " " in text:
        return " ".join(part[:1] + STAR * (len(part) - 1) for part in text.split())
    if len(text) <= 2:
        return text[:1] + STAR * (len(text) - 1)
    return text[:1] + STAR * (len(text) - 2) + text[-1]


def mask_bank_card(value: str | None) -> str:
    """``6222021234567890123`` → ``6222 **** **** 0123``: first 4 and last 4 digits only."""
    digits = _compact(value)
    if len(digits) < 12:
        return _keep(digits, 0, 4)
    return f"{digits[:4]} **** **** {digits[-4:]}"


_ADDRESS_LEVEL = re.compile(
    r"^(.{2,}?(?:省|自治区|市|特别行政区))?(.{1,}?(?:市|州|盟|地区))?(.{1,}?(?:区|县|旗))?"
)


def mask_address(value: str | None) -> str:
    """Keep the province/city/district and hide the street and number: ``成都市武侯区****``."""
    text = (value or "").strip()
    if not text:
        return ""
    match = _ADDRESS_LEVEL.match(text)
    kept = match.group(0) if match else ""
    if not kept or len(kept) >= len(text):
        kept = text[: min(6, max(1, len(text) // 3))]
    return kept + STAR * 4
