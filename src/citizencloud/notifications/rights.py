"""Notifications' part in the privacy centre's export and erasure (registered from ``ready()``):
the inbox, preferences, promotion opt-ins and contact addresses; erasure deletes them all (a
message body may name the person, so none is kept)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from citizencloud.notifications.models import ContactAddress, Message, PartnerOptIn, Preference
from citizencloud.privacy import rights


def export(user: Any) -> dict[str, Any]:
    return {
        "messages": [
            {
                "at": m.created_at.isoformat(),
                "category": m.category,
                "subject": m.subject_zh,
                "body": m.body_zh,
                "read": m.read_at is not None,
            }
            for m in Message.objects.filter(recipient=user).order_by("-created_at")
        ],
        "preferences": [
            {"category": p.category, "channel": p.channel, "enabled": p.enabled}
            for p in Preference.objects.filter(user=user)
        ],
        "promotion_opt_ins": [
            {"partner": o.partner, "max_per_week": o.max_per_week}
            for o in PartnerOptIn.objects.filter(user=user)
        ],
        "contact_addresses": [
            {"channel": c.channel, "value": str(c.value)}
            for c in ContactAddress.objects.filter(user=user)
        ],
    }


def erase(user: Any) -> None:
    """Delete the inbox (with its deliveries), preferences, opt-ins and addresses."""
    Message.objects.filter(recipient=user).delete()
    for model in (Preference, PartnerOptIn, ContactAddress):
        model.objects.filter(user=user).delete()


rights.register("notifications", label=gettext_lazy("Notifications"), export=export, erase=erase)
