"""API shapes of 查: one record kind as the dashboard shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class ContactOut(Schema):
    kind: str
    value: str
    label: str = ""


class RecordOut(Schema):
    kind: str
    label: str
    status: str  # fresh | cached | stale | unavailable
    stale: bool
    as_of: dt.datetime | None
    department: str
    contacts: list[ContactOut]
    data: dict[str, Any] | None
    error_code: str = ""
    error: str = ""
