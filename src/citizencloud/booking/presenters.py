"""Shape bookings and slots for the API and the pages (no rules here)."""

from __future__ import annotations

from typing import Any

from citizencloud.booking import qr, selectors
from citizencloud.booking.models import Booking, BookingState, Slot
from citizencloud.kernel import clock


def slot(item: Slot) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": item.pk,
        "resource": item.resource.code,
        "resource_name": item.resource.name,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "capacity": item.capacity,
        "free": item.free,
        "released_at": item.released_at,
        "bookable": item.free > 0 and item.released_at <= now < item.starts_at,
    }


def booking(item: Booking) -> dict[str, Any]:
    ticket = selectors.ticket_of(item)
    return {
        "id": str(item.public_id),
        "state": item.state,
        "resource": item.resource.code,
        "resource_name": item.resource.name,
        "service_point": item.resource.point.code,
        "service_point_name": item.resource.point.name,
        "starts_at": item.slot.starts_at,
        "ends_at": item.slot.ends_at,
        "qr_code": qr.token_for(item.public_id) if item.state == BookingState.BOOKED else None,
        "ticket": ticket.label if ticket else None,
        "ticket_state": ticket.state if ticket else None,
        "window": (ticket.window or None) if ticket else None,
        "waiting_before": selectors.position(ticket) if ticket else None,
    }
