"""Reactions to other apps' events: one row in ``ROUTES`` per event.

Adding an event is a few lines: a template (``catalog.py`` or the admin) and a ``Route`` naming
it, who receives it (a payload key holding a user id) and which payload fields fill the
placeholders. Delivery is at least once; the message's dedupe key (event id + template +
recipient) makes a redelivered event a no-op.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from citizencloud.identity import selectors as identity
from citizencloud.kernel import events
from citizencloud.notifications import policies, services

LOCAL = ZoneInfo("Asia/Shanghai")


Enricher = Callable[[Mapping[str, Any]], dict[str, str]]


@dataclass(frozen=True)
class Route:
    template: str
    recipient_key: str = "user_id"
    fields: Mapping[str, str] = field(default_factory=dict)  # placeholder → payload key
    defaults: Mapping[str, str] = field(default_factory=dict)
    enrich: Enricher | None = None  # placeholders looked up from the payload's ids


def _device(payload: Mapping[str, Any]) -> dict[str, str]:
    """ "Chrome · Linux" for the session named in identity's event (payloads carry only ids)."""
    try:
        session_id = str(uuid.UUID(str(payload.get("session_id"))))
    except ValueError:
        return {}
    session = identity.session_by_id(session_id)
    if session is None:
        return {}
    return {"device": policies.device_label(session.user_agent)}


ROUTES: dict[str, Route] = {
    "identity.new_device_login": Route(
        "security.new_device_login",
        fields={"device": "device"},
        defaults={"device": "—"},
        enrich=_device,
    ),
    "identity.password_changed": Route("security.password_changed"),
    "identity.mfa_changed": Route("security.mfa_changed"),
    "payments.succeeded": Route(
        "service.payment_succeeded", fields={"amount": "amount", "biller": "biller"}
    ),
    "payments.failed": Route("service.payment_failed", fields={"biller": "biller"}),
    "payments.refunded": Route("service.payment_refunded", fields={"amount": "amount"}),
    "applications.submitted": Route(
        "service.application_submitted", fields={"case_number": "case_number"}
    ),
    "applications.accepted": Route(
        "service.application_accepted", fields={"case_number": "case_number"}
    ),
    "applications.not_accepted": Route(
        "service.application_not_accepted", fields={"case_number": "case_number"}
    ),
    "applications.supplement_requested": Route(
        "service.application_supplement_requested", fields={"case_number": "case_number"}
    ),
    "applications.decided": Route(
        "service.application_decided", fields={"case_number": "case_number"}
    ),
    "applications.completed": Route(
        "service.application_completed", fields={"case_number": "case_number"}
    ),
    "applications.withdrawn": Route(
        "service.application_withdrawn", fields={"case_number": "case_number"}
    ),
    "applications.message": Route(
        "service.application_message", fields={"case_number": "case_number"}
    ),
    "booking.booked": Route("service.booking_booked", fields={"place": "place", "when": "when"}),
    "booking.cancelled": Route(
        "service.booking_cancelled", fields={"place": "place", "when": "when"}
    ),
    "booking.rescheduled": Route(
        "service.booking_rescheduled", fields={"place": "place", "when": "when"}
    ),
    "booking.reminder_day": Route(
        "service.booking_reminder_day", fields={"place": "place", "when": "when"}
    ),
    "booking.reminder_hour": Route(
        "service.booking_reminder_hour", fields={"place": "place", "when": "when"}
    ),
    "booking.called": Route(
        "service.booking_called",
        fields={"place": "place", "ticket": "ticket", "window": "window"},
    ),
    "campaigns.won": Route(
        "service.campaign_won",
        fields={"campaign": "campaign", "amount": "amount", "entry_id": "entry_id"},
    ),
    "campaigns.not_won": Route(
        "service.campaign_not_won", fields={"campaign": "campaign", "entry_id": "entry_id"}
    ),
    # The supervisor who receives an overdue case (the SLA sweep assigns it to them).
    "applications.escalated": Route(
        "service.application_escalated",
        recipient_key="supervisor_id",
        fields={"case_number": "case_number"},
    ),
}


def _context(route: Route, event: events.Event) -> dict[str, Any]:
    occurred = dt.datetime.fromisoformat(event.occurred_at).astimezone(LOCAL)
    context: dict[str, Any] = {"time": occurred.strftime("%Y-%m-%d %H:%M")}
    if route.enrich is not None:
        context.update(route.enrich(event.payload))
    for placeholder, key in route.fields.items():
        if event.payload.get(key):
            context[placeholder] = event.payload[key]
    for placeholder, default in route.defaults.items():
        context[placeholder] = context.get(placeholder) or default
    return context


def _user(reference: Any) -> Any:
    """Identity refers to people by ``public_id`` in events; plain ids are accepted too."""
    users = get_user_model().objects
    try:
        return users.filter(public_id=uuid.UUID(str(reference))).first()
    except ValueError:
        return users.filter(pk=int(reference)).first() if str(reference).isdigit() else None


@events.subscribe(*ROUTES)
def handle(event: events.Event) -> None:
    """Turn one event into one message (idempotent)."""
    route = ROUTES[event.name]
    recipient = _user(event.payload.get(route.recipient_key))
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
