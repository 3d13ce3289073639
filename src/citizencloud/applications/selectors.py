"""Every read of cases; scoping lives here: citizens see their own, staff their departments'.

A refused look at someone else's case is audited (``applications.access_denied``): citizens get
404 (the case's existence is not theirs to learn), staff of another department 403."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from citizencloud.applications import definitions, sla
from citizencloud.applications.models import Application, Attachment, Certificate, State, Step
from citizencloud.catalog.models import Service
from citizencloud.kernel import audit, clock
from citizencloud.kernel.errors import NotFound, PermissionDenied
from citizencloud.org import selectors as org

READ = "applications:case:read"
SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN_STATES = (
    State.SUBMITTED,
    State.ACCEPTED,
    State.IN_REVIEW,
    State.SUPPLEMENT_REQUESTED,
    State.APPROVED,
)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _cases() -> QuerySet[Application]:
    return Application.objects.select_related("service", "department", "assignee", "citizen")


def _not_found() -> NotFound:
    return NotFound("No such application.", code="applications.not_found")


def mine(user: Any) -> QuerySet[Application]:
    return _cases().filter(citizen_id=user.pk).order_by("-submitted_at")


def get_for_citizen(user: Any, public_id: Any, *, request: Any = None) -> Application:
    """The citizen's own case; someone else's answers 404 and is audited."""
    key = _uuid(public_id)
    case = _cases().filter(public_id=key).first() if key else None
    if case is None:
        raise _not_found()
    if case.citizen_id != user.pk:
        audit.record(
            action="applications.access_denied",
            actor=user,
            target=case,
            details={"as": "citizen"},
            request=request,
        )
        raise _not_found()
    return case


def bundle_for_citizen(user: Any, reference: str, *, request: Any = None) -> list[Application]:
    """The cases one bundle submission (一件事一次办) opened, in the bundle's service order.
    Only the applicant sees them: anyone else gets 404, audited like a single case."""
    rows = (
        list(_cases().filter(bundle_reference=reference[:32]).order_by("pk")) if reference else []
    )
    if not rows:
        raise NotFound("No such bundle of applications.", code="applications.not_found")
    if any(case.citizen_id != user.pk for case in rows):
        audit.record(
            action="applications.access_denied",
            actor=user,
            target=rows[0],
            details={"as": "citizen", "bundle": reference[:32]},
            request=request,
        )
        raise NotFound("No such bundle of applications.", code="applications.not_found")
    return rows


def department_ids(user: Any) -> set[int]:
    return org.department_ids_permitted(user.pk, READ)


ASSIGNEE_FILTERS = ("me", "unassigned")
SLA_COLOURS = ("green", "amber", "red")


def queue(
    user: Any,
    *,
    department_id: int | None = None,
    state: str | None = None,
    open_only: bool = True,
    service: str | None = None,
    assignee: str | None = None,
    sla: str | None = None,
) -> QuerySet[Application]:
    """Cases of the departments where the staff account may read cases, soonest deadline first.

    Filters: ``state``; ``service`` (catalog code); ``assignee`` — ``me``, ``unassigned`` or
    anything else for anyone; ``sla`` — the colour the row shows (``green``/``amber``/``red``,
    see :func:`sla_colour_filter`)."""
    allowed = department_ids(user)
    qs = _cases().defer("form_data").filter(department_id__in=allowed)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if state:
        qs = qs.filter(state=state)
    elif open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if service:
        qs = qs.filter(service__code=service)
    if assignee == "me":
        # Through the assignee index (a person holds few cases); a plain condition would let
        # the planner walk the department's deadline index to the end.
        qs = qs.filter(pk__in=Application.objects.filter(assignee_id=user.pk).values("pk"))
    elif assignee == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    if sla in SLA_COLOURS:
        qs = qs.filter(sla_colour_filter(qs, sla))
    return qs.order_by("deadline", "submitted_at")


def sla_colour_filter(qs: QuerySet[Application], colour: str) -> Q:
    """The rows of ``qs`` whose SLA colour (``presenters.sla_of``) is ``colour``, as a filter.

    A running case is red past its stored deadline and amber when at most 20 % of its working
    days remain (used ≥ 80 %), so for each distinct ``sla_days`` the amber band is a deadline
    range from today: one indexed condition per SLA length, computed in SQL. A paused case
    (waiting for the citizen) keeps the colour it had when the clock stopped; those are few and
    are classified one by one with the same function the rows are drawn with."""
    today = _today()
    cal = definitions.calendar()
    running = Q(paused_since__isnull=True)
    if colour == "red":
        band = Q(deadline__lt=today)
    else:
        amber = Q(pk__in=[])
        lengths = qs.filter(running).order_by().values_list("sla_days", flat=True).distinct()
        for days in lengths:
            if not days:  # no SLA: never amber
                continue
            spare = days - math.ceil(sla.WARN_FRACTION * days)
            last = cal.add_working_days(today, spare)
            amber |= Q(sla_days=days, deadline__gte=today, deadline__lte=last)
        band = amber if colour == "amber" else Q(deadline__gte=today) & ~amber
    paused = [
        pk
        for pk, started, days, paused_days, since in qs.filter(paused_since__isnull=False)
        .order_by()
        .values_list("pk", "started_on", "sla_days", "paused_days", "paused_since")
        if sla.sla_status(
            cal,
            started=started,
            total_days=days,
            paused_days=paused_days,
            today=today,
            paused_since=since,
        ).colour
        == colour
    ]
    return (running & band) | Q(pk__in=paused)


def _today() -> dt.date:
    return clock.now().astimezone(SHANGHAI).date()


def queue_services(user: Any) -> list[tuple[str, str]]:
    """(code, name) of the services that take applications in the staff account's departments:
    the choices of the queue's service filter."""
    codes = definitions.service_codes()
    rows = Service.objects.filter(code__in=codes, department_id__in=department_ids(user))
    return list(rows.order_by("code").values_list("code", "name"))


def get_for_staff(user: Any, public_id: Any, *, request: Any = None) -> Application:
    """A case of one of the staff account's departments; another department's → 403, audited."""
    key = _uuid(public_id)
    case = _cases().filter(public_id=key).first() if key else None
    if case is None:
        raise _not_found()
    if case.department_id not in department_ids(user):
        audit.record(
            action="applications.access_denied",
            actor=user,
            target=case,
            details={"as": "staff", "department": case.department_id},
            request=request,
        )
        raise PermissionDenied(
            "This case belongs to another department.", code="applications.other_department"
        )
    return case


def timeline(case: Application, *, internal: bool = False) -> QuerySet[Step]:
    steps = case.steps.select_related("department").order_by("at", "pk")
    return steps if internal else steps.filter(visibility=Step.Visibility.CITIZEN)


def attachments(case: Application) -> QuerySet[Attachment]:
    return case.attachments.order_by("uploaded_at", "pk")


def certificate_for_verification(public_id: Any) -> Certificate | None:
    """A certificate by its public id, for the public verification page (no owner check)."""
    key = _uuid(public_id)
    if key is None:
        return None
    return (
        Certificate.objects.select_related("application__service", "application__department")
        .filter(public_id=key)
        .first()
    )
