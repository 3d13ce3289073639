"""Book, cancel and reschedule. Capacity moves only by conditional UPDATE checked by rowcount;
each write runs in its own savepoint, so a refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from citizencloud.booking import errors, policies
from citizencloud.booking.models import Booking, BookingState, Resource, Slot
from citizencloud.kernel import audit, clock, events

__all__ = ["book", "cancel", "payload", "refuse_early", "reschedule"]


def payload(booking: Booking, **extra: Any) -> dict[str, Any]:
    """The event payload: ids and the place and time, never personal data."""
    slot, resource = booking.slot, booking.resource
    return {
        "booking_id": str(booking.public_id),
        "user_id": str(booking.citizen.public_id),
        "resource": resource.code,
        "service_point": resource.point.code,
        "place": f"{resource.point.name} · {resource.name}",
        "when": slot.starts_at.astimezone(policies.LOCAL).strftime("%Y-%m-%d %H:%M"),
        **extra,
    }


def _check_citizen(citizen: Any, resource: Resource, now: dt.datetime) -> None:
    if getattr(citizen, "kind", "") != "citizen":
        raise errors.citizens_only()
    missed = Booking.objects.filter(
        citizen=citizen,
        state=BookingState.NO_SHOW,
        slot__starts_at__gt=now - dt.timedelta(days=resource.no_show_window_days),
    ).values_list("slot__starts_at", flat=True)
    until = policies.banned_until(
        list(missed),
        now=now,
        limit=resource.no_show_limit,
        window_days=resource.no_show_window_days,
        ban_days=resource.no_show_ban_days,
    )
    if until is not None:
        raise errors.banned(until)


def _explain_refusal(slot_id: int, now: dt.datetime) -> Exception:
    return _explain(Slot.objects.select_related("resource").filter(pk=slot_id).first(), now)


def _explain(slot: Slot | None, now: dt.datetime) -> Exception:
    """Why a booking of ``slot`` (read with its resource) is refused."""
    if slot is None or not slot.resource.active:
        return errors.slot_not_found()
    if slot.starts_at <= now:
        return errors.slot_past()
    if slot.released_at > now:
        return errors.not_released(slot.released_at)
    return errors.slot_full()


def _take_seat(slot_id: int, now: dt.datetime) -> None:
    # One table, no join: PostgreSQL then re-checks ``booked < capacity`` on the row version it
    # waited for (a join would turn this into ``id IN (subquery)`` judged on a stale snapshot).
    taken = Slot.objects.filter(
        pk=slot_id, booked__lt=F("capacity"), released_at__lte=now, starts_at__gt=now
    ).update(booked=F("booked") + 1)
    if taken != 1:
        raise _explain_refusal(slot_id, now)


def _free_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def refuse_early(*, citizen: Any, slot_id: int, request_key: str) -> None:
    """Read-only: raise the refusal for a full, past or unreleased slot without writing anything
    (most answers in a release rush), unless this request already made a booking (a retry)."""
    now = clock.now()
    slot = Slot.objects.select_related("resource").filter(pk=slot_id).first()
    if slot is None or (slot.free > 0 and slot.released_at <= now < slot.starts_at):
        return  # no such slot, or room: the full path decides (and explains)
    if Booking.objects.filter(citizen=citizen, request_key=request_key).exists():
        return
    raise _explain(slot, now)  # from the row just read: one query less per refusal


def book(
    *, citizen: Any, slot_id: int, request_key: str, request: HttpRequest | None = None
) -> Booking:
    """Take one seat of the slot for the citizen; the same ``request_key`` returns the same
    booking. Refuses past, unreleased or full slots, a second active booking, a banned person."""
    existing = Booking.objects.filter(citizen=citizen, request_key=request_key).first()
    if existing is not None:
        return existing
    slot = Slot.objects.select_related("resource").filter(pk=slot_id).first()
    if slot is None or not slot.resource.active:
        raise errors.slot_not_found()
    now = clock.now()
    if slot.free == 0 or slot.starts_at <= now or slot.released_at > now:
        # The common answer in a rush, decided without a write (the UPDATE below is the judge
        # when the read says there is room).
        raise _explain_refusal(slot.pk, now)
    _check_citizen(citizen, slot.resource, now)
    try:
        with transaction.atomic():
            _take_seat(slot_id, now)
            booking = Booking.objects.create(
                citizen=citizen,
                resource=slot.resource,
                slot=slot,
                limit_group=slot.resource.limit_group,
                request_key=request_key,
                created_at=now,
            )
    except IntegrityError:
        again = Booking.objects.filter(citizen=citizen, request_key=request_key).first()
        if again is not None:
            return again
        group = slot.resource.limit_group
        if Booking.objects.filter(citizen=citizen, limit_group=group, state="booked").exists():
            raise errors.already_booked() from None
        raise errors.slot_full() from None  # the CHECK (booked <= capacity) said no
    audit.record(action="booking.booked", actor=citizen, target=booking, request=request)
    events.emit("booking.booked", **payload(booking))
    return booking


def _own_active(citizen: Any, booking_id: str | uuid.UUID) -> Booking:
    try:
        public_id = uuid.UUID(str(booking_id))
    except ValueError:
        raise errors.booking_not_found() from None
    booking = (
        Booking.objects.select_related("slot", "resource__point", "citizen")
        .filter(public_id=public_id, citizen=citizen)
        .first()
    )
    if booking is None:
        raise errors.booking_not_found()
    if booking.state != BookingState.BOOKED:
        raise errors.refused("not_active", _("This booking is no longer active."))
    return booking


def _before_deadline(booking: Booking, now: dt.datetime) -> None:
    deadline = booking.slot.starts_at - dt.timedelta(minutes=booking.resource.cancel_minutes)
    if now > deadline:
        raise errors.refused(
            "deadline_passed",
            _("Bookings can be cancelled or changed only until %(minutes)s minutes before.")
            % {"minutes": booking.resource.cancel_minutes},
        )


def cancel(*, citizen: Any, booking_id: str, request: HttpRequest | None = None) -> Booking:
    """Cancel an active booking before its deadline and give the seat back."""
    booking = _own_active(citizen, booking_id)
    now = clock.now()
    _before_deadline(booking, now)
    with transaction.atomic():
        moved = Booking.objects.filter(pk=booking.pk, state=BookingState.BOOKED).update(
            state=BookingState.CANCELLED, cancelled_at=now
        )
        if moved != 1:
            raise errors.refused("not_active", _("This booking is no longer active."))
        _free_seat(booking.slot_id)
    booking.refresh_from_db()
    audit.record(action="booking.cancelled", actor=citizen, target=booking, request=request)
    events.emit("booking.cancelled", **payload(booking))
    return booking


def reschedule(
    *, citizen: Any, booking_id: str, slot_id: int, request: HttpRequest | None = None
) -> Booking:
    """Move the booking to another slot of the same resource: the new seat is taken before the
    old one is given back, in one transaction, so the citizen never ends up with neither."""
    booking = _own_active(citizen, booking_id)
    now = clock.now()
    _before_deadline(booking, now)
    target = Slot.objects.filter(pk=slot_id, resource_id=booking.resource_id).first()
    if target is None:
        raise errors.slot_not_found()
    if target.pk == booking.slot_id:
        return booking
    old = booking.slot_id
    with transaction.atomic():
        # Rows change in primary-key order, so two crossing reschedules cannot deadlock.
        for pk in sorted((old, target.pk)):
            if pk == target.pk:
                _take_seat(pk, now)
            else:
                _free_seat(pk)
        moved = Booking.objects.filter(
            pk=booking.pk, state=BookingState.BOOKED, slot_id=old
        ).update(slot=target, reminded_day_at=None, reminded_hour_at=None)
        if moved != 1:
            raise errors.refused("not_active", _("This booking is no longer active."))
    booking.refresh_from_db()
    audit.record(
        action="booking.rescheduled",
        actor=citizen,
        target=booking,
        details={"from_slot": old, "to_slot": target.pk},
        request=request,
    )
    events.emit("booking.rescheduled", **payload(booking))
    return booking
