"""Every read of cases; scoping lives here: citizens see their own, staff their departments'.

A refused look at someone else's case is audited (``applications.access_denied``): citizens get
404 (the case's existence is not theirs to learn), staff of another department 403."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from citizencloud.applications.models import Application, Attachment, Certificate, State, Step
from citizencloud.kernel import audit
from citizencloud.kernel.errors import NotFound, PermissionDenied
from citizencloud.org import selectors as org

READ = "applications:case:read"
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


def department_ids(user: Any) -> set[int]:
    return org.department_ids_permitted(user.pk, READ)


def queue(
    user: Any, *, department_id: int | None = None, state: str | None = None, open_only: bool = True
) -> QuerySet[Application]:
    """Cases of the departments where the staff account may read cases, soonest deadline first."""
    allowed = department_ids(user)
    qs = _cases().defer("form_data").filter(department_id__in=allowed)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if state:
        qs = qs.filter(state=state)
    elif open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.order_by("deadline", "submitted_at")


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
