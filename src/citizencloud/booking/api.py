"""``/api/v1``: free slots at a service point, my bookings (book, cancel, reschedule; every
write takes an ``Idempotency-Key``), and check-in by QR code at a window or kiosk (staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Schema

from citizencloud.booking import errors, presenters, selectors, services
from citizencloud.booking.schemas import (
    BookingIn,
    BookingOut,
    CheckinIn,
    RescheduleIn,
    SlotsOut,
    TicketOut,
)
from citizencloud.identity.auth import AUTH
from citizencloud.kernel.idempotency import HEADER, idempotent

router = Router(tags=["booking"])


class SlotQuery(Schema):
    service: str = ""
    date: dt.date | None = None


def _json(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return JsonResponse(BookingOut(**body).model_dump(mode="json"), status=status)


@router.get(
    "/service-points/{point}/slots",
    response=SlotsOut,
    summary="Slots of a service point on a day (default: today), optionally for one service",
)
def slots(request: HttpRequest, point: str, query: Query[SlotQuery]) -> dict[str, Any]:
    found = selectors.get_point(point)
    day = query.date or selectors.today()
    resources = selectors.resources_at(found, service=query.service)
    items = [presenters.slot(s) for s in selectors.slots(resources, day)]
    return {"service_point": found.code, "date": day, "slots": items}


@idempotent(required=True)
def _book(request: HttpRequest, body: BookingIn) -> HttpResponse:
    booking = services.book(
        citizen=request.user,
        slot_id=body.slot_id,
        request_key=request.headers[HEADER][:64],
        request=request,
    )
    return _json(presenters.booking(booking), 201)


@router.post(
    "/bookings",
    response={201: BookingOut},
    auth=AUTH,
    summary="Book a seat in a slot (Idempotency-Key required)",
)
def book(request: HttpRequest, body: BookingIn) -> HttpResponse:
    # In a release rush most answers are "full": they are given from a read, before any write
    # (this route runs outside ATOMIC_REQUESTS, see ``OUTSIDE_REQUEST_TRANSACTION``), so they
    # never wait for SQLite's write lock. The booking itself, its idempotency claim, audit entry
    # and events then commit in one transaction. The key is claimed after authentication.
    key = request.headers.get(HEADER, "")
    if key:
        services.refuse_early(citizen=request.user, slot_id=body.slot_id, request_key=key[:64])
    if connection.vendor == "sqlite":
        # A writer takes the lock up front (ADR 0002); the connection may still be in a GET's mode.
        connection.transaction_mode = "IMMEDIATE"  # type: ignore[attr-defined]
    with transaction.atomic():
        return _book(request, body)


# Routes of this router served outside ATOMIC_REQUESTS (they open their own transaction); the
# composition root applies it (``kernel.api.outside_request_transaction``).
OUTSIDE_REQUEST_TRANSACTION = ("bookings",)


@router.get("/bookings", response=list[BookingOut], auth=AUTH, summary="My bookings")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [presenters.booking(b) for b in selectors.mine(request.user)[:200]]


@router.get("/bookings/{booking_id}", response=BookingOut, auth=AUTH, summary="One booking")
def one(request: HttpRequest, booking_id: str) -> dict[str, Any]:
    return presenters.booking(selectors.get_booking(request.user, booking_id))


@idempotent(required=True)
def _cancel(request: HttpRequest, booking_id: str) -> HttpResponse:
    booking = services.cancel(citizen=request.user, booking_id=booking_id, request=request)
    return _json(presenters.booking(booking))


@router.delete(
    "/bookings/{booking_id}",
    response=BookingOut,
    auth=AUTH,
    summary="Cancel a booking before its deadline (Idempotency-Key required)",
)
def cancel(request: HttpRequest, booking_id: str) -> HttpResponse:
    return _cancel(request, booking_id)


@idempotent(required=True)
def _reschedule(request: HttpRequest, booking_id: str, body: RescheduleIn) -> HttpResponse:
    booking = services.reschedule(
        citizen=request.user, booking_id=booking_id, slot_id=body.slot_id, request=request
    )
    return _json(presenters.booking(booking))


@router.post(
    "/bookings/{booking_id}/reschedule",
    response=BookingOut,
    auth=AUTH,
    summary="Move a booking to another slot, atomically (Idempotency-Key required)",
)
def reschedule(request: HttpRequest, booking_id: str, body: RescheduleIn) -> HttpResponse:
    return _reschedule(request, booking_id, body)


@idempotent(required=True)
def _check_in(request: HttpRequest, body: CheckinIn) -> HttpResponse:
    point = selectors.get_point(body.service_point)
    if not selectors.may_staff(request.user, "booking:queue:write", point):
        raise errors.forbidden()
    ticket = services.check_in(token=body.code, point=point, request=request)
    out = TicketOut(
        ticket=ticket.label,
        booking_id=str(ticket.booking.public_id),
        service_point=point.code,
        waiting_before=selectors.position(ticket),
    )
    return JsonResponse(out.model_dump(mode="json"), status=201)


@router.post(
    "/checkins",
    response={201: TicketOut},
    auth=AUTH,
    summary="Check a booking in by its QR code and issue a queue number (staff, kiosk)",
)
def check_in(request: HttpRequest, body: CheckinIn) -> HttpResponse:
    return _check_in(request, body)
