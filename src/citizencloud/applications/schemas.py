"""API shapes of cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class ApplicationIn(Schema):
    service_code: str
    form: dict[str, Any]


class BundleIn(Schema):
    bundle_code: str
    form: dict[str, Any]


class StepOut(Schema):
    action: str
    label: str
    state_label: str
    from_state: str
    to_state: str
    actor: str
    department: str
    message: str
    details: dict[str, Any]
    at: dt.datetime


class ApplicationListItem(Schema):
    id: str
    reference: str
    service_code: str
    service_name: str
    state: str
    department: str
    deadline: dt.date
    sla_colour: str
    version: int
    submitted_at: dt.datetime
    bundle_reference: str = ""  # shared by the cases of one bundle submission (一件事一次办)


class ApplicationOut(ApplicationListItem):
    form: dict[str, Any]
    supplement_items: list[str]
    next_actions: list[str]
    timeline: list[StepOut]
    attachments: list[dict[str, Any]]


class SupplementIn(Schema):
    message: str = ""
    files: list[dict[str, str]] = []  # {"name", "content_base64", "material"}


class ActionIn(Schema):
    action: str
    version: int | None = None
    reason: str = ""
    legal_basis: str = ""
    items: list[str] = []
    message: str = ""
    assignee: str = ""  # login of the colleague, for "assign"


class StaffCaseItem(ApplicationListItem):
    assignee: str
    escalated: bool
    state_label: str
    applicant: dict[str, str]  # {"name": masked}


class BulkIn(Schema):
    action: str  # claim | assign | release
    ids: list[str]
    assignee: str = ""  # login of the colleague, for "assign"


class BulkOut(Schema):
    done: int
    skipped: int


class BundleLane(ApplicationOut):
    state_label: str
    closed: bool
    paused: bool
    days_left: int


class BundleOut(Schema):
    reference: str
    name: str
    cases: list[BundleLane]
    done: int
    total: int
    deadline: dt.date | None
    waiting_for_you: list[str]
