"""Reactions to other apps' events: one row in ``ROUTES`` per event.

Adding an event is a few lines: a template (``catalog.py`` or the admin) and a ``Route`` naming
it, who receives it (a payload key holding a user id) and which payload fields fill the
placeholders. Delivery is at least once; the message's dedupe key (event id + template +
recipient) makes a redelivered event a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from citizencloud.kernel import events
from citizencloud.notifications import services

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Route:
    template: str
    recipient_key: str = "user_id"
    fields: Mapping[str, str] = field(default_factory=dict)  # placeholder → payload key
    defaults: Mapping[str, str] = field(default_factory=dict)


ROUTES: dict[str, Route] = {
    "identity.new_device_login": Route(
        "security.new_device_login", fields={"device": "device"}, defaults={"device": "—"}
    ),
    "identity.password_changed": Route("security.password_changed"),
    "identity.mfa_changed": Route("security.mfa_changed"),
}


def _context(route: Route, event: events.Event) -> dict[str, Any]:
    occurred = dt.datetime.fromisoformat(event.occurred_at).astimezone(LOCAL)
    context: dict[str, Any] = {"time": occurred.strftime("%Y-%m-%d %H:%M")}
    for placeholder, key in route.fields.items():
        context[placeholder] = event.payload.get(key) or route.defaults.get(placeholder, "")
    return context


@events.subscribe(*ROUTES)
def handle(event: events.Event) -> None:
    """Turn one event into one message (idempotent)."""
    route = ROUTES[event.name]
    recipient = (
        get_user_model().objects.filter(pk=event.payload.get(route.recipient_key) or 0).first()
    )
    if recipient is None:
        return
    with transaction.atomic():
        services.ensure_system_template(route.template)
        services.notify(
            recipient=recipient,
            template_code=route.template,
            context=_context(route, event),
            dedupe_key=f"{event.event_id}:{route.template}:{recipient.pk}",
            sender=event.name.partition(".")[0],
        )
