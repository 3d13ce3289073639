"""Demo data (development only): bookable windows in two halls, a hospital department and one
of its doctors, a community room, their slots, and a staff account for the queue and schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from citizencloud.booking import services
from citizencloud.booking.models import Resource
from citizencloud.catalog.models import Service
from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import demo
from citizencloud.org import services as org
from citizencloud.org.models import Role, ServicePoint

STAFF = ("booking.staff", "Staff-Demo-2026", "预约与叫号工作人员 Booking and queue staff")
WORKDAY = [["09:00", "12:00"], ["13:30", "17:00"]]
HOSPITAL = [["08:00", "11:30"], ["13:30", "17:00"]]
ROOM = [["09:00", "12:00"], ["14:00", "17:00"]]


def _resources() -> list[dict[str, Any]]:
    room = ServicePoint.objects.filter(kind="community").order_by("code").first()
    found = [
        dict(code="hall-city-id-card", point="hall-city", service="hj-id-card-renew",
             name="身份证换领补领窗口", name_en="ID card window", kind="window",
             sessions=WORKDAY, capacity=6, slot_minutes=30, prefix="A"),
        dict(code="hall-exit-entry-passport", point="hall-exit-entry", service="crj-passport",
             name="普通护照办理", name_en="Passports", kind="window",
             sessions=WORKDAY, capacity=8, slot_minutes=30, prefix="B", open_on="daily"),
        dict(code="hosp-wchsu-cardiology", point="hosp-wchsu", service="jk-hospital-appointment",
             name="心内科普通门诊", name_en="Cardiology outpatients", kind="department",
             sessions=HOSPITAL, capacity=10, slot_minutes=30, prefix="H", open_on="daily"),
        dict(code="hosp-wchsu-cardiology-expert", point="hosp-wchsu",
             service="jk-hospital-appointment", name="心内科专家门诊（王医生）",
             name_en="Cardiology expert clinic (Dr Wang)", kind="doctor",
             sessions=[["08:30", "11:30"]], capacity=3, slot_minutes=30, prefix="E"),
    ]  # fmt: skip
    if room is not None:
        found.append(
            dict(code=f"room-{room.code}", point=room.code, service="",
                 name="社区活动室", name_en="Community room", kind="room",
                 sessions=ROOM, capacity=1, slot_minutes=60, prefix="R", open_on="daily")
        )  # fmt: skip
    return found


@demo.register(order=50, name="booking")
def seed() -> list[demo.DemoAccount]:
    staff = User.objects.filter(username=STAFF[0]).first()
    if staff is None:
        staff = User.objects.create_user(
            STAFF[0], STAFF[1], kind=UserKind.STAFF, display_name=STAFF[2]
        )
    for spec in _resources():
        point = ServicePoint.objects.filter(code=spec["point"]).first()
        if point is None or point.department is None:
            continue
        service = Service.objects.filter(code=spec["service"]).first()
        resource, _ = Resource.objects.get_or_create(
            code=spec["code"],
            defaults=dict(
                name=spec["name"],
                name_en=spec["name_en"],
                kind=spec["kind"],
                point=point,
                department=point.department,
                service=service,
                limit_group=spec["code"] if spec["kind"] != "window" else spec["service"],
                queue_prefix=spec["prefix"],
                sessions=spec["sessions"],
                open_on=spec.get("open_on", "workdays"),
                slot_minutes=spec["slot_minutes"],
                capacity=spec["capacity"],
                release_time=dt.time(8, 0),
            ),
        )
        services.generate_slots(resource)
        for role in (Role.CLERK, Role.SUPERVISOR):
            org.assign_role(user=staff, role=role, department=point.department)
    return [demo.DemoAccount(STAFF[0], STAFF[1], "staff:booking", STAFF[2])]
