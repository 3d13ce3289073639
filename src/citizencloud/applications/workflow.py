"""PURE: the fixed kinds of a case's state, the transition table, and per-service definitions.

Every service's workflow maps onto the same kinds, so citizens, staff and reports read one
vocabulary. A definition (data, ``data/services/<code>.json``) says which role acts at each step
and how many working days each step and the whole case may take. No ORM, no I/O here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from citizencloud.kernel.errors import Conflict, DomainError

__all__ = [
    "ACTIONS_BY_CITIZEN",
    "TERMINAL",
    "TRANSITIONS",
    "Action",
    "CaseState",
    "Definition",
    "IllegalTransition",
    "Kind",
    "allowed_actions",
    "parse_definition",
    "transition",
]


class Kind(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # 受理
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    IN_REVIEW = "in_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 一次性告知
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"  # 办结
    WITHDRAWN = "withdrawn"


class Action(enum.StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    START_REVIEW = "start_review"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLY = "supply"
    APPROVE = "approve"
    REJECT = "reject"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


TERMINAL = frozenset({Kind.NOT_ACCEPTED, Kind.REJECTED, Kind.COMPLETED, Kind.WITHDRAWN})

TRANSITIONS: Mapping[tuple[Kind, Action], Kind] = {
    (Kind.SUBMITTED, Action.ACCEPT): Kind.ACCEPTED,
    (Kind.SUBMITTED, Action.REFUSE): Kind.NOT_ACCEPTED,
    (Kind.SUBMITTED, Action.REQUEST_SUPPLEMENT): Kind.SUPPLEMENT_REQUESTED,
    (Kind.ACCEPTED, Action.START_REVIEW): Kind.IN_REVIEW,
    (Kind.ACCEPTED, Action.REQUEST_SUPPLEMENT): Kind.SUPPLEMENT_REQUESTED,
    (Kind.IN_REVIEW, Action.REQUEST_SUPPLEMENT): Kind.SUPPLEMENT_REQUESTED,
    (Kind.IN_REVIEW, Action.APPROVE): Kind.APPROVED,
    (Kind.IN_REVIEW, Action.REJECT): Kind.REJECTED,
    (Kind.SUPPLEMENT_REQUESTED, Action.SUPPLY): Kind.IN_REVIEW,
    (Kind.APPROVED, Action.COMPLETE): Kind.COMPLETED,
    **{
        (kind, Action.WITHDRAW): Kind.WITHDRAWN
        for kind in (Kind.SUBMITTED, Kind.ACCEPTED, Kind.IN_REVIEW, Kind.SUPPLEMENT_REQUESTED)
    },
}

ACTIONS_BY_CITIZEN = frozenset({Action.SUPPLY, Action.WITHDRAW})

# What an action must carry: a refusal its reason, a rejection its legal basis, a supplement
# request every missing item at once.
REQUIRED_DETAILS: Mapping[Action, str] = {
    Action.REFUSE: "reason",
    Action.REJECT: "legal_basis",
    Action.REQUEST_SUPPLEMENT: "items",
}

DEFAULT_ROLES: Mapping[Action, tuple[str, ...]] = {
    Action.ACCEPT: ("clerk",),
    Action.REFUSE: ("clerk",),
    Action.START_REVIEW: ("clerk", "reviewer"),
    Action.REQUEST_SUPPLEMENT: ("clerk", "reviewer"),
    Action.APPROVE: ("reviewer", "supervisor"),
    Action.REJECT: ("reviewer", "supervisor"),
    Action.COMPLETE: ("clerk", "reviewer"),
}


class IllegalTransition(Conflict):
    code = "applications.invalid_transition"


class MissingDetails(DomainError):
    code = "applications.details_required"
    status = 422


@dataclass(frozen=True)
class CaseState:
    """What the workflow needs to know about a case; the clock pauses while ``paused_since``."""

    kind: Kind = Kind.SUBMITTED
    paused_since: dt.date | None = None
    paused_days: int = 0

    @property
    def terminal(self) -> bool:
        return self.kind in TERMINAL


@dataclass(frozen=True)
class Definition:
    """One service's workflow: overall SLA, per-step SLA and the roles that act."""

    sla_days: int
    step_sla_days: Mapping[str, int] = field(default_factory=dict)
    roles: Mapping[Action, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    certificate: str = ""


def parse_definition(data: Mapping[str, Any]) -> Definition:
    """A ``Definition`` from its data-file form; unknown actions or roles are refused."""
    roles = dict(DEFAULT_ROLES)
    for name, value in dict(data.get("roles", {})).items():
        action = Action(name)
        if action in ACTIONS_BY_CITIZEN:
            raise ValueError(f"{name} is the citizen's action, not a staff role's")
        roles[action] = tuple(value)
    sla = int(data["sla_days"])
    steps = {str(k): int(v) for k, v in dict(data.get("steps", {})).items()}
    if sla <= 0 or any(v <= 0 for v in steps.values()) or sum(steps.values()) > sla:
        raise ValueError("SLA days must be positive and the steps must fit in the overall SLA")
    return Definition(
        sla_days=sla, step_sla_days=steps, roles=roles, certificate=str(data.get("certificate", ""))
    )


def allowed_actions(kind: Kind) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == kind]


def transition(
    state: CaseState,
    action: Action,
    *,
    on: dt.date,
    working_days_between: Any,
    details: Mapping[str, Any] | None = None,
) -> CaseState:
    """The state after ``action`` on day ``on``; ``IllegalTransition`` if the table forbids it.

    ``working_days_between(a, b)`` counts the paused working days when the clock restarts."""
    target = TRANSITIONS.get((state.kind, action))
    if target is None:
        raise IllegalTransition(
            f"The action {action} is not possible while the case is {state.kind}.",
            extra={"state": str(state.kind), "action": str(action)},
        )
    needed = REQUIRED_DETAILS.get(action)
    if needed and not (details or {}).get(needed):
        raise MissingDetails(f"{action} needs {needed}.", extra={"field": needed})
    paused_since, paused_days = state.paused_since, state.paused_days
    if state.kind == Kind.SUPPLEMENT_REQUESTED and paused_since is not None:
        paused_days += int(working_days_between(paused_since, on))
        paused_since = None
    if target == Kind.SUPPLEMENT_REQUESTED:
        paused_since = on
    return replace(state, kind=target, paused_since=paused_since, paused_days=paused_days)
