"""Plain-function factories for the applications tests: a region, two departments, services with
forms, citizens and staff (with bearer tokens)."""

from __future__ import annotations

import itertools
from typing import Any

from citizencloud.applications import services
from citizencloud.applications.models import Application
from citizencloud.catalog.models import Service, Theme
from citizencloud.identity.models import User, UserKind
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.sessions import start_session
from citizencloud.kernel.masking import mask_name
from citizencloud.org.models import Department, Region, StaffRole

_seq = itertools.count(1)

RENT_FORM = {
    "name": "张三",
    "phone": "13800000001",
    "bank_card": "6222020200001234567",
    "rent_kind": "market",
    "monthly_rent": 1800,
}


def create_region() -> Region:
    region, _ = Region.objects.get_or_create(
        code="t510100", defaults={"name": "成都市", "tier": "city", "path": "t510100"}
    )
    return region


def create_department(code: str = "gjj", name: str = "住房公积金管理中心") -> Department:
    department, _ = Department.objects.get_or_create(
        code=f"t-{code}", defaults={"name": name, "function": code, "region": create_region()}
    )
    return department


def create_service(
    code: str = "gjj-withdraw-rent", department: Department | None = None
) -> Service:
    found = Service.objects.filter(code=code).first()
    if found is not None:
        return found
    theme, _ = Theme.objects.get_or_create(
        code="t-theme", defaults={"name": "测试", "name_en": "Test"}
    )
    return Service.objects.create(
        code=code,
        theme=theme,
        department=department or create_department(),
        tier="city",
        audience="citizen",
        verbs=",query,apply,",
        name=code,
    )


def create_citizen(**overrides: Any) -> User:
    n = next(_seq)
    user = User(
        username=overrides.pop("username", f"citizen{n}"),
        kind=UserKind.CITIZEN,
        real_name=overrides.pop("real_name", "张三"),
        id_number=overrides.pop("id_number", f"5101142001050{n:05d}"[:18]),
        phone=overrides.pop("phone", f"1380000{n:04d}"),
        **overrides,
    )
    user.display_name = mask_name(str(user.real_name))
    user.set_password("x-long-enough-password")
    user.save()
    return user


def create_staff(*roles: str, department: Department | None = None, username: str = "") -> User:
    user = User(username=username or f"staff{next(_seq)}", kind=UserKind.STAFF)
    user.display_name = user.username
    user.set_password("x-long-enough-password")
    user.save()
    # The department of the service the cases are for (the real one when the catalog is loaded).
    department = department or create_service().department
    for role in roles or ("clerk",):
        StaffRole.objects.create(
            user=user, role=role, department=department, region=department.region
        )
    return user


def token_for(user: User) -> dict[str, str]:
    _, token = start_session(user=user, mfa=True, origin=Origin(ip="127.0.0.1"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def create_application(citizen: User | None = None, **form: Any) -> Application:
    create_service()
    return services.submit(
        citizen=citizen or create_citizen(),
        service_code="gjj-withdraw-rent",
        form={**RENT_FORM, **form},
    )
