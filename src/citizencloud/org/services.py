"""Writes of the org app: granting and revoking staff roles (audited)."""

from __future__ import annotations

from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import audit
from citizencloud.kernel.errors import DomainError
from citizencloud.org import policies
from citizencloud.org.models import Department, Region, Role, StaffRole


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
        audit.record(
            action="org.staff_role.granted",
            actor=actor,
            target=user,
            details={"role": role, "department": department.code, "region": scope.code},
        )
    return staff_role


def revoke_role(*, staff_role: StaffRole, actor: User | None = None) -> None:
    """Withdraw a role from a staff account."""
    audit.record(
        action="org.staff_role.revoked",
        actor=actor,
        target=staff_role.user,
        details={"role": staff_role.role, "department": staff_role.department.code},
    )
    staff_role.delete()
