"""The slot template of a resource, slot generation, reminders and no-shows (periodic jobs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from citizencloud.booking import policies
from citizencloud.booking.models import Booking, BookingState, Resource, Slot
from citizencloud.booking.services.bookings import payload
from citizencloud.kernel import audit, clock, events, workdays
from citizencloud.kernel.errors import Conflict

__all__ = ["configure", "generate_slots", "mark_no_shows", "send_reminders"]


def generate_slots(resource: Resource, *, days: int | None = None) -> int:
    """Create the slots of the next ``horizon_days + 1`` opening days that do not exist yet
    (idempotent: the unique (resource, start) constraint drops duplicates). How many new."""
    today = clock.now().astimezone(policies.LOCAL).date()
    sessions = policies.parse_sessions(resource.sessions)
    calendar = workdays.china()
    rows = []
    for offset in range((resource.horizon_days if days is None else days) + 1):
        day = today + dt.timedelta(days=offset)
        if not policies.is_open(day, open_on=resource.open_on, calendar=calendar):
            continue
        for times in policies.day_slots(
            day,
            sessions=sessions,
            minutes=resource.slot_minutes,
            horizon_days=resource.horizon_days,
            release_time=resource.release_time,
        ):
            rows.append(
                Slot(
                    resource=resource,
                    starts_at=times.starts_at,
                    ends_at=times.ends_at,
                    released_at=times.released_at,
                    capacity=resource.capacity,
                )
            )
    before = Slot.objects.filter(resource=resource).count()
    Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Slot.objects.filter(resource=resource).count() - before


def configure(*, staff: Any, resource: Resource, version: int, **fields: Any) -> Resource:
    """Change a resource's template and rules (optimistic ``version``); future slots take the
    new capacity where it still holds their bookings; missing slots are generated."""
    policies.parse_sessions(fields.get("sessions", resource.sessions))
    with transaction.atomic():
        changed = Resource.objects.filter(pk=resource.pk, version=version).update(
            version=version + 1, **fields
        )
        if changed != 1:
            raise Conflict(
                "Someone else changed this schedule a moment ago; reload and try again.",
                code="booking.stale",
            )
        resource.refresh_from_db()
        Slot.objects.filter(
            resource=resource, starts_at__gt=clock.now(), booked__lte=resource.capacity
        ).update(capacity=resource.capacity)
        generate_slots(resource)
    audit.record(
        action="booking.schedule_changed",
        actor=staff,
        target=resource,
        details={"fields": sorted(fields)},
    )
    return resource


def _remind(kind: str, lead: dt.timedelta, now: dt.datetime) -> int:
    column = f"reminded_{kind}_at"
    due = Booking.objects.filter(
        Q(**{f"{column}__isnull": True}),
        state=BookingState.BOOKED,
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + lead,
    ).select_related("slot", "resource__point", "citizen")
    sent = 0
    for booking in due[:500]:
        claimed = Booking.objects.filter(pk=booking.pk, **{f"{column}__isnull": True}).update(
            **{column: now}
        )
        if claimed == 1:  # another worker's sweep may have sent it
            events.emit(f"booking.reminder_{kind}", **payload(booking))
            sent += 1
    return sent


def send_reminders() -> dict[str, int]:
    """The day-before and the hour-before reminders, each once per booking."""
    now = clock.now()
    hour = _remind("hour", dt.timedelta(minutes=settings.BOOKING_REMIND_HOUR_MINUTES), now)
    # Within the last hour only the hour-before reminder is worth sending.
    Booking.objects.filter(
        state=BookingState.BOOKED, reminded_day_at__isnull=True, reminded_hour_at__isnull=False
    ).update(reminded_day_at=now)
    day = _remind("day", dt.timedelta(hours=settings.BOOKING_REMIND_DAY_HOURS), now)
    return {"day": day, "hour": hour}


def mark_no_shows() -> int:
    """Bookings not checked in by the end of the check-in window become no-shows."""
    cutoff = clock.now() - dt.timedelta(minutes=settings.BOOKING_CHECKIN_LATE_MINUTES)
    due = list(
        Booking.objects.filter(state=BookingState.BOOKED, slot__starts_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:5000]
    )
    # No join in the UPDATE, so the state is re-checked on the current row (a late check-in wins).
    return Booking.objects.filter(pk__in=due, state=BookingState.BOOKED).update(
        state=BookingState.NO_SHOW
    )
