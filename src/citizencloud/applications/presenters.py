"""Cases as plain dicts for the API and the pages (reads only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from citizencloud.applications import definitions, forms, selectors, services, sla, workflow
from citizencloud.applications.models import Application, State

ACTION_LABELS = {
    "accept": _("Accept"),
    "refuse": _("Do not accept"),
    "start_review": _("Start the review"),
    "request_supplement": _("Request a supplement"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "complete": _("Complete and issue the result"),
}


STEP_LABELS = {
    **ACTION_LABELS,
    "submit": _("Submitted"),
    "supply": _("Supplement sent"),
    "withdraw": _("Withdrawn by the applicant"),
    "claim": _("Claimed"),
    "note": _("Internal note"),
    "message": _("Message"),
    "sla_warning": _("Deadline warning"),
    "escalate": _("Overdue: escalated to the supervisor"),
    "release": _("Released to the queue"),
    "assign": _("Assigned"),
}


def _state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value


def staff_actions(case: Application) -> list[tuple[str, str]]:
    return [(a, str(ACTION_LABELS.get(a, a))) for a in next_actions(case, citizen=False)]


def sla_of(case: Application) -> sla.SlaStatus:
    return sla.sla_status(
        definitions.calendar(),
        started=case.started_on,
        total_days=case.sla_days,
        paused_days=case.paused_days,
        today=services.today(),
        paused_since=case.paused_since,
    )


def item(case: Application) -> dict[str, Any]:
    status = sla_of(case)
    return {
        "id": str(case.public_id),
        "reference": case.reference,
        "service_code": case.service.code,
        "service_name": case.service.name,
        "state": case.state,
        "department": case.department.name,
        "deadline": status.deadline,
        "sla_colour": status.colour,
        "version": case.version,
        "submitted_at": case.submitted_at,
        "bundle_reference": case.bundle_reference,
    }


def next_actions(case: Application, *, citizen: bool) -> list[str]:
    kinds = workflow.allowed_actions(workflow.Kind(case.state))
    return [str(a) for a in kinds if (a in workflow.ACTIONS_BY_CITIZEN) == citizen]


def detail(case: Application, *, citizen: bool) -> dict[str, Any]:
    steps = selectors.timeline(case, internal=not citizen)
    return {
        **item(case),
        "form": services.form_answers(case) if citizen else services.masked_answers(case),
        "supplement_items": list(case.supplement_items or []),
        "next_actions": next_actions(case, citizen=citizen),
        "timeline": [
            {
                "action": s.action,
                "label": str(STEP_LABELS.get(s.action, s.action)),
                "state_label": _state_label(s.to_state),
                "from_state": s.from_state,
                "to_state": s.to_state,
                "actor": s.actor_label,
                "department": s.department.name if s.department else "",
                "message": s.message,
                "details": s.details,
                "at": s.at,
            }
            for s in steps
        ],
        "attachments": [
            {
                "id": str(a.public_id),
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in selectors.attachments(case)
        ],
    }


def queue_item(case: Application) -> dict[str, Any]:
    """A queue row: no decryption — the applicant's masked name is the account's display name."""
    return {
        **item(case),
        "assignee": case.assignee.username if case.assignee else "",
        "escalated": case.sla_escalated_at is not None,
        "state_label": _state_label(case.state),
        "applicant": {"name": case.citizen.display_name},
    }


def bundle(cases: list[Application]) -> dict[str, Any]:
    """One bundle submission as parallel lanes: each department's case with its state, holder,
    deadline and citizen-visible timeline, and where the whole bundle stands."""
    codes = sorted(c.service.code for c in cases)
    name, order = "", codes
    for code in definitions.bundle_codes():
        spec = definitions.bundle(code)
        if sorted(spec.services) == codes:
            name, order = forms.label(spec.name), list(spec.services)
            break
    cases = sorted(cases, key=lambda c: order.index(c.service.code))
    lanes = []
    for case in cases:
        status = sla_of(case)
        lanes.append(
            {
                **detail(case, citizen=True),
                "state_label": _state_label(case.state),
                "closed": case.closed_at is not None,
                "paused": case.paused_since is not None,
                "days_left": (status.deadline - services.today()).days,
            }
        )
    open_lanes = [lane for lane in lanes if not lane["closed"]]
    return {
        "reference": cases[0].bundle_reference,
        "name": name,
        "cases": lanes,
        "done": len(lanes) - len(open_lanes),
        "total": len(lanes),
        # The whole bundle is done when its last open case is: its latest deadline.
        "deadline": max((lane["deadline"] for lane in open_lanes), default=None),
        "waiting_for_you": [lane["reference"] for lane in lanes if lane["paused"]],
    }
