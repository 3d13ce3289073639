"""Reads of the org app: regions, departments, service points, and the scopes of staff."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from citizencloud.kernel.errors import NotFound
from citizencloud.org import policies
from citizencloud.org.models import Department, Region, ServicePoint, StaffRole, Tier

__all__ = [
    "Holder",
    "Scope",
    "department_ids_permitted",
    "departments",
    "get_department",
    "get_region",
    "get_service_point",
    "has_permission",
    "regions",
    "service_points",
    "staff_holding",
    "staff_scopes",
    "subtree",
]


def regions(*, tier: str | None = None, parent: str | None = None) -> QuerySet[Region]:
    """Regions, optionally of one tier or children of the region with code ``parent``."""
    qs = Region.objects.select_related("parent")
    if tier:
        qs = qs.filter(tier=tier)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs.order_by("path")


def get_region(code: str) -> Region:
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise NotFound(f"No region has the code {code!r}.", code="org.region_not_found")
    return region


def subtree(region: Region) -> Q:
    """A filter on ``region`` lookups selecting ``region`` and everything below it."""
    return Q(region__path=region.path) | Q(region__path__startswith=region.path + "/")


def districts() -> QuerySet[Region]:
    return regions(tier=Tier.DISTRICT)


def departments(
    *, region: str | None = None, function: str | None = None, tier: str | None = None
) -> QuerySet[Department]:
    """Departments, optionally in a region's subtree, of one function or tier."""
    qs = Department.objects.select_related("region")
    if region:
        qs = qs.filter(subtree(get_region(region)))
    if function:
        qs = qs.filter(function=function)
    if tier:
        qs = qs.filter(region__tier=tier)
    return qs.order_by("region__path", "code")


def get_department(code: str) -> Department:
    department = Department.objects.select_related("region").filter(code=code).first()
    if department is None:
        raise NotFound(f"No department has the code {code!r}.", code="org.department_not_found")
    return department


def service_points(*, region: str | None = None, kind: str | None = None) -> QuerySet[ServicePoint]:
    """Service points, optionally in a region's subtree and of one kind."""
    qs = ServicePoint.objects.select_related("region", "department")
    if region:
        qs = qs.filter(subtree(get_region(region)))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__path", "code")


def get_service_point(code: str) -> ServicePoint:
    point = ServicePoint.objects.select_related("region", "department").filter(code=code).first()
    if point is None:
        raise NotFound(f"No service point has the code {code!r}.", code="org.point_not_found")
    return point


@dataclass(frozen=True)
class Scope:
    """One role of a staff account: in which department, over which region subtree."""

    role: str
    department_id: int
    region_path: str


def staff_scopes(user_id: int) -> list[Scope]:
    """Every role the staff account holds, with its department and region."""
    rows = StaffRole.objects.filter(user_id=user_id, user__kind="staff").values_list(
        "role", "department_id", "region__path"
    )
    return [Scope(role, department_id, path) for role, department_id, path in rows]


def has_permission(user_id: int, permission: str, *, department_id: int) -> bool:
    """May this staff account use ``permission`` in the department with id ``department_id``?"""
    return department_id in department_ids_permitted(user_id, permission)


def department_ids_permitted(user_id: int, permission: str) -> set[int]:
    """Ids of the departments in which the account's roles grant ``permission``."""
    return {
        scope.department_id
        for scope in staff_scopes(user_id)
        if policies.grants(scope.role, permission)
    }


@dataclass(frozen=True)
class Holder:
    """A staff account that holds one of some roles in a department."""

    user_id: int
    public_id: str
    login: str
    display_name: str
    role: str
    department_id: int


def staff_holding(department_ids: set[int] | list[int], roles: tuple[str, ...]) -> list[Holder]:
    """The staff accounts holding one of ``roles`` in these departments (by department, role,
    then the oldest grant first), e.g. a department's supervisors or the colleagues a case may
    be given to."""
    rows = (
        StaffRole.objects.filter(
            department_id__in=list(department_ids), role__in=roles, user__kind="staff"
        )
        .filter(user__is_active=True)
        .order_by("department_id", "role", "granted_at", "pk")
        .values_list(
            "user_id",
            "user__public_id",
            "user__username",
            "user__display_name",
            "role",
            "department_id",
        )
    )
    return [Holder(u, str(p), login, name, role, d) for u, p, login, name, role, d in rows]
