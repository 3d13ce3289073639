"""Writes of the org app: granting and revoking staff roles (audited in the log)."""

from __future__ import annotations

from citizencloud.identity.models import User, UserKind
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.logging import get_logger
from citizencloud.org import policies
from citizencloud.org.models import Department, Region, Role, StaffRole

log = get_logger("citizencloud.org")


def assign_role(
    *,
    user: User,
    role: str,
    department: Department,
    region: Region | None = None,
    actor: User | None = None,
) -> StaffRole:
    """Grant ``role`` in ``department`` over ``region`` (default: the department's region)."""
    if user.kind != UserKind.STAFF:
        raise DomainError(
            "Roles can only be given to staff accounts.", code="org.not_staff", status=409
        )
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}.", code="org.unknown_role", status=422)
    scope = region or department.region
    if not policies.region_within(scope.path, department.region.path):
        raise DomainError(
            "A role's region must lie within its department's region.",
            code="org.region_outside_department",
            status=409,
        )
    staff_role, created = StaffRole.objects.get_or_create(
        user=user, role=role, department=department, defaults={"region": scope}
    )
    if created:
        log.info(
            "org.staff_role.granted",
            user_id=user.pk,
            role=role,
            department=department.code,
            region=scope.code,
            actor_id=actor.pk if actor else None,
        )
    return staff_role


def revoke_role(*, staff_role: StaffRole, actor: User | None = None) -> None:
    """Withdraw a role from a staff account."""
    log.info(
        "org.staff_role.revoked",
        user_id=staff_role.user_id,
        role=staff_role.role,
        department_id=staff_role.department_id,
        actor_id=actor.pk if actor else None,
    )
    staff_role.delete()
