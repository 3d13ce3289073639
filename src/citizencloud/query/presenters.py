"""What a card shows: a headline figure and a few rows per record kind, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from citizencloud.kernel import money
from citizencloud.kernel.masking import mask_bank_card
from citizencloud.query.services import Record

__all__ = ["Card", "card", "yuan"]


def yuan(fen: Any) -> str:
    """Integer fen as ``¥12,345.67``."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        return "—"
    return "¥" + money.yuan(fen)


@dataclass
class Card:
    record: Record
    headline_label: str = ""
    headline: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _rows(kind: str, d: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]], list[str]]:
    if kind == "social_insurance":
        rows = [
            (_("Status"), str(d.get("status", ""))),
            (_("Months paid"), str(d.get("paid_months", ""))),
        ]
        items = [
            f"{m.get('month')}: {yuan(m.get('pension_fen'))}" for m in d.get("monthly", [])[:3]
        ]
        return _("Pension account"), yuan(d.get("pension_account_fen")), rows, items
    if kind == "medical_insurance":
        items = [
            f"{r.get('date')} {r.get('hospital')}: {yuan(r.get('reimbursed_fen'))}"
            for r in d.get("reimbursements", [])
        ]
        return (
            _("Balance"),
            yuan(d.get("balance_fen")),
            [(_("Scheme"), str(d.get("category", "")))],
            items,
        )
    if kind == "housing_fund":
        rows = [
            (_("Monthly deposit"), yuan(d.get("monthly_deposit_fen"))),
            (_("Status"), str(d.get("status", ""))),
            (_("Card for withdrawals"), mask_bank_card(str(d.get("bank_card", "")))),
        ]
        loan = d.get("loan")
        if isinstance(loan, dict):
            rows.append((_("Loan outstanding"), yuan(loan.get("remaining_fen"))))
        return _("Balance"), yuan(d.get("balance_fen")), rows, []
    if kind == "real_estate":
        props = d.get("properties", [])
        items = [f"{p.get('address')} · {p.get('area_m2')} m²" for p in props]
        return _("Homes registered"), str(len(props)), [], items
    if kind == "vehicles":
        licence = d.get("licence", {})
        rows = [
            (_("Licence class"), str(licence.get("class", ""))),
            (_("Valid until"), str(licence.get("valid_until", ""))),
        ]
        rows += [
            (_("Vehicle"), f"{v.get('plate')} {v.get('model')}") for v in d.get("vehicles", [])
        ]
        open_violations = [v for v in d.get("violations", []) if not v.get("handled")]
        items = [
            f"{v.get('date')} {v.get('act')} ({yuan(v.get('fine_fen'))})" for v in open_violations
        ]
        return _("Points deducted"), str(licence.get("points_deducted", "")), rows, items
    if kind == "school_places":
        children = d.get("children", [])
        items = [f"{c.get('child')} · {c.get('school')} · {c.get('grade')}" for c in children]
        return _("Children enrolled"), str(len(children)), [], items
    if kind == "vaccinations":
        shots = d.get("records", [])
        items = [
            f"{r.get('date')} {r.get('vaccine')} · " + _("dose %(n)s") % {"n": r.get("dose")}
            for r in shots
        ]
        return _("Doses recorded"), str(len(shots)), [], items
    return "", "", [], []


def card(record: Record) -> Card:
    if record.data is None:
        return Card(record)
    label, headline, rows, items = _rows(record.kind.code, record.data)
    return Card(record, label, headline, rows, items)
