"""The record kinds: which department system holds each, and the shape its answer must have."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["KINDS", "PURPOSE", "Kind", "get"]

# The purpose every query peer must allow; the legal basis is the citizen's own request.
PURPOSE = "citizen_own_query"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    peer_code: str  # the exchange peer (department system) that holds it
    department_code: str  # the org department whose contacts are shown when it is down
    required: dict[str, type | tuple[type, ...]]  # top-level keys of "data" and their types


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("social_insurance", _("Social insurance"), "dept-hrss", "cd-hrss",
             {"status": str, "pension_account_fen": int, "monthly": list}),
        Kind("medical_insurance", _("Medical insurance"), "dept-medins", "cd-medins",
             {"balance_fen": int, "reimbursements": list}),
        Kind("housing_fund", _("Housing provident fund"), "dept-gjj", "cd-gjj",
             {"balance_fen": int, "monthly_deposit_fen": int, "deposits": list,
              "account_number": str}),
        Kind("real_estate", _("Real estate"), "dept-land", "cd-land", {"properties": list}),
        Kind("vehicles", _("Vehicles and driving licence"), "dept-police", "cd-police",
             {"licence": dict, "vehicles": list, "violations": list}),
        Kind("school_places", _("School places"), "dept-education", "cd-education",
             {"children": list}),
        Kind("vaccinations", _("Vaccinations"), "dept-health", "cd-health", {"records": list}),
    )
}  # fmt: skip


def get(code: str) -> Kind | None:
    return KINDS.get(code)
