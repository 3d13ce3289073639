"""Plain-function factories for the booking tests: a service point with a department, resources
with slots, citizens and staff (with bearer tokens)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django_tasks_db.models import DBTaskResult

from citizencloud.booking import services
from citizencloud.booking.models import Resource, Slot
from citizencloud.identity.models import User, UserKind
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.sessions import start_session
from citizencloud.kernel import clock, events
from citizencloud.org import services as org
from citizencloud.org.models import Department, Region, ServicePoint

_seq = itertools.count(1)


def create_point(code: str = "hall-t") -> ServicePoint:
    region, _ = Region.objects.get_or_create(
        code="t510100", defaults={"name": "成都市", "tier": "city", "path": "t510100"}
    )
    department, _ = Department.objects.get_or_create(
        code=f"dept-{code}",
        defaults={"name": "政务服务中心", "function": "office", "region": region},
    )
    point, _ = ServicePoint.objects.get_or_create(
        code=code,
        defaults={
            "name": f"测试大厅 {code}",
            "kind": "hall",
            "region": region,
            "department": department,
            "address": "天府大道 1 号",
            "opening_hours": "9:00–17:00",
        },
    )
    return point


def create_resource(
    code: str | None = None, *, point: ServicePoint | None = None, **fields: Any
) -> Resource:
    point = point or create_point()
    code = code or f"res-{next(_seq)}"
    defaults: dict[str, Any] = {
        "name": "综合窗口",
        "kind": "window",
        "point": point,
        "department": point.department,
        "limit_group": code,
        "sessions": [["09:00", "12:00"]],
        "open_on": "daily",
        "capacity": 2,
        "horizon_days": 7,
    }
    defaults.update(fields)
    return Resource.objects.create(code=code, **defaults)


def create_slot(
    resource: Resource | None = None,
    *,
    capacity: int = 2,
    starts_in: dt.timedelta = dt.timedelta(days=1),
    released_ago: dt.timedelta = dt.timedelta(hours=1),
) -> Slot:
    """A slot that starts ``starts_in`` from now and was released ``released_ago``."""
    resource = resource or create_resource(capacity=capacity)
    now = clock.now().replace(microsecond=0)
    starts = now + starts_in + dt.timedelta(seconds=next(_seq))
    return Slot.objects.create(
        resource=resource,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=resource.slot_minutes),
        released_at=now - released_ago,
        capacity=capacity,
    )


def create_citizen(username: str | None = None) -> User:
    user = User(username=username or f"c{uuid.uuid4().hex[:12]}", kind=UserKind.CITIZEN)
    user.set_unusable_password()
    user.save()
    return user


def create_staff(point: ServicePoint, role: str = "clerk") -> User:
    user = User(username=f"s{uuid.uuid4().hex[:12]}", kind=UserKind.STAFF)
    user.set_unusable_password()
    user.save()
    assert point.department is not None
    org.assign_role(user=user, role=role, department=point.department)
    return user


def token_for(user: User) -> str:
    mfa = user.kind == UserKind.STAFF
    _, token = start_session(user=user, mfa=mfa, origin=Origin(ip="127.0.0.1"))
    return token


def book(citizen: User, slot: Slot, key: str | None = None) -> Any:
    return services.book(citizen=citizen, slot_id=slot.pk, request_key=key or uuid.uuid4().hex)


def deliver_events() -> int:
    """Run the event deliveries waiting in the task table, as a worker would."""
    ran = 0
    for row in DBTaskResult.objects.filter(task_path__endswith="deliver", status="READY"):
        events.deliver.func(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
        ran += 1
    return ran
