"""Pages over the same services as the API: my bills, bind an account, pay (redirect to the
provider's cashier and back), history, receipts; finance staff: refunds and reconciliation.
Post → Redirect → Get; every page works without JavaScript."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citizencloud.payments import errors, receipts, selectors, services
from citizencloud.payments.models import Biller, Refund, RefundStatus
from citizencloud.payments.services.orders import cashier_url
from citizencloud.payments.workflow import PAID


def _provider_origin() -> str:
    parts = urllib.parse.urlsplit(settings.PAYMENTS_PROVIDER_URL)
    return f"{parts.scheme}://{parts.netloc}"


@login_required
def bills(request: HttpRequest) -> HttpResponse:
    """My bills: open ones with a pay button, then paid ones."""
    rows = list(selectors.visible_bills(request.user))
    response = render(
        request,
        "payments/bills.html",
        {
            "open_bills": [b for b in rows if b.status == "open"],
            "paid_bills": [b for b in rows if b.status != "open"],
            "bindings": selectors.bindings(request.user),
        },
    )
    # The pay form redirects to the provider's cashier: CSP form-action covers redirects too.
    response._csp_update = {"form-action": ["'self'", _provider_origin()]}  # type: ignore[attr-defined]
    return response


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """Bind an account number (户号); the biller confirms it."""
    if request.method == "POST":
        services.bind_account(
            user=request.user,
            biller_code=request.POST.get("biller", ""),
            account_number=request.POST.get("account_number", ""),
        )
        return redirect("payments:accounts")
    return render(
        request,
        "payments/accounts.html",
        {
            "bindings": selectors.bindings(request.user),
            "billers": Biller.objects.filter(active=True).order_by("code"),
        },
    )


@login_required
@require_POST
def pay(request: HttpRequest, bill_id: uuid.UUID) -> HttpResponse:
    """Open (or reuse) the order for this bill and send the payer to the provider's cashier."""
    bill = selectors.bill_for(request.user, str(bill_id))
    payment = services.create_payment(
        user=request.user, bill_id=str(bill.public_id), amount_fen=bill.amount_fen, request=request
    )
    return redirect(cashier_url(payment))


@login_required
def history(request: HttpRequest) -> HttpResponse:
    return render(
        request, "payments/history.html", {"payments": selectors.history(request.user)[:200]}
    )


@login_required
def detail(request: HttpRequest, payment_id: uuid.UUID) -> HttpResponse:
    """One payment; the provider's cashier returns the payer here."""
    payment = selectors.payment_for(request.user, str(payment_id))
    return render(
        request,
        "payments/detail.html",
        {
            "payment": payment,
            "bill": payment.bill,
            "paid": payment.state in PAID,
            "open": payment.state in ("created", "pending"),
            "cashier": cashier_url(payment) if payment.state == "pending" else "",
        },
    )


@login_required
def returned(request: HttpRequest, payment_id: uuid.UUID) -> HttpResponse:
    # The return from the cashier proves nothing; the signed notice or a query decides.
    return redirect("payments:detail", payment_id=payment_id)


@login_required
def receipt(request: HttpRequest, payment_id: uuid.UUID) -> HttpResponse:
    payment = selectors.payment_for(request.user, str(payment_id))
    if payment.state not in PAID:
        raise errors.not_found()
    response = HttpResponse(receipts.render_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.public_id}.pdf"'
    return response


def _finance(request: HttpRequest) -> None:
    if not selectors.is_finance(request.user):
        raise errors.forbidden("payments:finance:read")


@login_required
def finance(request: HttpRequest) -> HttpResponse:
    """Finance staff: refunds waiting for a second approver, and reconciliation reports."""
    _finance(request)
    return render(
        request,
        "payments/finance.html",
        {
            "awaiting": Refund.objects.filter(status=RefundStatus.AWAITING_APPROVAL)
            .select_related("payment", "requested_by")
            .order_by("created_at")[:100],
            "runs": selectors.reconciliations()[:31],
            "today": selectors.local(dt.datetime.now(dt.UTC)).date(),
        },
    )


@login_required
@require_POST
def refund(request: HttpRequest) -> HttpResponse:
    _finance(request)
    try:
        amount = int(request.POST.get("amount_fen", ""))
    except ValueError:
        raise errors.amount_mismatch() from None
    services.request_refund(
        staff=request.user,
        payment_id=request.POST.get("payment_id", ""),
        amount_fen=amount,
        reason=request.POST.get("reason", "")[:200],
        request=request,
    )
    return redirect("payments:finance")


@login_required
@require_POST
def approve(request: HttpRequest, refund_id: uuid.UUID) -> HttpResponse:
    services.approve_refund(staff=request.user, refund_id=str(refund_id), request=request)
    return redirect("payments:finance")
