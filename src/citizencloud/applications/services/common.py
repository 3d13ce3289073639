"""Shared by the use-cases: the local day, case references, the stale-case error, event payloads."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from citizencloud.applications import (
    workflow,
)
from citizencloud.applications.models import Application
from citizencloud.kernel import clock
from citizencloud.kernel.errors import Conflict

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENTS: Mapping[workflow.Action, str] = {
    workflow.Action.ACCEPT: "applications.accepted",
    workflow.Action.REFUSE: "applications.not_accepted",
    workflow.Action.START_REVIEW: "applications.review_started",
    workflow.Action.REQUEST_SUPPLEMENT: "applications.supplement_requested",
    workflow.Action.SUPPLY: "applications.supplemented",
    workflow.Action.APPROVE: "applications.decided",
    workflow.Action.REJECT: "applications.decided",
    workflow.Action.COMPLETE: "applications.completed",
    workflow.Action.WITHDRAW: "applications.withdrawn",
}


class StaleCase(Conflict):
    code = "applications.stale"


def _stale(version: int) -> StaleCase:
    return StaleCase(
        _("Someone else changed this case a moment ago; reload it and try again."),
        extra={"expected_version": version},
    )


def today() -> dt.date:
    return clock.now().astimezone(SHANGHAI).date()


def _reference(on: dt.date) -> str:
    return f"{on:%Y%m%d}{secrets.token_hex(4).upper()}"


def payload(case: Application, **extra: Any) -> dict[str, Any]:
    return {
        "application_id": str(case.public_id),
        "reference": case.reference,
        # The names the notifications app's routes read (docs/notifications.md on its branch).
        "case_number": case.reference,
        "user_id": str(case.citizen.public_id),
        "citizen_id": case.citizen_id,
        "service": case.service.code,
        "department_id": case.department_id,
        "state": case.state,
        **extra,
    }
