"""Demo accounts of the identity app (development only): staff and an admin, citizens at L1 and
L2 (people of the demo population registry), a business with an agent."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from citizencloud.identity.models import AgentGrant, Assurance, Business, User, UserKind
from citizencloud.kernel import clock, demo
from citizencloud.kernel.crypto import blind_index
from citizencloud.kernel.masking import mask_name

ACCOUNTS = (
    ("admin", "Admin-Demo-2026", UserKind.ADMIN, "平台管理员 Platform administrator"),
    ("staff.hall", "Staff-Demo-2026", UserKind.STAFF, "政务服务中心工作人员 Service hall clerk"),
)


@dataclass(frozen=True)
class DemoCitizen:
    username: str
    name: str
    id_number: str
    phone: str
    password: str
    assurance: Assurance
    description: str


CITIZENS = (
    DemoCitizen(
        "citizen.zhang",
        "张三",
        "510114200105071682",
        "13800000001",
        "Citizen-Demo-2026",
        Assurance.IDENTITY,
        "市民 张三 (L2), 示范科技 legal representative",
    ),
    DemoCitizen(
        "citizen.li",
        "李四",
        "510122199606038658",
        "13800000002",
        "Citizen-Demo-2026",
        Assurance.PHONE,
        "市民 李四 (L1), agent of 示范科技 (apply, view)",
    ),
)
BUSINESS_NAME = "成都示范科技有限公司"
BUSINESS_USCC = "91510100MA6123456W"


def _citizen(spec: DemoCitizen) -> User:
    found = User.objects.filter(id_number_index=blind_index(spec.id_number)).first()
    if found is not None:
        return found
    now = clock.now()
    user = User(
        username=spec.username,
        display_name=mask_name(spec.name),
        real_name=spec.name,
        id_number=spec.id_number,
        phone=spec.phone,
        password=make_password(spec.password),
        assurance=spec.assurance,
        phone_verified_at=now,
        identity_verified_at=now if spec.assurance == Assurance.IDENTITY else None,
    )
    user.save()
    return user


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
    zhang, li = (_citizen(spec) for spec in CITIZENS)
    for spec in CITIZENS:
        accounts.append(demo.DemoAccount(spec.phone, spec.password, "citizen", spec.description))
    business, _ = Business.objects.get_or_create(
        uscc=BUSINESS_USCC, defaults={"name": BUSINESS_NAME, "legal_representative": zhang}
    )
    if not AgentGrant.objects.filter(business=business, agent=li).exists():
        AgentGrant.objects.create(
            business=business,
            agent=li,
            powers=["apply", "view"],
            granted_by=zhang,
            granted_at=clock.now(),
        )
    return accounts
