"""``/api/v1``: my bills and accounts, payment orders, refunds (finance staff), the provider's
callbacks and the biller API (signed by the biller)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from citizencloud.identity.auth import AUTH
from citizencloud.kernel import errors as kernel_errors
from citizencloud.kernel.idempotency import idempotent
from citizencloud.payments import billers, selectors, services
from citizencloud.payments.errors import forbidden
from citizencloud.payments.models import Bill, BillerAccount, Payment, Refund
from citizencloud.payments.schemas import (
    BillOut,
    BillsIn,
    BindingDecisionIn,
    BindingIn,
    BindingOut,
    CallbackOut,
    ImportOut,
    PaymentIn,
    PaymentOut,
    ReconciliationOut,
    RefundIn,
    RefundOut,
)
from citizencloud.payments.services.orders import cashier_url

router = Router(tags=["payments"])


def _acting_business(request: HttpRequest) -> Any:
    session = getattr(request, "identity_session", None)
    return getattr(session, "acting_as", None)


def bill_out(bill: Bill) -> BillOut:
    return BillOut(
        id=str(bill.public_id),
        biller=bill.biller.code,
        biller_name=bill.biller.name,
        account_number=bill.account_number,
        period=bill.period,
        description=bill.description,
        amount_fen=bill.amount_fen,
        due_date=bill.due_date,
        status=bill.status,
    )


def binding_out(binding: BillerAccount) -> BindingOut:
    return BindingOut(
        id=str(binding.public_id),
        biller=binding.biller.code,
        account_number=binding.account_number,
        status=binding.status,
    )


def payment_out(payment: Payment, *, with_cashier: bool = False) -> PaymentOut:
    return PaymentOut(
        id=str(payment.public_id),
        bill_id=str(payment.bill.public_id),
        amount_fen=payment.amount_fen,
        refunded_fen=payment.refunded_fen,
        state=payment.state,
        paid_at=payment.paid_at,
        cashier_url=cashier_url(payment) if with_cashier and payment.state == "pending" else None,
    )


def refund_out(refund: Refund) -> RefundOut:
    return RefundOut(
        id=str(refund.public_id),
        payment_id=str(refund.payment.public_id),
        amount_fen=refund.amount_fen,
        status=refund.status,
    )


@router.get("/me/bills", response=list[BillOut], auth=AUTH, summary="My open and paid bills")
def my_bills(request: HttpRequest) -> list[BillOut]:
    return [bill_out(b) for b in selectors.visible_bills(request.user, _acting_business(request))]


@router.get(
    "/me/biller-accounts",
    response=list[BindingOut],
    auth=AUTH,
    summary="My bound account numbers (户号)",
)
def my_accounts(request: HttpRequest) -> list[BindingOut]:
    return [binding_out(b) for b in selectors.bindings(request.user)]


@router.post(
    "/me/biller-accounts",
    response={201: BindingOut},
    auth=AUTH,
    summary="Bind an account number; pending until the biller confirms",
)
def bind(request: HttpRequest, body: BindingIn) -> Status[BindingOut]:
    binding = services.bind_account(
        user=request.user,
        biller_code=body.biller,
        account_number=body.account_number,
        business=_acting_business(request),
    )
    return Status(201, binding_out(binding))


def _may_pay(request: HttpRequest) -> Any:
    business = _acting_business(request)
    if business is not None:
        from citizencloud.identity.policies import powers_for

        if "pay" not in powers_for(request.user, business):  # type: ignore[arg-type]
            raise forbidden("payments:orders:write")
    return business


@idempotent(required=True)
def _create(request: HttpRequest, body: PaymentIn) -> HttpResponse:
    payment = services.create_payment(
        user=request.user,
        bill_id=body.bill_id,
        amount_fen=body.amount_fen,
        business=_may_pay(request),
        request=request,
    )
    out = payment_out(payment, with_cashier=True)
    return JsonResponse(out.model_dump(mode="json"), status=201)


@router.post(
    "/payments",
    response={201: PaymentOut},
    auth=AUTH,
    summary="Open a payment order (Idempotency-Key required); pay at cashier_url",
)
def create_payment(request: HttpRequest, body: PaymentIn) -> HttpResponse:
    # The idempotency scope is per account, so the key is claimed after authentication.
    return _create(request, body)


@router.get("/payments/{payment_id}", response=PaymentOut, auth=AUTH, summary="One payment")
def get_payment(request: HttpRequest, payment_id: str) -> PaymentOut:
    staff = selectors.is_finance(request.user)
    payment = selectors.payment_for(request.user, payment_id, staff=staff)
    return payment_out(payment, with_cashier=payment.payer_id == request.user.pk)


@idempotent(required=True)
def _refund(request: HttpRequest, payment_id: str, body: RefundIn) -> HttpResponse:
    refund = services.request_refund(
        staff=request.user,
        payment_id=payment_id,
        amount_fen=body.amount_fen,
        reason=body.reason,
        request=request,
    )
    return JsonResponse(refund_out(refund).model_dump(mode="json"), status=201)


@router.post(
    "/payments/{payment_id}/refunds",
    response={201: RefundOut},
    auth=AUTH,
    summary="Finance staff: refund (a second approver above the threshold)",
)
def refund(request: HttpRequest, payment_id: str, body: RefundIn) -> HttpResponse:
    return _refund(request, payment_id, body)


@router.post(
    "/refunds/{refund_id}/approval",
    response=RefundOut,
    auth=AUTH,
    summary="Finance staff: approve another person's refund",
)
def approve(request: HttpRequest, refund_id: str) -> RefundOut:
    return refund_out(
        services.approve_refund(staff=request.user, refund_id=refund_id, request=request)
    )


@router.get(
    "/finance/reconciliations/{day}",
    response=ReconciliationOut,
    auth=AUTH,
    summary="Finance staff: the reconciliation report of a day",
)
def reconciliation(request: HttpRequest, day: dt.date) -> ReconciliationOut:
    if not selectors.is_finance(request.user):
        raise forbidden("payments:reconciliation:read")
    run = selectors.reconciliation(day)
    if run is None:
        raise kernel_errors.NotFound("Not reconciled yet.", code="payments.not_reconciled")
    return ReconciliationOut(
        day=run.day,
        status=run.status,
        settled_count=run.settled_count,
        fixed=run.fixed,
        issues=run.issues,
    )


@router.post(
    "/payments/callbacks/{provider}",
    response={200: CallbackOut, 401: CallbackOut},
    auth=None,
    summary="Provider notifications (signed; processed once)",
)
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    # Answered, never raised: the audit entry of a refusal must commit with the response.
    result = services.handle_callback(
        provider_name=provider[:20],
        headers=dict(request.headers),
        body=request.body,
        request=request,
    )
    return JsonResponse({"outcome": result.outcome}, status=200 if result.accepted else 401)


# --- the biller API (machine clients, HMAC per biller) ------------------------------------------


@router.post(
    "/billers/{code}/bills",
    response={200: ImportOut},
    auth=None,
    summary="Biller: send bills (signed with the biller's secret)",
)
def receive_bills(request: HttpRequest, code: str) -> ImportOut:
    biller = billers.authenticate(request, code)
    try:
        rows = BillsIn.model_validate(json.loads(request.body)).bills
    except ValueError as exc:
        raise kernel_errors.DomainError(
            _("Malformed bills."), code="payments.bad_bills", status=422
        ) from exc
    report = services.receive_bills(
        biller=biller,
        rows=[
            {
                **row.model_dump(),
                "amount_fen": str(row.amount_fen),
                "due_date": row.due_date.isoformat() if row.due_date else "",
            }
            for row in rows
        ],
    )
    return ImportOut(accepted=report.accepted, unchanged=report.unchanged, rejected=report.rejected)


@router.get(
    "/billers/{code}/bindings",
    response=list[BindingOut],
    auth=None,
    summary="Biller: bindings waiting for its confirmation (signed)",
)
def pending_bindings(request: HttpRequest, code: str) -> list[BindingOut]:
    biller = billers.authenticate(request, code)
    rows = biller.accounts.filter(status="pending").select_related("biller").order_by("pk")
    return [binding_out(b) for b in rows[:500]]


@router.post(
    "/billers/{code}/bindings/{binding_id}",
    response=BindingOut,
    auth=None,
    summary="Biller: confirm or reject that a person holds an account (signed)",
)
def decide_binding(request: HttpRequest, code: str, binding_id: str) -> BindingOut:
    biller = billers.authenticate(request, code)
    body = BindingDecisionIn.model_validate(json.loads(request.body or b"{}"))
    return binding_out(
        services.decide_binding(biller=biller, binding_id=binding_id, confirmed=body.confirmed)
    )
