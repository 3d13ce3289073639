"""The personal data items a consent can name, and the OIDC scopes that release them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ITEMS: dict[str, Any] = {
    "real_name": _("Real name"),
    "id_number": _("ID number"),
    "phone": _("Mobile phone number"),
    "assurance": _("Identity assurance level"),
}

ACTIONS: dict[str, Any] = {
    "read": _("Read the data items"),
    "open_account": _("Open an account in your name"),
    "pay": _("Take payments"),
}

# OIDC scopes → the items their claims carry (``openid`` alone carries none).
SCOPE_ITEMS: dict[str, list[str]] = {
    "profile": ["real_name", "assurance"],
    "phone": ["phone"],
    "id_number": ["id_number"],
}


def label(item: str) -> str:
    return str(ITEMS.get(item, item))


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def items_for_scopes(scopes: list[str]) -> list[str]:
    return sorted({item for scope in scopes for item in SCOPE_ITEMS.get(scope, [])})


def values(user: Any, items: list[str]) -> dict[str, Any]:
    """The values of ``items`` for ``user`` (decrypted; callers record the read)."""
    every = {
        "real_name": str(user.real_name or ""),
        "id_number": str(user.id_number or ""),
        "phone": str(user.phone or ""),
        "assurance": int(user.assurance),
    }
    return {item: every[item] for item in items if item in every}
