"""PURE: which permissions each staff role grants, named ``module:resource:action``."""

from __future__ import annotations

from collections.abc import Iterable

CLERK = "clerk"
REVIEWER = "reviewer"
SUPERVISOR = "supervisor"
DEPARTMENT_ADMIN = "department_admin"
CATALOG_EDITOR = "catalog_editor"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    CLERK: frozenset(
        {
            "applications:case:read",
            "applications:case:write",
            "booking:slot:read",
            "booking:queue:write",
        }
    ),
    REVIEWER: frozenset({"applications:case:read", "applications:review:write"}),
    SUPERVISOR: frozenset(
        {
            "applications:case:read",
            "applications:review:write",
            "evaluation:rating:read",
            "booking:slot:read",
            "booking:queue:write",
            "booking:schedule:write",
        }
    ),
    DEPARTMENT_ADMIN: frozenset({"org:staff_role:write", "org:department:write"}),
    CATALOG_EDITOR: frozenset({"catalog:service:read", "catalog:service:write"}),
}


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions the given roles grant."""
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def grants(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def region_within(path: str, scope_path: str) -> bool:
    """True when the region at ``path`` lies in the subtree whose root is at ``scope_path``."""
    return path == scope_path or path.startswith(scope_path + "/")
