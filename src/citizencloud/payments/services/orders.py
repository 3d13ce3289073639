"""Payment orders: create (one active order per bill), provider results (callbacks and
queries) applied exactly once, stale orders queried and expired."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from citizencloud.kernel import audit, clock, events, money
from citizencloud.payments import errors, ledger, selectors
from citizencloud.payments.models import Bill, BillStatus, Payment, ProviderNotice
from citizencloud.payments.providers import (
    BadSignature,
    Notice,
    PaymentProvider,
    Trade,
    get_provider,
)
from citizencloud.payments.workflow import OPEN, PAID, Action, State, next_state, sources


def fingerprint(text: str) -> str:
    """A provider-supplied reference as it may enter the audit log: hashed, never raw (an
    attacker's "order id" may be anyone's phone number), letters and 2–7 only."""
    digest = hashlib.sha256(text.encode()).digest()[:10]
    return base64.b32encode(digest).decode().lower()


def _local_today() -> dt.date:
    return selectors.local(clock.now()).date()


def _check_payable(bill: Bill) -> None:
    if bill.status == BillStatus.PAID:
        raise errors.bill_not_payable("paid")
    if bill.status == BillStatus.CANCELLED:
        raise errors.bill_not_payable("cancelled")
    if bill.due_date is not None and bill.due_date < _local_today():
        raise errors.bill_not_payable("expired")


def create_payment(
    *,
    user: Any,
    bill_id: str,
    amount_fen: int,
    business: Any = None,
    auto_pay: bool = False,
    request: Any = None,
) -> Payment:
    """A payment order for a bill the user may pay, pending at the provider's cashier.

    A second order for the same bill while one is open returns that order (two tabs share
    one cashier); a paid bill is refused. The bill row is locked, so concurrent requests
    queue; the partial unique index on active orders is the last word."""
    bill = selectors.payable_bill(user=user, bill_id=bill_id, business=business, lock=True)
    if amount_fen != bill.amount_fen:
        raise errors.amount_mismatch()
    current = Payment.objects.filter(bill=bill, state__in=[s.value for s in PAID | OPEN]).first()
    if current is not None:
        if current.state in OPEN:
            if current.payer_id == user.pk:
                return current
            raise errors.bill_not_payable("in_payment")
        raise errors.bill_not_payable("paid")
    _check_payable(bill)
    now = clock.now()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                bill=bill,
                payer=user,
                business=business,
                amount_fen=bill.amount_fen,
                state=State.CREATED,
                provider=get_provider().name,
                auto_pay=auto_pay,
                created_at=now,
                updated_at=now,
                expires_at=now + dt.timedelta(seconds=settings.PAYMENTS_ORDER_TTL_SECONDS),
            )
    except IntegrityError:
        raise errors.bill_not_payable("paid") from None
    payment.state = next_state(State.CREATED, Action.SUBMIT)
    payment.save(update_fields=["state"])
    audit.record(
        action="payments.created",
        actor=user,
        target=payment,
        request=request,
        details={"amount_fen": payment.amount_fen, "bill": str(bill.public_id)},
    )
    return payment


def cashier_url(payment: Payment, provider: PaymentProvider | None = None) -> str:
    """Where to send the payer: the provider's hosted cashier for this order."""
    base = settings.PAYMENTS_PUBLIC_BASE_URL.rstrip("/")
    bill = payment.bill
    return (provider or get_provider()).cashier_url(
        order_id=str(payment.public_id),
        amount_fen=payment.amount_fen,
        subject=f"{bill.biller.name} {bill.period}".strip(),
        return_url=f"{base}/pay/payments/{payment.public_id}/return",
        notify_url=f"{base}/api/v1/payments/callbacks/{payment.provider}",
        expires_at=payment.expires_at,
    )


def transition(payment: Payment, action: Action, **changes: Any) -> bool:
    """Move ``payment`` by ``action`` if it is still in a source state (decided by rowcount)."""
    for source in sorted(sources(action)):
        updated = Payment.objects.filter(pk=payment.pk, state=source).update(
            state=next_state(source, action), updated_at=clock.now(), **changes
        )
        if updated:
            payment.refresh_from_db()
            return True
    return False


def _succeed(
    payment: Payment, trade_no: str, request: Any, paid_at: dt.datetime | None = None
) -> str:
    now = paid_at or clock.now()
    if not transition(payment, Action.SUCCEED, paid_at=now, provider_trade_no=trade_no):
        payment.refresh_from_db()
        if payment.state == State.EXPIRED or payment.state == State.FAILED:
            # Paid at the provider after we gave up on it: finance must refund (reconciliation
            # reports it); the state is not changed behind the ledger's back.
            audit.record(
                action="payments.paid_after_close",
                actor=None,
                target=payment,
                request=request,
                details={"provider_ref": fingerprint(trade_no)},
            )
            return "paid_after_close"
        return "already_applied"
    Bill.objects.filter(pk=payment.bill_id, status=BillStatus.OPEN).update(
        status=BillStatus.PAID, paid_at=now
    )
    ledger.book_payment(payment)
    audit.record(
        action="payments.succeeded",
        actor=None,
        target=payment,
        request=request,
        details={"amount_fen": payment.amount_fen},
    )
    events.emit(
        "payments.succeeded",
        payment_id=str(payment.public_id),
        user_id=str(payment.payer.public_id),
        amount_fen=payment.amount_fen,
        amount=money.yuan(payment.amount_fen),
        biller=payment.bill.biller.name,
    )
    return "succeeded"


