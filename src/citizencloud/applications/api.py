"""``/api/v1/applications`` (the applicant) and ``/api/v1/staff/cases`` (the back office)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from citizencloud.applications import presenters, selectors, services
from citizencloud.applications.schemas import (
    ActionIn,
    ApplicationIn,
    ApplicationListItem,
    ApplicationOut,
    BulkIn,
    BulkOut,
    BundleIn,
    BundleOut,
    StaffCaseItem,
    SupplementIn,
)
from citizencloud.identity.auth import AUTH
from citizencloud.kernel.errors import DomainError, PermissionDenied

PAGE = 50
router = Router(tags=["applications"], auth=AUTH)


def _citizen(request: HttpRequest) -> Any:
    user = request.user
    if getattr(user, "kind", "") != "citizen":
        raise PermissionDenied("Only citizens apply.", code="applications.citizens_only")
    return user


def _staff(request: HttpRequest) -> Any:
    user = request.user
    if getattr(user, "kind", "") != "staff":
        raise PermissionDenied("Staff only.", code="applications.staff_only")
    return user


@router.post("/applications", response={201: ApplicationOut}, summary="Apply for a service")
def submit(request: HttpRequest, body: ApplicationIn) -> Status[Any]:
    case = services.submit(
        citizen=_citizen(request), service_code=body.service_code, form=body.form, request=request
    )
    return Status(201, presenters.detail(case, citizen=True))


@router.post(
    "/application-bundles",
    response={201: list[ApplicationListItem]},
    summary="Apply for a bundle of services at once (一件事一次办)",
)
def submit_bundle(request: HttpRequest, body: BundleIn) -> Status[Any]:
    cases = services.submit_bundle(
        citizen=_citizen(request), bundle_code=body.bundle_code, form=body.form, request=request
    )
    return Status(201, [presenters.item(c) for c in cases])


@router.get(
    "/application-bundles/{reference}",
    response=BundleOut,
    summary="One bundle submission: every department's case in parallel",
)
def bundle(request: HttpRequest, reference: str) -> dict[str, Any]:
    cases = selectors.bundle_for_citizen(_citizen(request), reference, request=request)
    return presenters.bundle(cases)


@router.get("/applications", response=list[ApplicationListItem], summary="My applications")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [presenters.item(c) for c in selectors.mine(_citizen(request))[:200]]


@router.get("/applications/{case_id}", response=ApplicationOut, summary="One of my applications")
def one(request: HttpRequest, case_id: str) -> dict[str, Any]:
    case = selectors.get_for_citizen(_citizen(request), case_id, request=request)
    return presenters.detail(case, citizen=True)


def _decode(files: list[dict[str, str]]) -> list[tuple[str, bytes, str]]:
    try:
        return [
            (
                f.get("name", ""),
                base64.b64decode(f.get("content_base64", ""), validate=True),
                f.get("material", ""),
            )
            for f in files
        ]
    except (binascii.Error, ValueError):
        raise DomainError(
            "A file is not valid base64.", code="applications.bad_base64", status=422
        ) from None


@router.post(
    "/applications/{case_id}/supplements",
    response=ApplicationOut,
    summary="Supply what was asked for",
)
def supplement(request: HttpRequest, case_id: str, body: SupplementIn) -> dict[str, Any]:
    case = services.supply(
        citizen=_citizen(request),
        public_id=case_id,
        uploads=_decode(body.files),
        message=body.message,
        request=request,
    )
    return presenters.detail(case, citizen=True)


@router.post("/applications/{case_id}/withdraw", response=ApplicationOut, summary="Withdraw")
def withdraw(request: HttpRequest, case_id: str) -> dict[str, Any]:
    case = services.withdraw(citizen=_citizen(request), public_id=case_id, request=request)
    return presenters.detail(case, citizen=True)


@router.get("/staff/cases", response=list[StaffCaseItem], summary="The staff queue")
def staff_cases(
    request: HttpRequest,
    state: str = "",
    department_id: int | None = None,
    page: int = 1,
    service: str = "",
    assignee: str = "",
    sla: str = "",
) -> list[dict[str, Any]]:
    """Open cases of your departments, soonest deadline first. Filters: ``state``, ``service``
    (catalog code), ``assignee`` (``me``, ``unassigned``; anything else: anyone), ``sla``
    (``green``, ``amber``, ``red``)."""
    staff = _staff(request)
    if sla and sla not in selectors.SLA_COLOURS:
        raise DomainError("Unknown SLA colour.", code="applications.bad_filter", status=422)
    rows = selectors.queue(
        staff,
        department_id=department_id,
        state=state or None,
        service=service or None,
        assignee=assignee or None,
        sla=sla or None,
    )
    start = (max(page, 1) - 1) * PAGE
    return [presenters.queue_item(c) for c in rows[start : start + PAGE]]


@router.post("/staff/cases/bulk", response=BulkOut, summary="One queue action on many cases")
def staff_bulk(request: HttpRequest, body: BulkIn) -> dict[str, int]:
    """``claim``, ``assign`` (to ``assignee``, a colleague of the case's department; supervisors
    only) or ``release``, on at most 100 cases; each case is checked and audited on its own."""
    done, skipped = services.bulk(
        staff=_staff(request),
        action=body.action,
        public_ids=body.ids,
        assignee_login=body.assignee,
        request=request,
    )
    return {"done": done, "skipped": skipped}


@router.post("/staff/cases/{case_id}/actions", response=ApplicationOut, summary="Act on a case")
def staff_action(request: HttpRequest, case_id: str, body: ActionIn) -> dict[str, Any]:
    staff = _staff(request)
    if body.action == "assign":
        case = services.assign(
            staff=staff,
            public_id=case_id,
            assignee_login=body.assignee,
            version=body.version,
            request=request,
        )
    elif body.action == "claim":
        case = services.claim(staff=staff, public_id=case_id, version=body.version, request=request)
    elif body.action == "release":
        case = services.release(
            staff=staff, public_id=case_id, version=body.version, request=request
        )
    else:
        case = services.act(
            staff=staff,
            public_id=case_id,
            action=body.action,
            version=body.version,
            details={"reason": body.reason, "legal_basis": body.legal_basis, "items": body.items},
            message=body.message,
            request=request,
        )
    return presenters.detail(case, citizen=False)
