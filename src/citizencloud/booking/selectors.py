"""Every read of the booking app; scoping (own bookings, staff departments) lives here."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from citizencloud.booking import errors, policies
from citizencloud.booking.models import (
    Booking,
    BookingState,
    Resource,
    Slot,
    Ticket,
    TicketState,
)
from citizencloud.kernel import clock
from citizencloud.kernel.errors import NotFound
from citizencloud.org import selectors as org
from citizencloud.org.models import ServicePoint

__all__ = [
    "DayCount",
    "bookable_points",
    "days",
    "get_booking",
    "get_point",
    "get_resource",
    "mine",
    "position",
    "queue_board",
    "resources_at",
    "slots",
    "staff_resources",
    "today",
]


def today() -> dt.date:
    return clock.now().astimezone(policies.LOCAL).date()


def get_point(code: str) -> ServicePoint:
    return org.get_service_point(code)


def get_resource(code: str) -> Resource:
    resource = Resource.objects.select_related("point", "department", "service").filter(code=code)
    found = resource.first()
    if found is None:
        raise NotFound("No such resource.", code="booking.resource_not_found")
    return found


def bookable_points(*, service: str = "") -> QuerySet[ServicePoint]:
    """Service points that have at least one active resource (for ``service``, when given)."""
    resources = Resource.objects.filter(active=True)
    if service:
        resources = resources.filter(service__code=service)
    ids = resources.values("point_id")
    return ServicePoint.objects.filter(pk__in=ids).order_by("kind", "code")


def resources_at(point: ServicePoint, *, service: str = "") -> QuerySet[Resource]:
    found = Resource.objects.filter(point=point, active=True).select_related("service", "point")
    if service:
        found = found.filter(service__code=service)
    return found


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=policies.LOCAL)
    return start, start + dt.timedelta(days=1)


def slots(resources: QuerySet[Resource], day: dt.date) -> QuerySet[Slot]:
    start, end = _day_range(day)
    return (
        Slot.objects.filter(resource__in=resources, starts_at__gte=start, starts_at__lt=end)
        .select_related("resource")
        .order_by("starts_at", "resource__code")
    )


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    free: int
    released: bool


def days(resources: QuerySet[Resource], *, horizon: int = 14) -> list[DayCount]:
    """Free seats per day over the horizon (the calendar view); unreleased days count 0."""
    first = today()
    start, _ = _day_range(first)
    end, _ = _day_range(first + dt.timedelta(days=horizon + 1))
    now = clock.now()
    rows = Slot.objects.filter(
        resource__in=resources, starts_at__gte=max(start, now), starts_at__lt=end
    ).values("starts_at", "capacity", "booked", "released_at")
    free: dict[dt.date, int] = {}
    released: dict[dt.date, bool] = {}
    for row in rows:
        day = row["starts_at"].astimezone(policies.LOCAL).date()
        is_released = row["released_at"] <= now
        released[day] = released.get(day, False) or is_released
        if is_released:
            free[day] = free.get(day, 0) + row["capacity"] - row["booked"]
    return [
        DayCount(day, free.get(day, 0), released.get(day, False))
        for day in (first + dt.timedelta(days=i) for i in range(horizon + 1))
        if day in released
    ]


def mine(citizen: Any) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(citizen=citizen)
        .select_related("slot", "resource__point", "ticket")
        .order_by("-slot__starts_at")
    )


def get_booking(citizen: Any, booking_id: str) -> Booking:
    """One of the citizen's own bookings; anyone else's is "not found"."""
    try:
        public_id = uuid.UUID(str(booking_id))
    except ValueError:
        raise errors.booking_not_found() from None
    found = mine(citizen).filter(public_id=public_id).first()
    if found is None:
        raise errors.booking_not_found()
    return found


def ticket_of(booking: Booking) -> Ticket | None:
    return Ticket.objects.filter(booking=booking).first()


def position(ticket: Ticket) -> int:
    """How many are waiting before this ticket (0: next); -1 once it is no longer waiting."""
    if ticket.state != TicketState.WAITING:
        return -1
    return Ticket.objects.filter(
        point_id=ticket.point_id,
        day=ticket.day,
        state=TicketState.WAITING,
        number__lt=ticket.number,
    ).count()


def queue_board(point: ServicePoint, *, recent: int = 8) -> dict[str, Any]:
    """The hall display: the latest calls (number → window) and how many wait."""
    day = today()
    tickets = Ticket.objects.filter(point=point, day=day)
    return {
        "called": list(
            tickets.filter(state__in=[TicketState.CALLED, TicketState.DONE])
            .exclude(called_at=None)
            .order_by("-called_at")[:recent]
        ),
        "waiting": list(tickets.filter(state=TicketState.WAITING).order_by("number")),
    }


def staff_resources(staff: Any, permission: str) -> QuerySet[Resource]:
    """The resources in the departments where the staff account holds ``permission``."""
    ids = org.department_ids_permitted(staff.pk, permission)
    return Resource.objects.filter(department_id__in=ids).select_related("point").order_by("code")


def may_staff(staff: Any, permission: str, point: ServicePoint) -> bool:
    if getattr(staff, "kind", "") != "staff":
        return False
    return staff_resources(staff, permission).filter(point=point).exists()


def totals(resource: Resource) -> dict[str, int]:
    """booked and free seats over the resource's future slots (the invariant's two sides)."""
    agg = Slot.objects.filter(resource=resource).aggregate(
        capacity=Sum("capacity"), booked=Sum("booked"), slots=Count("id")
    )
    active = Booking.objects.filter(resource=resource, state=BookingState.BOOKED).count()
    return {
        "capacity": agg["capacity"] or 0,
        "booked": agg["booked"] or 0,
        "slots": agg["slots"] or 0,
        "active_bookings": active,
    }
