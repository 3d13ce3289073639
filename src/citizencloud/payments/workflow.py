"""PURE: the payment order's states and the transitions between them. No ORM, no I/O.

created → pending → succeeded | failed | expired; succeeded → partially_refunded → refunded.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    CREATED = "created"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class Action(StrEnum):
    SUBMIT = "submit"  # the cashier URL was issued
    SUCCEED = "succeed"  # the provider says paid (verified callback or query)
    FAIL = "fail"  # the provider says the trade failed or was closed
    EXPIRE = "expire"  # no payment within the time limit, closed at the provider
    REFUND_PART = "refund_part"
    REFUND_ALL = "refund_all"


_TABLE: dict[tuple[State, Action], State] = {
    (State.CREATED, Action.SUBMIT): State.PENDING,
    (State.CREATED, Action.EXPIRE): State.EXPIRED,
    (State.PENDING, Action.SUCCEED): State.SUCCEEDED,
    (State.PENDING, Action.FAIL): State.FAILED,
    (State.PENDING, Action.EXPIRE): State.EXPIRED,
    (State.SUCCEEDED, Action.REFUND_PART): State.PARTIALLY_REFUNDED,
    (State.SUCCEEDED, Action.REFUND_ALL): State.REFUNDED,
    (State.PARTIALLY_REFUNDED, Action.REFUND_PART): State.PARTIALLY_REFUNDED,
    (State.PARTIALLY_REFUNDED, Action.REFUND_ALL): State.REFUNDED,
}

#: States in which a bill counts as taken by this order (one such order per bill).
ACTIVE = frozenset(
    {State.CREATED, State.PENDING, State.SUCCEEDED, State.PARTIALLY_REFUNDED, State.REFUNDED}
)
OPEN = frozenset({State.CREATED, State.PENDING})
FINAL = frozenset({State.FAILED, State.EXPIRED})
PAID = frozenset({State.SUCCEEDED, State.PARTIALLY_REFUNDED, State.REFUNDED})


class InvalidTransition(ValueError):
    def __init__(self, state: State, action: Action) -> None:
        super().__init__(f"{action.value} is not allowed from {state.value}")
        self.state, self.action = state, action


def next_state(state: State, action: Action) -> State:
    """The state after ``action`` from ``state``; ``InvalidTransition`` if not allowed."""
    try:
        return _TABLE[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def sources(action: Action) -> frozenset[State]:
    """Every state from which ``action`` is allowed (for conditional UPDATE … WHERE state IN)."""
    return frozenset(state for (state, act) in _TABLE if act == action)


def refund_action(*, amount_fen: int, refunded_fen: int, refund_fen: int) -> Action:
    """Which refund transition a refund of ``refund_fen`` is; ValueError if it is not allowed."""
    if refund_fen <= 0:
        raise ValueError("a refund is a positive amount")
    if refunded_fen + refund_fen > amount_fen:
        raise ValueError("a refund cannot exceed what was paid")
    return Action.REFUND_ALL if refunded_fen + refund_fen == amount_fen else Action.REFUND_PART


def needs_second_approver(*, refund_fen: int, threshold_fen: int) -> bool:
    """Refunds above the threshold need a second member of finance staff to approve."""
    return refund_fen > threshold_fen
