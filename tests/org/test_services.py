"""Staff roles: only staff accounts, within the department's region; scopes and permissions."""

from __future__ import annotations

from typing import Any

import pytest

from citizencloud.identity.models import User, UserKind
from citizencloud.kernel.errors import DomainError
from citizencloud.org import policies, selectors, services
from citizencloud.org.models import Role

pytestmark = pytest.mark.django_db


def staff(name: str = "clerk.li") -> User:
    return User.objects.create_user(name, "pw-123456789", kind=UserKind.STAFF)


def test_a_role_is_scoped_to_the_department_and_its_region() -> None:
    user = staff()
    department = selectors.get_department("510104-hrss")
    role = services.assign_role(user=user, role=Role.REVIEWER, department=department)
    assert role.region.code == "510104"
    scopes = selectors.staff_scopes(user.pk)
    assert scopes == [selectors.Scope("reviewer", department.pk, department.region.path)]
    assert selectors.has_permission(
        user.pk, "applications:review:write", department_id=department.pk
    )
    assert not selectors.has_permission(
        user.pk, "catalog:service:write", department_id=department.pk
    )


def test_assigning_twice_keeps_one_role() -> None:
    user = staff()
    department = selectors.get_department("cd-gjj")
    services.assign_role(user=user, role=Role.CATALOG_EDITOR, department=department)
    services.assign_role(user=user, role=Role.CATALOG_EDITOR, department=department)
    assert user.staff_roles.count() == 1
    assert selectors.department_ids_permitted(user.pk, "catalog:service:write") == {department.pk}


def test_citizens_cannot_hold_staff_roles() -> None:
    citizen = User.objects.create_user("citizen.wang", "pw-123456789")
    with pytest.raises(DomainError) as info:
        services.assign_role(
            user=citizen, role=Role.CLERK, department=selectors.get_department("cd-hrss")
        )
    assert info.value.code == "org.not_staff"


def test_a_role_region_outside_the_department_is_refused() -> None:
    with pytest.raises(DomainError) as info:
        services.assign_role(
            user=staff(),
            role=Role.CLERK,
            department=selectors.get_department("510104-hrss"),
            region=selectors.get_region("510105"),
        )
    assert info.value.code == "org.region_outside_department"


def test_a_district_role_may_cover_a_street_of_that_district() -> None:
    role = services.assign_role(
        user=staff(),
        role=Role.CLERK,
        department=selectors.get_department("510104-hrss"),
        region=selectors.get_region("510104001"),
    )
    assert policies.region_within(role.region.path, "510100/510104")


def test_policies_name_permissions_module_resource_action() -> None:
    for permissions in policies.ROLE_PERMISSIONS.values():
        assert all(len(p.split(":")) == 3 for p in permissions)
    assert policies.permissions_of(["catalog_editor"]) == {
        "catalog:service:read",
        "catalog:service:write",
    }


def test_unknown_codes_are_404_domain_errors() -> None:
    for lookup in (selectors.get_region, selectors.get_department, selectors.get_service_point):
        with pytest.raises(DomainError) as info:
            lookup("nope")
        assert info.value.status == 404


def test_granting_a_role_is_audited() -> None:
    from citizencloud.kernel.models import AuditEntry

    user = staff("clerk.audit")
    services.assign_role(user=user, role=Role.CLERK, department=selectors.get_department("cd-hrss"))
    entry = AuditEntry.objects.filter(action="org.staff_role.granted").latest("id")
    assert entry.details == {"role": "clerk", "department": "cd-hrss", "region": "510100"}


def test_granting_in_the_admin_goes_through_the_rules(admin_client: Any) -> None:
    from citizencloud.kernel.models import AuditEntry

    user = staff("clerk.admin")
    department = selectors.get_department("510104-hrss")
    data = {
        "user": user.pk,
        "role": "clerk",
        "department": department.pk,
        "region": department.region.pk,
    }
    response = admin_client.post("/admin/org/staffrole/add/", data)
    assert response.status_code == 302
    assert user.staff_roles.get().role == "clerk"
    assert AuditEntry.objects.filter(action="org.staff_role.granted").exists()
    citizen = User.objects.create_user("citizen.li", "pw-123456789")
    data["user"] = citizen.pk
    refused = admin_client.post("/admin/org/staffrole/add/", data)
    assert refused.status_code == 409  # org.not_staff, shown as an error page
    assert not citizen.staff_roles.exists()
