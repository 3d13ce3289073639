"""Refunds by finance staff: a second approver above the threshold; sent to the provider by a
task after the commit; the reservation on ``refunded_fen`` makes over-refunding impossible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from citizencloud.kernel import audit, clock, events, money
from citizencloud.kernel.errors import DomainError
from citizencloud.payments import errors, ledger, selectors
from citizencloud.payments.models import Payment, Refund, RefundStatus
from citizencloud.payments.providers import PaymentProvider, ProviderUnavailable, get_provider
from citizencloud.payments.workflow import PAID, needs_second_approver, refund_action

MAX_ATTEMPTS = 5


def _queue(refund: Refund, delay_seconds: float = 0) -> None:
    from citizencloud.payments import tasks

    task = tasks.execute_refund
    if delay_seconds:
        task = task.using(run_after=clock.now() + dt.timedelta(seconds=delay_seconds))
    task.enqueue(refund.pk)


def request_refund(
    *, staff: Any, payment_id: str, amount_fen: int, reason: str, request: Any = None
) -> Refund:
    """Finance staff refund part or all of a paid order."""
    if not selectors.is_finance(staff):
        raise errors.forbidden("payments:refunds:write")
    if amount_fen <= 0:
        raise errors.amount_mismatch()
    payment = selectors.payment_for(staff, payment_id, staff=True)
    # Reserve the amount in one conditional statement: concurrent refunds cannot exceed it.
    reserved = Payment.objects.filter(
        pk=payment.pk,
        state__in=[s.value for s in PAID],
        refunded_fen__lte=F("amount_fen") - amount_fen,
    ).update(refunded_fen=F("refunded_fen") + amount_fen)
    if not reserved:
        raise DomainError(
            _("The refund exceeds what is left of this payment, or it is not paid."),
            code="payments.refund_not_allowed",
            status=409,
        )
    second = needs_second_approver(
        refund_fen=amount_fen, threshold_fen=settings.PAYMENTS_REFUND_APPROVAL_FEN
    )
    refund = Refund.objects.create(
        payment=payment,
        amount_fen=amount_fen,
        reason=reason[:200],
        requested_by=staff,
        status=RefundStatus.AWAITING_APPROVAL if second else RefundStatus.PENDING,
    )
    audit.record(
        action="payments.refund_requested",
        actor=staff,
        target=refund,
        request=request,
        details={"amount_fen": amount_fen, "payment": str(payment.public_id)},
    )
    if not second:
        _queue(refund)
    return refund


def approve_refund(*, staff: Any, refund_id: str, request: Any = None) -> Refund:
    """A second member of finance staff approves a large refund."""
    if not selectors.is_finance(staff):
        raise errors.forbidden("payments:refunds:approve")
    refund = selectors.refund_by_id(refund_id)
    if refund.requested_by_id == staff.pk:
        raise DomainError(
            _("A second person must approve this refund."),
            code="payments.second_approver_required",
            status=403,
        )
    updated = Refund.objects.filter(pk=refund.pk, status=RefundStatus.AWAITING_APPROVAL).update(
        status=RefundStatus.PENDING, approved_by=staff
    )
    if not updated:
        raise DomainError(
            _("This refund is not waiting for approval."),
            code="payments.refund_not_awaiting",
            status=409,
        )
    audit.record(action="payments.refund_approved", actor=staff, target=refund, request=request)
    refund.refresh_from_db()
    _queue(refund)
    return refund


def _release(refund: Refund) -> None:
    Payment.objects.filter(pk=refund.payment_id).update(
        refunded_fen=F("refunded_fen") - refund.amount_fen
    )


def _complete(refund: Refund) -> None:
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    done = (
        Refund.objects.filter(payment=payment, status=RefundStatus.SUCCEEDED).aggregate(
            total=Sum("amount_fen")
        )["total"]
        or 0
    )
    action = refund_action(
        amount_fen=payment.amount_fen, refunded_fen=int(done), refund_fen=refund.amount_fen
    )
    if not Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SUCCEEDED, decided_at=clock.now()
    ):
        return
    from citizencloud.payments.services.orders import transition

    transition(payment, action)
    ledger.book_refund(payment, str(refund.public_id), refund.amount_fen)
    audit.record(
        action="payments.refunded",
        actor=None,
        target=refund,
        details={"amount_fen": refund.amount_fen},
    )
    events.emit(
        "payments.refunded",
        payment_id=str(payment.public_id),
        user_id=str(payment.payer.public_id),
        amount_fen=refund.amount_fen,
        amount=money.yuan(refund.amount_fen),
    )


def execute_refund(*, refund_id: int, provider: PaymentProvider | None = None) -> str:
    """Send a pending refund to the provider (idempotent per refund id); bounded retries."""
    refund = (
        Refund.objects.select_for_update().select_related("payment").filter(pk=refund_id).first()
    )
    if refund is None or refund.status != RefundStatus.PENDING:
        return "nothing_to_do"
    provider = provider or get_provider()
    try:
        ok = provider.refund(
            order_id=str(refund.payment.public_id),
            refund_id=str(refund.public_id),
            amount_fen=refund.amount_fen,
        )
    except ProviderUnavailable:
        ok = None
    if ok:
        _complete(refund)
        return "succeeded"
    attempts = refund.attempts + 1
    Refund.objects.filter(pk=refund.pk).update(attempts=attempts)
    if ok is None and attempts < MAX_ATTEMPTS:
        _queue(refund, delay_seconds=2**attempts)
        return "retry"
    Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.FAILED, decided_at=clock.now()
    )
    _release(refund)
    audit.record(action="payments.refund_failed", actor=None, target=refund)
    return "failed"
