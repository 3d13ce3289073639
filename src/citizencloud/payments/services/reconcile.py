"""Daily reconciliation: the provider's settlement file against our orders and ledger.

Safe fixes are applied (an order still pending here but settled as paid is a missed callback:
it is completed; a pending refund the provider settled is completed); everything else is
reported to finance staff. The whole run is one transaction: a worker killed half-way leaves
nothing, and the next run starts again (postings are keyed, so nothing is booked twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from citizencloud.kernel import audit, clock
from citizencloud.payments import ledger, selectors
from citizencloud.payments.models import Payment, Reconciliation, Refund, RefundStatus
from citizencloud.payments.providers import PaymentProvider, SettlementLine, Trade, get_provider
from citizencloud.payments.workflow import OPEN, PAID


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=selectors.LOCAL)
    return start, start + dt.timedelta(days=1)


def _payment(
    line: SettlementLine, fixed: list[Any], issues: list[Any], paid_by: dt.datetime
) -> str | None:
    from citizencloud.payments.services.orders import apply_trade

    payment = selectors.payment_for_update(line.order_id)
    if payment is None:
        issues.append({"kind": "unknown_order", "order_id": line.order_id, "fen": line.amount_fen})
        return None
    if line.amount_fen != payment.amount_fen:
        issues.append(
            {
                "kind": "amount_mismatch",
                "order_id": line.order_id,
                "provider_fen": line.amount_fen,
                "ours_fen": payment.amount_fen,
            }
        )
        return None
    if payment.state in OPEN:
        trade = Trade(line.order_id, "TRADE_SUCCESS", line.reference, line.amount_fen)
        # The money was taken on the settlement day: book it there, so the next day's run does
        # not report it as missing from its settlement file.
        apply_trade(payment=payment, trade=trade, paid_at=min(clock.now(), paid_by))
        fixed.append({"kind": "completed_pending_order", "order_id": line.order_id})
    elif payment.state not in PAID:
        issues.append(
            {
                "kind": "paid_after_close",
                "order_id": line.order_id,
                "state": payment.state,
                "fen": line.amount_fen,
            }
        )
        return None
    ledger.book_settlement(payment)
    return line.order_id


def _refund(line: SettlementLine, fixed: list[Any], issues: list[Any]) -> str | None:
    from citizencloud.payments.services.refunds import _complete

    refund = (
        Refund.objects.select_related("payment__bill__biller", "payment__payer")
        .filter(public_id=selectors.as_uuid(line.reference))
        .first()
        if _is_uuid(line.reference)
        else None
    )
    if refund is None or refund.amount_fen != line.amount_fen:
        issues.append(
            {
                "kind": "unknown_or_mismatched_refund",
                "refund_id": line.reference,
                "fen": line.amount_fen,
            }
        )
        return None
    if refund.status == RefundStatus.PENDING:
        _complete(refund)
        fixed.append({"kind": "completed_pending_refund", "refund_id": line.reference})
    ledger.book_refund_settlement(refund.payment, line.reference, line.amount_fen)
    return line.reference


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def reconcile(*, day: dt.date, provider: PaymentProvider | None = None) -> Reconciliation:
    """Reconcile ``day`` (Asia/Shanghai) once; a finished day is returned as it is."""
    run, _ = Reconciliation.objects.select_for_update().get_or_create(day=day)
    if run.status == "done":
        return run
    lines = (provider or get_provider()).settlement(day)
    fixed: list[Any] = []
    issues: list[Any] = []
    start, end = _day_bounds(day)
    last_moment = end - dt.timedelta(microseconds=1)
    seen_orders = {
        o
        for o in (_payment(x, fixed, issues, last_moment) for x in lines if x.kind == "payment")
        if o
    }
    seen_refunds = {
        r for r in (_refund(x, fixed, issues) for x in lines if x.kind == "refund") if r
    }
    ours = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end)
    for public_id in ours.values_list("public_id", flat=True):
        if str(public_id) not in seen_orders:
            issues.append({"kind": "missing_in_settlement", "order_id": str(public_id)})
    done_refunds = Refund.objects.filter(
        Q(status=RefundStatus.SUCCEEDED), decided_at__gte=start, decided_at__lt=end
    )
    for public_id in done_refunds.values_list("public_id", flat=True):
        if str(public_id) not in seen_refunds:
            issues.append({"kind": "refund_missing_in_settlement", "refund_id": str(public_id)})
    run.status, run.finished_at, run.settled_count = "done", clock.now(), len(lines)
    run.fixed, run.issues = fixed, issues
    run.save()
    audit.record(
        action="payments.reconciled",
        actor=None,
        target=run,
        target_label=str(day),
        details={"lines": len(lines), "fixed": len(fixed), "issues": len(issues)},
    )
    return run
