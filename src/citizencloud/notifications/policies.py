"""PURE rules of the notification centre: placeholders, the no-ads rule, preferences.

No ORM, no I/O: services call these with plain values and raise what they return.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Mapping

from citizencloud.kernel.errors import DomainError

CATEGORIES = ("service", "security", "announcement", "promotion")
CHANNELS = ("inbox", "sms", "email")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class TemplateInvalid(DomainError):
    code = "notifications.template_invalid"
    status = 422


class PromotionRefused(DomainError):
    """Promotional content outside the promotion category, or a promotion without a partner."""

    code = "notifications.promotion_refused"
    status = 422


def placeholders_in(text: str) -> set[str]:
    """The ``{name}`` placeholders of ``text``; refuses stray braces and formatting specs."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateInvalid(f"Unbalanced braces: {exc}") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not _NAME.match(name) or spec or conversion:
            raise TemplateInvalid(f"Placeholder {{{name}}} is not a plain lower-case name.")
        names.add(name)
    return names


def check_template(
    *, category: str, partner: str, statutory: bool, channels: Iterable[str],
    placeholders: Iterable[str], texts: Mapping[str, str],
) -> None:  # fmt: skip
    """Raise unless the template is well formed and obeys the no-ads rule."""
    check_promotion_rule(category=category, partner=partner, statutory=statutory)
    channels = list(channels)
    if not channels or any(channel not in CHANNELS for channel in channels):
        raise TemplateInvalid(f"Channels must be a non-empty subset of {', '.join(CHANNELS)}.")
    declared = set(placeholders)
    if bad := sorted(name for name in declared if not _NAME.match(name)):
        raise TemplateInvalid(f"Bad placeholder names: {', '.join(bad)}.")
    for field, text in texts.items():
        if not text.strip():
            raise TemplateInvalid(f"{field} is empty.")
        if undeclared := sorted(placeholders_in(text) - declared):
            raise TemplateInvalid(f"{field} uses undeclared placeholders: {', '.join(undeclared)}.")
    for language in ("zh", "en"):
        used = placeholders_in(texts.get(f"body_{language}", ""))
        used |= placeholders_in(texts.get(f"subject_{language}", ""))
        if missing := sorted(declared - used):
            raise TemplateInvalid(f"The {language} text omits placeholders: {', '.join(missing)}.")


def check_promotion_rule(*, category: str, partner: str, statutory: bool) -> None:
    """Promotional content (anything naming a commercial partner) only in ``promotion``."""
    if category not in CATEGORIES:
        raise TemplateInvalid(f"Unknown category {category!r}.")
    if category == "promotion" and not partner.strip():
        raise PromotionRefused("A promotion must name the partner who sends it.")
    if category != "promotion" and partner:
        raise PromotionRefused(
            "Promotional content from a partner cannot be sent as a "
            f"{category} notice; use a promotion template."
        )
    if category == "promotion" and statutory:
        raise PromotionRefused("A promotion is never a statutory notice.")


def render(text: str, context: Mapping[str, object]) -> str:
    """Fill ``text``'s placeholders; every one must be given."""
    if missing := sorted(placeholders_in(text) - set(context)):
        raise TemplateInvalid(f"Missing values for: {', '.join(missing)}.")
    return text.format_map({key: str(value) for key, value in context.items()})


# --- preferences -----------------------------------------------------------------------------

DEFAULTS: dict[tuple[str, str], bool] = {
    ("service", "inbox"): True,
    ("service", "sms"): True,
    ("service", "email"): False,
    ("security", "inbox"): True,
    ("security", "sms"): True,
    ("security", "email"): True,
    ("announcement", "inbox"): True,
    ("announcement", "sms"): False,
    ("announcement", "email"): False,
    ("promotion", "inbox"): False,
    ("promotion", "sms"): False,
    ("promotion", "email"): False,
}


def locked(category: str, channel: str) -> bool:
    """Preferences a person cannot switch off: security everywhere, every inbox but ads."""
    return category == "security" or (channel == "inbox" and category != "promotion")


def wanted(category: str, channel: str, *, statutory: bool, choice: bool | None) -> bool:
    """Whether a message of ``category`` goes out on ``channel`` given the person's choice."""
    if statutory or locked(category, channel):
        return True
    return DEFAULTS[(category, channel)] if choice is None else choice


def in_quiet_hours(local_time: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether ``local_time`` falls in [start, end), which may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


# Order matters: Edge and Chrome also say "Safari/", an iPhone also says "Mac OS X".
_BROWSERS = (
    ("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"), ("Chrome/", "Chrome"),
    ("MicroMessenger", "WeChat"), ("Safari/", "Safari"),
)  # fmt: skip
_SYSTEMS = (
    ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
    ("Mac OS X", "macOS"), ("Linux", "Linux"),
)  # fmt: skip


def device_label(user_agent: str) -> str:
    """A short, non-identifying name for a browser: "Chrome · Linux" (or "—")."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return " · ".join(part for part in (browser, system) if part) or "—"
