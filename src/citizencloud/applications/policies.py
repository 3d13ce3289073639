"""PURE: may this subject do this to this case?"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from citizencloud.applications.workflow import ACTIONS_BY_CITIZEN, Action, Definition


class HasRole(Protocol):
    @property
    def role(self) -> str: ...

    @property
    def department_id(self) -> int: ...


def staff_may(
    action: Action, *, scopes: Iterable[HasRole], department_id: int, definition: Definition
) -> bool:
    """A staff account may act when one of its roles in the case's department is listed for
    the action in the service's workflow definition."""
    if action in ACTIONS_BY_CITIZEN:
        return False
    roles = set(definition.roles.get(action, ()))
    return any(s.department_id == department_id and s.role in roles for s in scopes)


def citizen_may(action: Action, *, citizen_id: int, owner_id: int) -> bool:
    return action in ACTIONS_BY_CITIZEN and citizen_id == owner_id


SUPERVISOR = "supervisor"
HOLDING_ROLES = ("clerk", "reviewer", SUPERVISOR)


def may_assign(*, scopes: Iterable[HasRole], department_id: int) -> bool:
    """Supervisors hand out (and take back) their department's cases."""
    return any(s.department_id == department_id and s.role == SUPERVISOR for s in scopes)


def may_hold(*, scopes: Iterable[HasRole], department_id: int) -> bool:
    """Anyone with a case-handling role in the department may hold its cases."""
    return any(s.department_id == department_id and s.role in HOLDING_ROLES for s in scopes)