def _fail(payment: Payment, request: Any) -> str:
    if not transition(payment, Action.FAIL):
        return "already_applied"
    audit.record(action="payments.failed", actor=None, target=payment, request=request)
    events.emit(
        "payments.failed",
        payment_id=str(payment.public_id),
        user_id=str(payment.payer.public_id),
        biller=payment.bill.biller.name,
    )
    return "failed"


def apply_trade(
    *,
    payment: Payment,
    trade: Trade | Notice,
    request: Any = None,
    paid_at: dt.datetime | None = None,
) -> str:
    """Apply the provider's word on an order (from a callback, a query or a settlement file):
    exactly once. ``paid_at`` is when the provider took the money, if known (settlement day)."""
    if trade.status in ("WAIT_BUYER_PAY", "NOT_FOUND"):
        return "not_final"  # an early or out-of-order notice: nothing to do
    if trade.amount_fen != payment.amount_fen:
        audit.record(
            action="payments.amount_mismatch",
            actor=None,
            target=payment,
            request=request,
            details={"reported_fen": trade.amount_fen, "order_fen": payment.amount_fen},
        )
        return "amount_mismatch"
    if trade.status == "TRADE_SUCCESS":
        return _succeed(payment, trade.trade_no, request, paid_at)
    if trade.status == "TRADE_CLOSED":
        return _fail(payment, request)
    return "unknown_status"


@dataclass(frozen=True)
class CallbackResult:
    accepted: bool  # False: bad signature (answer 401)
    outcome: str


def handle_callback(
    *, provider_name: str, headers: dict[str, str], body: bytes, request: Any = None
) -> CallbackResult:
    """Verify and apply a provider notification once. Every refusal is audited."""
    provider = get_provider()
    if provider_name != provider.name:
        audit.record(
            action="payments.callback_rejected",
            actor=None,
            request=request,
            details={"reason": "unknown provider"},
        )
        return CallbackResult(False, "unknown_provider")
    try:
        notice = provider.verify_callback(headers, body)
    except BadSignature as exc:
        audit.record(
            action="payments.callback_rejected",
            actor=None,
            request=request,
            details={"reason": str(exc)},
        )
        return CallbackResult(False, "bad_signature")
    outcome = _apply_notice(provider_name, notice, request)
    return CallbackResult(True, outcome)


def _apply_notice(provider_name: str, notice: Notice, request: Any) -> str:
    try:
        with transaction.atomic():
            record = ProviderNotice.objects.create(
                provider=provider_name,
                notify_id=notice.notify_id,
                order_id=notice.order_id,
                status=notice.status,
                amount_fen=notice.amount_fen,
                outcome="received",
            )
    except IntegrityError:
        audit.record(
            action="payments.callback_replayed",
            actor=None,
            request=request,
            details={"notice_ref": fingerprint(notice.notify_id)},
        )
        return "replayed"
    payment = selectors.payment_for_update(notice.order_id)
    if payment is None:
        audit.record(
            action="payments.callback_unknown_order",
            actor=None,
            request=request,
            details={"order_ref": fingerprint(notice.order_id)},
        )
        outcome = "unknown_order"
    else:
        outcome = apply_trade(payment=payment, trade=notice, request=request)
    ProviderNotice.objects.filter(pk=record.pk).update(outcome=outcome)
    return outcome


def query_stale(*, payment_id: int, provider: PaymentProvider | None = None) -> str:
    """A pending order with no final callback: ask the provider; close it once expired."""
    payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None or payment.state not in OPEN:
        return "nothing_to_do"
    provider = provider or get_provider()
    Payment.objects.filter(pk=payment.pk).update(last_queried_at=clock.now())
    trade = provider.query(str(payment.public_id))
    if trade.status in ("TRADE_SUCCESS", "TRADE_CLOSED"):
        return apply_trade(payment=payment, trade=trade)
    if payment.expires_at > clock.now():
        return "still_pending"
    closed = provider.close(str(payment.public_id))
    if closed.status == "TRADE_SUCCESS":  # paid in the last moment
        return apply_trade(payment=payment, trade=closed)
    if transition(payment, Action.EXPIRE):
        audit.record(action="payments.expired", actor=None, target=payment)
        return "expired"
    return "already_applied"


def stale_payment_ids(*, limit: int = 200) -> list[int]:
    """Open orders older than the query delay that were not queried in that delay."""
    cutoff = clock.now() - dt.timedelta(seconds=settings.PAYMENTS_QUERY_AFTER_SECONDS)
    rows = Payment.objects.filter(state__in=[s.value for s in OPEN], created_at__lte=cutoff).filter(
        Q(last_queried_at__isnull=True) | Q(last_queried_at__lte=cutoff)
    )
    return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])
