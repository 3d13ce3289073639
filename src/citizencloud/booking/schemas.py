"""Ninja schemas of the booking API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictInt


class SlotOut(Schema):
    id: int
    resource: str
    resource_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    free: int
    released_at: dt.datetime
    bookable: bool


class SlotsOut(Schema):
    service_point: str
    date: dt.date
    slots: list[SlotOut]


class BookingIn(Schema):
    slot_id: StrictInt = Field(gt=0)


class RescheduleIn(Schema):
    slot_id: StrictInt = Field(gt=0)


class BookingOut(Schema):
    id: str
    state: str
    resource: str
    resource_name: str
    service_point: str
    service_point_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    qr_code: str | None = None
    ticket: str | None = None
    ticket_state: str | None = None
    window: str | None = None
    waiting_before: int | None = None


class CheckinIn(Schema):
    code: str = Field(min_length=1, max_length=200)
    service_point: str = Field(min_length=1, max_length=64)


class TicketOut(Schema):
    ticket: str
    booking_id: str
    service_point: str
    waiting_before: int
