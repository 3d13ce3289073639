"""Pages without JavaScript: bills, bind, pay → cashier → back, history, receipt, finance."""

from __future__ import annotations

import pytest
from django.test import Client

from citizencloud.payments import services
from citizencloud.payments.models import BillerAccount, Payment
from citizencloud.payments.providers import Trade
from tests.payments.support import bind, create_bill, create_biller, create_user

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_bills_pay_and_receipt_with_plain_forms() -> None:
    user = create_user()
    bill = create_bill(description="水费")
    bind(user, bill)
    client = _client(user)
    page = client.get("/pay/").content.decode()
    assert "成都自来水" in page
    assert "¥46.80" in page
    first = client.post(f"/pay/bills/{bill.public_id}/pay")
    second = client.post(f"/pay/bills/{bill.public_id}/pay")  # a double click
    assert first.status_code == 302
    assert "/cashier?" in first["Location"]
    assert second["Location"] == first["Location"]
    payment = Payment.objects.get()
    back = client.get(f"/pay/payments/{payment.public_id}/return")
    assert back.status_code == 302
    waiting = client.get(back["Location"]).content.decode()
    assert "Continue to the cashier" in waiting or "继续" in waiting or "cashier" in waiting
    services.apply_trade(
        payment=payment, trade=Trade(str(payment.public_id), "TRADE_SUCCESS", "T1", 4680)
    )
    done = client.get(f"/pay/payments/{payment.public_id}/").content.decode()
    assert "receipt.pdf" in done
    receipt = client.get(f"/pay/payments/{payment.public_id}/receipt.pdf")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert "¥46.80" in client.get("/pay/payments/").content.decode()


def test_bind_an_account_by_form() -> None:
    user = create_user()
    create_biller()
    client = _client(user)
    response = client.post("/pay/accounts/", {"biller": "water", "account_number": "12345678"})
    assert response.status_code == 302
    assert BillerAccount.objects.get().status == "pending"
    bad = client.post("/pay/accounts/", {"biller": "water", "account_number": "<script>"})
    assert bad.status_code == 422


def test_strangers_see_no_receipt_and_citizens_no_finance_page() -> None:
    owner, stranger = create_user(), create_user()
    bill = create_bill()
    bind(owner, bill)
    payment = services.create_payment(user=owner, bill_id=str(bill.public_id), amount_fen=4680)
    client = _client(stranger)
    assert client.get(f"/pay/payments/{payment.public_id}/receipt.pdf").status_code == 404
    assert client.post(f"/pay/bills/{bill.public_id}/pay").status_code == 404
    assert client.get("/pay/finance/").status_code == 403
    assert _client(owner).get(f"/pay/payments/{payment.public_id}/receipt.pdf").status_code == 404


def test_finance_page_requests_and_approves_refunds() -> None:
    payer = create_user()
    bill = create_bill(amount_fen=90000)
    bind(payer, bill)
    payment = services.create_payment(user=payer, bill_id=str(bill.public_id), amount_fen=90000)
    services.apply_trade(
        payment=payment, trade=Trade(str(payment.public_id), "TRADE_SUCCESS", "T1", 90000)
    )
    clerk, lead = create_user(kind="staff", finance=True), create_user(kind="staff", finance=True)
    clerk_client = _client(clerk)
    assert clerk_client.get("/pay/finance/").status_code == 200
    response = clerk_client.post(
        "/pay/finance/refunds",
        {"payment_id": str(payment.public_id), "amount_fen": "90000", "reason": "wrong bill"},
    )
    assert response.status_code == 302
    refund = payment.refunds.get()
    assert refund.status == "awaiting_approval"
    assert clerk_client.post(f"/pay/finance/refunds/{refund.public_id}/approve").status_code == 403
    assert _client(lead).post(f"/pay/finance/refunds/{refund.public_id}/approve").status_code == 302
    refund.refresh_from_db()
    assert refund.status == "pending"
    assert refund.approved_by == lead
