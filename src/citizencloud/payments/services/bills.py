"""Billers, bills (signed biller API and CSV import) and account bindings (户号)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from citizencloud.kernel import audit, clock
from citizencloud.kernel.errors import DomainError
from citizencloud.payments import errors, selectors
from citizencloud.payments.models import (
    Bill,
    Biller,
    BillerAccount,
    BillerKind,
    BindingStatus,
)

ACCOUNT_NUMBER = re.compile(r"^[0-9A-Za-z-]{4,40}$")
REFERENCE = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_BILL_FEN = 100_000_000  # one million yuan: anything above is a typo, not a bill


def register_biller(
    *, code: str, name: str, kind: str, secret: str, department_code: str = "", actor: Any = None
) -> Biller:
    """Admin: register a biller (idempotent by ``code``)."""
    if kind not in BillerKind.values:
        raise DomainError(_("Unknown biller kind."), code="payments.bad_biller_kind", status=422)
    biller, created = Biller.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "api_secret": secret,
            "department_code": department_code,
        },
    )
    if created:
        audit.record(
            action="payments.biller_registered", actor=actor, target=biller, target_label=code
        )
    return biller


@dataclass
class ImportReport:
    accepted: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _parse_amount(text: str) -> int:
    """Integer fen only: '12345' → 12345. Fractions, signs and zero are refused."""
    if not text.isdigit():
        raise ValueError("amount_fen must be a whole positive number of fen")
    value = int(text)
    if not 0 < value <= MAX_BILL_FEN:
        raise ValueError("amount_fen out of range")
    return value


def _row_error(row: dict[str, Any]) -> str | None:
    reference, account = str(row.get("reference") or ""), str(row.get("account_number") or "")
    if not REFERENCE.match(reference):
        return "bad reference"
    if not ACCOUNT_NUMBER.match(account):
        return "bad account_number"
    try:
        _parse_amount(str(row.get("amount_fen") or "").strip())
    except ValueError as exc:
        return str(exc)
    due = str(row.get("due_date") or "").strip()
    if due:
        try:
            if not DATE.match(due):
                raise ValueError(due)
            dt.date.fromisoformat(due)
        except ValueError:
            return "bad due_date"
    return None


def _store_bill(biller: Biller, row: dict[str, Any]) -> str:
    """'accepted', 'unchanged' or a rejection reason. Bills are immutable once received."""
    amount = _parse_amount(str(row["amount_fen"]).strip())
    due = str(row.get("due_date") or "").strip()
    fields = {
        "account_number": str(row["account_number"]),
        "amount_fen": amount,
        "period": str(row.get("period") or "")[:20],
        "description": str(row.get("description") or "")[:200],
        "due_date": dt.date.fromisoformat(due) if due else None,
    }
    existing = Bill.objects.filter(biller=biller, reference=row["reference"]).first()
    if existing is not None:
        same = all(getattr(existing, key) == value for key, value in fields.items())
        return "unchanged" if same else "reference already used for another bill"
    try:
        with transaction.atomic():
            Bill.objects.create(biller=biller, reference=str(row["reference"]), **fields)
    except IntegrityError:
        return "reference already used for another bill"
    return "accepted"


def receive_bills(*, biller: Biller, rows: list[dict[str, Any]]) -> ImportReport:
    """Store bills from the biller (API or CSV); each row is validated on its own."""
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        reason = _row_error(row) or _store_bill(biller, row)
        if reason == "accepted":
            report.accepted += 1
        elif reason == "unchanged":
            report.unchanged += 1
        else:
            report.rejected.append(
                {"row": number, "reference": str(row.get("reference", ""))[:64], "reason": reason}
            )
    audit.record(
        action="payments.bills_received",
        actor=None,
        target=biller,
        details={"accepted": report.accepted, "rejected": len(report.rejected)},
    )
    return report


CSV_COLUMNS = ("reference", "account_number", "amount_fen", "period", "due_date", "description")


def import_bills_csv(*, biller: Biller, text: str) -> ImportReport:
    """Import a CSV with the header ``reference,account_number,amount_fen[,period,due_date,
    description]``; rows that fail validation are listed in the report, the rest are stored."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"reference", "account_number", "amount_fen"} - set(reader.fieldnames or [])
    if missing:
        raise DomainError(
            f"CSV header lacks {', '.join(sorted(missing))}.",
            code="payments.bad_csv_header",
            status=422,
        )
    return receive_bills(biller=biller, rows=list(reader))


def bind_account(
    *, user: Any, biller_code: str, account_number: str, business: Any = None
) -> BillerAccount:
    """Ask to bind ``account_number`` at the biller; pending until the biller confirms it."""
    biller = Biller.objects.filter(code=biller_code, active=True).first()
    if biller is None:
        raise errors.not_found()
    account_number = account_number.strip()
    if not ACCOUNT_NUMBER.match(account_number):
        raise DomainError(
            _("That is not an account number."), code="payments.bad_account_number", status=422
        )
    live = BillerAccount.objects.filter(biller=biller, account_number=account_number, holder=user)
    existing = live.exclude(status=BindingStatus.REJECTED).first()
    if existing is not None:
        return existing
    binding = BillerAccount.objects.create(
        biller=biller,
        account_number=account_number,
        holder=user,
        business=business,
        status=BindingStatus.PENDING,
    )
    audit.record(
        action="payments.account_bind_requested",
        actor=user,
        target=binding,
        target_label=biller.code,
    )
    return binding


def decide_binding(*, biller: Biller, binding_id: str, confirmed: bool) -> BillerAccount:
    """The biller confirms (or rejects) that the person holds the account."""
    binding = BillerAccount.objects.filter(
        biller=biller, public_id=selectors.as_uuid(binding_id)
    ).first()
    if binding is None:
        raise errors.not_found()
    status = BindingStatus.CONFIRMED if confirmed else BindingStatus.REJECTED
    updated = BillerAccount.objects.filter(pk=binding.pk, status=BindingStatus.PENDING).update(
        status=status, decided_at=clock.now()
    )
    if updated:
        audit.record(
            action=f"payments.account_{status}",
            actor=None,
            target=binding,
            target_label=biller.code,
        )
    binding.refresh_from_db()
    return binding
