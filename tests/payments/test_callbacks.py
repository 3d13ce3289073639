"""Provider notifications: verified, amount and order checked, applied exactly once; every
refusal leaves an audit entry and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from citizencloud.kernel.models import AuditEntry
from citizencloud.payments import ledger
from citizencloud.payments.models import Bill, LedgerEntry, Payment
from tests.payments.support import (
    bind,
    create_bill,
    create_payment_via_api,
    create_user,
    post_notice,
    signed_notice,
    token_for,
)

pytestmark = pytest.mark.django_db


def _pending() -> Payment:
    user = create_user()
    bill = create_bill()
    bind(user, bill)
    created = create_payment_via_api(Client(), token_for(user), bill).json()
    return Payment.objects.get(public_id=created["id"])


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_a_success_notice_pays_the_order_the_bill_and_books_the_ledger() -> None:
    payment = _pending()
    body, headers = signed_notice(str(payment.public_id), "TRADE_SUCCESS", payment.amount_fen)
    response = post_notice(Client(), body, headers)
    assert response.status_code == 200
    assert response.json()["outcome"] == "succeeded"
    payment.refresh_from_db()
    assert payment.state == "succeeded"
    assert payment.paid_at is not None
    assert Bill.objects.get(pk=payment.bill_id).status == "paid"
    assert ledger.balances() == {"citizen": -4680, "clearing": 4680}
    assert _audits("payments.succeeded") == 1


def test_a_forged_notice_is_401_audited_and_changes_nothing() -> None:
    payment = _pending()
    body, headers = signed_notice(
        str(payment.public_id), "TRADE_SUCCESS", payment.amount_fen, secret="not-the-secret"
    )
    response = post_notice(Client(), body, headers)
    assert response.status_code == 401
    assert (
        Client()
        .post("/api/v1/payments/callbacks/sim", body, content_type="application/json")
        .status_code
        == 401
    )
    payment.refresh_from_db()
    assert payment.state == "pending"
    assert _audits("payments.callback_rejected") == 2
    assert LedgerEntry.objects.count() == 0


def test_a_tampered_body_fails_the_signature() -> None:
    payment = _pending()
    body, headers = signed_notice(str(payment.public_id), "TRADE_SUCCESS", 1)
    tampered = body.replace(b'"amount_fen": 1', b'"amount_fen": 4680')
    assert post_notice(Client(), tampered, headers).status_code == 401


def test_duplicates_and_replays_are_applied_once() -> None:
    payment = _pending()
    client = Client()
    body, headers = signed_notice(str(payment.public_id), "TRADE_SUCCESS", 4680, notify_id="n1")
    assert post_notice(client, body, headers).json()["outcome"] == "succeeded"
    assert post_notice(client, body, headers).json()["outcome"] == "replayed"
    again, headers2 = signed_notice(str(payment.public_id), "TRADE_SUCCESS", 4680)
    assert post_notice(client, again, headers2).json()["outcome"] == "already_applied"
    assert LedgerEntry.objects.count() == 2
    assert _audits("payments.succeeded") == 1
    assert _audits("payments.callback_replayed") == 1


def test_out_of_order_and_late_notices_do_not_move_the_state_back() -> None:
    payment = _pending()
    client = Client()
    order = str(payment.public_id)
    assert post_notice(client, *signed_notice(order, "TRADE_SUCCESS", 4680)).status_code == 200
    stale = post_notice(client, *signed_notice(order, "WAIT_BUYER_PAY", 4680))
    assert stale.json()["outcome"] == "not_final"
    closed = post_notice(client, *signed_notice(order, "TRADE_CLOSED", 4680))
    assert closed.json()["outcome"] == "already_applied"
    payment.refresh_from_db()
    assert payment.state == "succeeded"


def test_a_wait_notice_before_the_final_one_is_harmless() -> None:
    payment = _pending()
    client, order = Client(), str(payment.public_id)
    assert (
        post_notice(client, *signed_notice(order, "WAIT_BUYER_PAY", 4680)).json()["outcome"]
        == "not_final"
    )
    assert (
        post_notice(client, *signed_notice(order, "TRADE_SUCCESS", 4680)).json()["outcome"]
        == "succeeded"
    )


def test_unknown_order_and_wrong_amount_are_ignored_with_an_audit_entry() -> None:
    payment = _pending()
    client = Client()
    unknown = post_notice(
        client, *signed_notice("00000000-0000-0000-0000-000000000000", "TRADE_SUCCESS", 4680)
    )
    assert unknown.status_code == 200
    assert unknown.json()["outcome"] == "unknown_order"
    garbage = post_notice(client, *signed_notice("../../etc", "TRADE_SUCCESS", 4680))
    assert garbage.json()["outcome"] == "unknown_order"
    wrong = post_notice(client, *signed_notice(str(payment.public_id), "TRADE_SUCCESS", 1))
    assert wrong.json()["outcome"] == "amount_mismatch"
    payment.refresh_from_db()
    assert payment.state == "pending"
    assert _audits("payments.callback_unknown_order") == 2
    assert _audits("payments.amount_mismatch") == 1
    assert LedgerEntry.objects.count() == 0


def test_malformed_signed_bodies_are_refused_not_500() -> None:
    from citizencloud.payments import providers
    from tests.payments.support import SECRET

    client = Client()
    for body in (
        b"not json",
        b"{}",
        b'{"notify_id": "x", "order_id": "y", "status": "TRADE_SUCCESS", "amount_fen": "lots"}',
        b"\xff\xfe",
    ):
        response = client.post(
            "/api/v1/payments/callbacks/sim",
            body,
            content_type="application/json",
            HTTP_X_SIGNATURE=providers.sign(SECRET, body),
        )
        assert response.status_code == 401, body
    assert (
        client.post(
            "/api/v1/payments/callbacks/wechat", b"{}", content_type="application/json"
        ).status_code
        == 401
    )


def test_a_closed_trade_fails_the_order_and_frees_the_bill() -> None:
    payment = _pending()
    client = Client()
    response = post_notice(client, *signed_notice(str(payment.public_id), "TRADE_CLOSED", 4680))
    assert response.json()["outcome"] == "failed"
    payment.refresh_from_db()
    assert payment.state == "failed"
    assert Bill.objects.get(pk=payment.bill_id).status == "open"


def test_a_paid_order_becomes_a_service_notification() -> None:
    from citizencloud.notifications.models import Message
    from tests.identity.support import run_tasks

    payment = _pending()
    post_notice(Client(), *signed_notice(str(payment.public_id), "TRADE_SUCCESS", 4680))
    run_tasks()
    message = Message.objects.get(recipient=payment.payer)
    assert message.category == "service"
    assert "46.80" in message.body_zh
    assert "成都自来水" in message.body_zh


def test_provider_references_that_look_like_personal_data_never_break_the_audit() -> None:
    payment = _pending()
    client = Client()
    for order_id in ("13800138000", "510114200105071682"):
        response = post_notice(
            client, *signed_notice(order_id, "TRADE_SUCCESS", 4680, notify_id="13912345678")
        )
        assert response.status_code == 200
    order = str(payment.public_id)
    paid = post_notice(
        client, *signed_notice(order, "TRADE_SUCCESS", 4680, trade_no="2026112813800138000")
    )
    assert paid.json()["outcome"] == "succeeded"
    details = " ".join(str(e.details) for e in AuditEntry.objects.all())
    assert "13800138000" not in details
    assert "13912345678" not in details
