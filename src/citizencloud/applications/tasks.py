"""The SLA sweep: warn the holder at 80 % of a case's working days, mark it overdue past the
deadline and escalate it: assign it to the department's supervisor, who gets a notice. Each step
happens once per case (a conditional UPDATE on its timestamp), so the sweep can run as often as
wanted, from several workers at once. Run it with ``citizencloud sla_check`` (a timer every few
minutes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django_tasks import task

from citizencloud.applications import policies, presenters, selectors, services
from citizencloud.applications.models import Application, Step
from citizencloud.kernel import audit, clock, events


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0


BATCH = 200


def _running() -> list[int]:
    # Paused cases (waiting for the citizen) are not the department's delay.
    return list(
        Application.objects.filter(state__in=selectors.OPEN_STATES, paused_since__isnull=True)
        .filter(sla_escalated_at__isnull=True)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )


def sweep() -> SweepResult:
    """One pass over the running cases; returns how many were warned and escalated.

    Cases are read and coloured in batches of ``BATCH`` outside any transaction (reads do not
    block writers); only the cases that need a warning or an escalation are then written, in
    one short transaction per batch. On SQLite a write transaction holds the database's one
    write lock from BEGIN: computing colours inside it would make citizens' submissions queue
    behind the sweep."""
    result = SweepResult()
    now = clock.now()
    supervisors: dict[int, Any] = {}
    ids = _running()
    for start in range(0, len(ids), BATCH):
        batch = Application.objects.select_related("service", "citizen").filter(
            pk__in=ids[start : start + BATCH]
        )
        due = [
            (case, colour)
            for case in batch.order_by("deadline", "pk")
            if (colour := presenters.sla_of(case).colour) == "red"
            or (colour == "amber" and case.sla_warned_at is None)
        ]
        if not due:
            continue
        with transaction.atomic():
            for case, colour in due:
                _sweep_one(case, colour, now, result, supervisors)
    return result


def _sweep_one(
    case: Application,
    colour: str,
    now: dt.datetime,
    result: SweepResult,
    supervisors: dict[int, Any],
) -> None:
    if colour == "red":
        if case.department_id not in supervisors:
            supervisors[case.department_id] = services.supervisor_of(case.department_id)
        if _escalate(case, now, supervisors[case.department_id]):
            result.escalated += 1
    else:
        claimed = Application.objects.filter(pk=case.pk, sla_warned_at__isnull=True).update(
            sla_warned_at=now
        )
        if claimed:
            result.warned += 1
            _step(case, "sla_warning")
            events.emit("applications.sla_warning", **services.payload(case))


def _escalate(case: Application, now: dt.datetime, supervisor: Any) -> bool:
    """Mark the case overdue once and hand it to the department's supervisor (a conditional
    UPDATE on ``sla_escalated_at``, bumping ``version`` so a clerk's open form goes stale)."""
    changes: dict[str, Any] = {
        "sla_escalated_at": now,
        "sla_warned_at": case.sla_warned_at or now,
    }
    if supervisor is not None:
        changes.update(assignee_id=supervisor.user_id, version=F("version") + 1, updated_at=now)
    claimed = Application.objects.filter(pk=case.pk, sla_escalated_at__isnull=True).update(
        **changes
    )
    if not claimed:
        return False
    previous = case.assignee_id
    details = {"assignee": supervisor.login if supervisor else "", "from": previous}
    _step(case, "escalate", details={"assignee": details["assignee"]})
    audit.record(action="applications.escalated", target=case, details=details)
    case.refresh_from_db()
    events.emit("applications.overdue", **services.payload(case))
    events.emit(
        "applications.escalated",
        role=policies.SUPERVISOR,
        supervisor_id=supervisor.public_id if supervisor else "",
        **services.payload(case),
    )
    return True


def _step(case: Application, action: str, details: dict[str, Any] | None = None) -> None:
    Step.objects.create(
        application=case,
        action=action,
        department_id=case.department_id,
        actor_label="SLA",
        details=details or {},
        visibility=Step.Visibility.INTERNAL,
    )


@task()
def check_sla() -> dict[str, int]:
    """The sweep as a task (one transaction per batch of cases)."""
    result = sweep()
    return {"warned": result.warned, "escalated": result.escalated}
