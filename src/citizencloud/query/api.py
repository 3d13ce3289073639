"""``GET /api/v1/me/records/{kind}``: one of the signed-in citizen's records."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from citizencloud.identity.auth import AUTH
from citizencloud.kernel.errors import PermissionDenied
from citizencloud.query import services
from citizencloud.query.schemas import RecordOut

router = Router(tags=["query"], auth=AUTH)

# Like the 我的 page, these routes ask a department: no request transaction is held while it
# answers (ADR 0015); the composition root applies it (``kernel.api.outside_request_transaction``).
OUTSIDE_REQUEST_TRANSACTION = ("me/records/",)


@router.get(
    "/me/records/{kind}",
    response=RecordOut,
    summary="One of my records held by a department (查)",
    description=(
        "Kinds: social_insurance, medical_insurance, housing_fund, real_estate, vehicles, "
        "school_places, vaccinations. Answers within the exchange timeout: when the department "
        "does not answer, the last copy with `stale: true` and `as_of`, or no data."
    ),
)
def my_record(request: HttpRequest, kind: str) -> dict[str, Any]:
    user = request.user
    if getattr(user, "kind", "") != "citizen":
        raise PermissionDenied("Only citizens have records here.", code="query.citizens_only")
    found = services.record(citizen=user, kind=kind, request=request)
    return {
        "kind": found.kind.code,
        "label": str(found.kind.label),
        "status": found.status,
        "stale": found.stale,
        "as_of": found.as_of,
        "department": found.department,
        "contacts": found.contacts,
        "data": found.data,
        "error_code": found.error_code,
        "error": found.error,
    }
