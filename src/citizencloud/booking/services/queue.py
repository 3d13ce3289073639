"""Check-in by QR and the queue at a service point: numbers come from a per-point, per-day
counter moved by conditional UPDATE; a ticket is called by a conditional UPDATE on its state."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from citizencloud.booking import errors, policies, qr
from citizencloud.booking.models import Booking, BookingState, QueueCounter, Ticket, TicketState
from citizencloud.booking.services.bookings import payload
from citizencloud.kernel import audit, clock, events
from citizencloud.org.models import ServicePoint

__all__ = ["call_next", "check_in", "finish"]


def _next_number(point: ServicePoint, day: Any) -> int:
    for _attempt in range(3):
        if QueueCounter.objects.filter(point=point, day=day).update(last=F("last") + 1) == 1:
            # The row is ours until the commit (a write lock), so this read sees our number.
            return QueueCounter.objects.get(point=point, day=day).last
        try:
            with transaction.atomic():
                QueueCounter.objects.create(point=point, day=day, last=1)
            return 1
        except IntegrityError:
            continue  # another check-in created the row first: increment it
    raise errors.refused("busy", _("The queue is busy; scan again."), 503)


def check_in(*, token: str, point: ServicePoint, request: HttpRequest | None = None) -> Ticket:
    """Check in the booking the QR ``token`` names at ``point`` and issue its queue number.
    Refuses a forged token, a used one, another point's booking, too early or too late."""
    booking_id = qr.booking_id_of(token)
    if booking_id is None:
        raise errors.refused("qr_invalid", _("This code is not a valid booking code."), 400)
    booking = (
        Booking.objects.select_related("slot", "resource__point", "citizen")
        .filter(public_id=booking_id)
        .first()
    )
    if booking is None:
        raise errors.refused("qr_invalid", _("This code is not a valid booking code."), 400)
    if booking.state == BookingState.CHECKED_IN:
        raise errors.refused("qr_used", _("This booking has already been checked in."))
    if booking.state != BookingState.BOOKED:
        raise errors.refused("not_active", _("This booking is no longer active."))
    if booking.resource.point_id != point.pk:
        raise errors.refused("wrong_point", _("This booking is for another service point."))
    now = clock.now()
    opens, closes = policies.checkin_window(
        booking.slot.starts_at,
        early_minutes=settings.BOOKING_CHECKIN_EARLY_MINUTES,
        late_minutes=settings.BOOKING_CHECKIN_LATE_MINUTES,
    )
    if now < opens:
        raise errors.refused(
            "too_early",
            _("Check-in opens at %(time)s.")
            % {"time": opens.astimezone(policies.LOCAL).strftime("%H:%M")},
        )
    if now > closes:
        raise errors.refused("too_late", _("Check-in for this booking has closed."))
    day = now.astimezone(policies.LOCAL).date()
    with transaction.atomic():
        moved = Booking.objects.filter(pk=booking.pk, state=BookingState.BOOKED).update(
            state=BookingState.CHECKED_IN, checked_in_at=now
        )
        if moved != 1:
            raise errors.refused("qr_used", _("This booking has already been checked in."))
        number = _next_number(point, day)
        ticket = Ticket.objects.create(
            booking=booking,
            point=point,
            day=day,
            number=number,
            label=f"{booking.resource.queue_prefix}{number:03d}",
            issued_at=now,
        )
    audit.record(action="booking.checked_in", actor=None, target=booking, request=request)
    events.emit("booking.checked_in", **payload(booking, ticket=ticket.label))
    return ticket


def call_next(
    *, staff: Any, point: ServicePoint, window: str, request: HttpRequest | None = None
) -> Ticket | None:
    """Call the longest-waiting ticket at the point to ``window``; None when nobody waits."""
    day = clock.now().astimezone(policies.LOCAL).date()
    for _attempt in range(5):
        ticket = (
            Ticket.objects.filter(point=point, day=day, state=TicketState.WAITING)
            .order_by("number")
            .first()
        )
        if ticket is None:
            return None
        called = Ticket.objects.filter(pk=ticket.pk, state=TicketState.WAITING).update(
            state=TicketState.CALLED, window=window[:16], called_at=clock.now()
        )
        if called == 1:  # another window may have called it a moment before: take the next
            ticket.refresh_from_db()
            booking = Booking.objects.select_related("slot", "resource__point", "citizen").get(
                pk=ticket.booking_id
            )
            audit.record(action="booking.called", actor=staff, target=booking, request=request)
            events.emit(
                "booking.called", **payload(booking, ticket=ticket.label, window=ticket.window)
            )
            return ticket
    raise errors.refused("busy", _("The queue is busy; try again."), 503)


def finish(*, staff: Any, point: ServicePoint, ticket_id: int, served: bool) -> None:
    """Close a called ticket of ``point`` as served or skipped (the person did not come)."""
    state = TicketState.DONE if served else TicketState.SKIPPED
    Ticket.objects.filter(pk=ticket_id, point=point, state=TicketState.CALLED).update(state=state)
