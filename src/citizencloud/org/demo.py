"""Demo data of the org app: the Chengdu regions, departments and halls, and staff roles."""

from __future__ import annotations

from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import demo
from citizencloud.org import loading, selectors, services
from citizencloud.org.models import Role

# (login, password, role, department code, description)
STAFF = (
    ("staff.hall", "Staff-Demo-2026", Role.CLERK, "cd-office", "政务服务中心工作人员 Hall clerk"),
    (
        "editor.gjj",
        "Editor-Demo-2026",
        Role.CATALOG_EDITOR,
        "cd-gjj",
        "公积金中心事项编辑 Housing fund catalog editor",
    ),
    (
        "editor.hrss",
        "Editor-Demo-2026",
        Role.CATALOG_EDITOR,
        "cd-hrss",
        "市人社局事项编辑 Human resources catalog editor",
    ),
)


@demo.register(order=20, name="org")
def seed() -> list[demo.DemoAccount]:
    loading.load_all()
    accounts = []
    for login, password, role, department_code, description in STAFF:
        user = User.objects.filter(username=login).first()
        if user is None:
            user = User.objects.create_user(
                login, password, kind=UserKind.STAFF, is_staff=True, display_name=description
            )
        elif not user.is_staff:
            # Staff with a catalog role edit in the admin site.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        services.assign_role(
            user=user, role=role, department=selectors.get_department(department_code)
        )
        accounts.append(demo.DemoAccount(login, password, f"staff:{role}", description))
    return [a for a in accounts if a.login != "staff.hall"]
