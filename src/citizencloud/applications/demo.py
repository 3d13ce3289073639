"""Demo staff for the departments of the services that take applications: a clerk, a reviewer
and a supervisor each (supervisors decide where the workflow says so and receive escalations)."""

from __future__ import annotations

from citizencloud.applications import definitions
from citizencloud.catalog.models import Service
from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import demo
from citizencloud.org import services as org
from citizencloud.org.models import Role

PASSWORD = "Staff-Demo-2026"  # noqa: S105 - published demo password (development only)


@demo.register(order=40, name="applications")
def seed() -> list[demo.DemoAccount]:
    codes = definitions.service_codes()
    services = Service.objects.select_related("department").filter(code__in=codes)
    accounts = []
    for service in services.order_by("department__code"):
        department = service.department
        # Every department has a supervisor: they decide where the workflow names them and
        # receive the overdue cases the SLA sweep escalates.
        roles = {Role.CLERK, Role.REVIEWER, Role.SUPERVISOR}
        for role in sorted(roles):
            login = f"{role}.{department.code}"
            user = User.objects.filter(username=login).first()
            if user is None:
                user = User.objects.create_user(
                    login, PASSWORD, kind=UserKind.STAFF, display_name=f"{department.name} {role}"
                )
                org.assign_role(user=user, role=role, department=department)
            account = demo.DemoAccount(login, PASSWORD, f"staff:{role}", department.name)
            if account not in accounts:
                accounts.append(account)
    return accounts
