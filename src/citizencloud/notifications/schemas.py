"""API shapes of the notification centre."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field


class MessageOut(Schema):
    id: uuid.UUID
    category: str
    partner: str
    statutory: bool
    subject: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    archived_at: dt.datetime | None


class InboxOut(Schema):
    items: list[MessageOut]
    unread: dict[str, int]
    show_promotions: bool


class PreferenceItemIO(Schema):
    category: str
    channel: str
    enabled: bool
    locked: bool = False


class PartnerOptInIO(Schema):
    partner: str = Field(min_length=1, max_length=100)
    max_per_week: int = Field(default=2, ge=1, le=14)
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(9, 0)


class PreferencesOut(Schema):
    items: list[PreferenceItemIO]
    partners: list[PartnerOptInIO]


class PreferencesIn(Schema):
    items: list[PreferenceItemIO] = []
    partners: list[PartnerOptInIO] | None = None


class CallbackIn(Schema):
    id: str
    reference: str
    status: str
    occurred_at: dt.datetime


class SendIn(Schema):
    template: str = Field(min_length=1, max_length=100)
    recipients: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    context: dict[str, str | int] = {}
    key: str = Field(min_length=8, max_length=100, description="Your idempotency key")


class SendOut(Schema):
    sent: int
    skipped: int
