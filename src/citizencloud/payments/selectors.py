"""Every read of the payments app; scoping to what the subject may see lives here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, QuerySet

from citizencloud.payments import errors
from citizencloud.payments.models import (
    Bill,
    Biller,
    BillerAccount,
    BindingStatus,
    Payment,
    Reconciliation,
    Refund,
)

LOCAL = ZoneInfo("Asia/Shanghai")


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL)


def bindings(user: Any) -> QuerySet[BillerAccount]:
    return BillerAccount.objects.filter(holder=user).select_related("biller").order_by("-pk")


def visible_bills(user: Any, business: Any = None) -> QuerySet[Bill]:
    """Bills of accounts the user bound and the biller confirmed."""
    confirmed = BillerAccount.objects.filter(
        holder=user,
        status=BindingStatus.CONFIRMED,
        biller=OuterRef("biller"),
        account_number=OuterRef("account_number"),
    )
    if business is not None:
        confirmed = confirmed.filter(business=business)
    return (
        Bill.objects.filter(Exists(confirmed))
        .select_related("biller")
        .order_by("status", "due_date", "pk")
    )


def bill_for(user: Any, bill_id: str, business: Any = None) -> Bill:
    bill = visible_bills(user, business).filter(public_id=as_uuid(bill_id)).first()
    if bill is None:
        raise errors.not_found()
    return bill


def payable_bill(*, user: Any, bill_id: str, business: Any = None, lock: bool = False) -> Bill:
    bill = bill_for(user, bill_id, business)
    if lock:
        bill = Bill.objects.select_for_update().select_related("biller").get(pk=bill.pk)
    return bill


def as_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise errors.not_found() from None


def payment_for(user: Any, payment_id: str, *, staff: bool = False) -> Payment:
    rows = Payment.objects.select_related("bill__biller", "payer")
    payment = rows.filter(public_id=as_uuid(payment_id)).first()
    if payment is None or (not staff and payment.payer_id != user.pk):
        raise errors.not_found()
    return payment


def payment_for_update(order_id: str) -> Payment | None:
    try:
        key = str(uuid.UUID(order_id))
    except ValueError:
        return None
    return (
        Payment.objects.select_for_update()
        .select_related("bill__biller", "payer")
        .filter(public_id=key)
        .first()
    )


def history(user: Any) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(payer=user)
        .select_related("bill__biller")
        .order_by("-created_at", "-pk")
    )


def refund_by_id(refund_id: str) -> Refund:
    refund = Refund.objects.select_related("payment").filter(public_id=as_uuid(refund_id)).first()
    if refund is None:
        raise errors.not_found()
    return refund


def biller_by_code(code: str) -> Biller | None:
    return Biller.objects.filter(code=code, active=True).first()


def reconciliation(day: dt.date) -> Reconciliation | None:
    return Reconciliation.objects.filter(day=day).first()


def reconciliations() -> QuerySet[Reconciliation]:
    return Reconciliation.objects.order_by("-day")


def is_finance(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and getattr(user, "kind", "") in ("staff", "admin")
        and user.has_perm("payments.finance")
    )
