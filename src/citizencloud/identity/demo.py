"""Demo accounts of the identity app (development only)."""

from __future__ import annotations

from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import demo

ACCOUNTS = (
    ("admin", "Admin-Demo-2026", UserKind.ADMIN, "平台管理员 Platform administrator"),
    ("staff.hall", "Staff-Demo-2026", UserKind.STAFF, "政务服务中心工作人员 Service hall clerk"),
    ("citizen.zhang", "Citizen-Demo-2026", UserKind.CITIZEN, "市民 张三 Citizen Zhang San"),
)


@demo.register(order=10, name="identity")
def seed() -> list[demo.DemoAccount]:
    accounts = []
    for login, password, kind, description in ACCOUNTS:
        if not User.objects.filter(username=login).exists():
            if kind == UserKind.ADMIN:
                User.objects.create_superuser(login, password, display_name=description)
            else:
                User.objects.create_user(login, password, kind=kind, display_name=description)
        accounts.append(demo.DemoAccount(login, password, str(kind), description))
    return accounts
