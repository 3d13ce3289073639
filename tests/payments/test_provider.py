"""Against the simulator process: cashier, query after a timeout, refunds with a second
approver, and the daily reconciliation (a mismatch is reported, a stuck order fixed)."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import httpx
import pytest
from django.test import Client

from citizencloud.kernel import clock
from citizencloud.payments import ledger, selectors, services
from citizencloud.payments.models import Payment, Refund
from tests.payments.support import (
    PaySim,
    auth,
    bind,
    create_bill,
    create_payment_via_api,
    create_user,
    token_for,
)

pytestmark = pytest.mark.django_db


def _order(sim: PaySim, amount_fen: int = 4680) -> Payment:
    user = create_user()
    bill = create_bill(amount_fen=amount_fen)
    bind(user, bill)
    created = create_payment_via_api(Client(), token_for(user), bill).json()
    page = httpx.get(created["cashier_url"])  # the payer's browser opens the cashier
    assert page.status_code == 200
    assert "模拟收银台" in page.text
    return Payment.objects.get(public_id=created["id"])


def test_the_cashier_refuses_a_tampered_amount(pay_sim: PaySim) -> None:
    payment = _order(pay_sim)
    url = services.orders.cashier_url(payment)
    tampered = url.replace("amount_fen=4680", "amount_fen=1")
    assert httpx.get(tampered).status_code == 400


def test_a_pending_order_without_callback_is_queried_and_completed(pay_sim: PaySim) -> None:
    pay_sim.faults(drop_notify=True)
    payment = _order(pay_sim)
    pay_sim.pay(str(payment.public_id))
    assert services.query_stale(payment_id=payment.pk) == "succeeded"
    payment.refresh_from_db()
    assert payment.state == "succeeded"
    assert payment.provider_trade_no
    assert services.query_stale(payment_id=payment.pk) == "nothing_to_do"


def test_an_unpaid_order_past_its_time_is_closed_and_expired(pay_sim: PaySim) -> None:
    payment = _order(pay_sim)
    assert services.query_stale(payment_id=payment.pk) == "still_pending"
    with clock.frozen(payment.expires_at + dt.timedelta(seconds=1)):
        assert services.query_stale(payment_id=payment.pk) == "expired"
    payment.refresh_from_db()
    assert payment.state == "expired"
    # the cashier can no longer take the money
    assert pay_sim.pay(str(payment.public_id))["status"] == "TRADE_CLOSED"


def test_stale_orders_are_found_after_the_query_delay(pay_sim: PaySim, settings: object) -> None:
    payment = _order(pay_sim)
    from citizencloud.payments.services.orders import stale_payment_ids

    assert stale_payment_ids() == []
    with clock.frozen(clock.now() + dt.timedelta(minutes=5)):
        assert stale_payment_ids() == [payment.pk]


def _paid(sim: PaySim, amount_fen: int = 4680) -> Payment:
    payment = _order(sim, amount_fen)
    sim.pay(str(payment.public_id))
    services.query_stale(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.state == "succeeded"
    return payment


def test_small_refund_goes_straight_to_the_provider(pay_sim: PaySim) -> None:
    pay_sim.faults(drop_notify=True)
    payment = _paid(pay_sim)
    staff = create_user(kind="staff", finance=True)
    response = Client().post(
        f"/api/v1/payments/{payment.public_id}/refunds",
        {"amount_fen": 1000, "reason": "overpaid"},
        content_type="application/json",
        **auth(token_for(staff, mfa=True), "r-1"),
    )
    assert response.status_code == 201, response.content
    refund = Refund.objects.get(public_id=response.json()["id"])
    assert refund.status == "pending"
    assert services.execute_refund(refund_id=refund.pk) == "succeeded"
    payment.refresh_from_db()
    assert payment.state == "partially_refunded"
    assert payment.refunded_fen == 1000
    assert ledger.balances() == {"citizen": -3680, "clearing": 3680}


def test_a_large_refund_needs_a_second_approver(pay_sim: PaySim, settings: object) -> None:
    pay_sim.faults(drop_notify=True)
    payment = _paid(pay_sim, amount_fen=80000)
    first, second = (create_user(kind="staff", finance=True) for _ in range(2))
    citizen = create_user()
    refund = services.request_refund(
        staff=first, payment_id=str(payment.public_id), amount_fen=80000, reason="cancelled fine"
    )
    assert refund.status == "awaiting_approval"
    client = Client()
    path = f"/api/v1/refunds/{refund.public_id}/approval"
    assert client.post(path, **auth(token_for(first, mfa=True))).status_code == 403
    assert client.post(path, **auth(token_for(citizen))).status_code == 403
    approved = client.post(path, **auth(token_for(second, mfa=True)))
    assert approved.status_code == 200
    assert approved.json()["status"] == "pending"
    assert services.execute_refund(refund_id=refund.pk) == "succeeded"
    payment.refresh_from_db()
    assert payment.state == "refunded"
    refused = Client().post(
        f"/api/v1/payments/{payment.public_id}/refunds",
        {"amount_fen": 1, "reason": "again"},
        content_type="application/json",
        **auth(token_for(second, mfa=True), "r-2"),
    )
    assert refused.status_code == 409


def test_citizens_may_not_refund(pay_sim: PaySim) -> None:
    pay_sim.faults(drop_notify=True)
    payment = _paid(pay_sim)
    response = Client().post(
        f"/api/v1/payments/{payment.public_id}/refunds",
        {"amount_fen": 1, "reason": "x"},
        content_type="application/json",
        **auth(token_for(payment.payer), "r-3"),
    )
    assert response.status_code in (403, 404)
    assert Refund.objects.count() == 0


def test_reconciliation_fixes_stuck_orders_and_reports_mismatches(pay_sim: PaySim) -> None:
    pay_sim.faults(drop_notify=True)
    settled = _paid(pay_sim)
    stuck = _order(pay_sim, amount_fen=999)
    pay_sim.pay(str(stuck.public_id))  # paid at the provider, no callback, never queried
    httpx.post(
        pay_sim.url + "/_sim/settlement",
        json={"line": "payment,00000000-0000-0000-0000-00000000abcd,T9,500"},
    )
    today = selectors.local(clock.now()).date()
    run = services.reconcile(day=today)
    assert run.status == "done"
    assert run.settled_count == 3
    assert run.fixed == [{"kind": "completed_pending_order", "order_id": str(stuck.public_id)}]
    assert [i["kind"] for i in run.issues] == ["unknown_order"]
    stuck.refresh_from_db()
    assert stuck.state == "succeeded"
    assert ledger.balances() == {"citizen": -(4680 + 999), "clearing": 0, "biller": 4680 + 999}
    assert services.reconcile(day=today).pk == run.pk  # a finished day is not run twice
    staff = create_user(kind="staff", finance=True)
    report = Client().get(
        f"/api/v1/finance/reconciliations/{today}", **auth(token_for(staff, mfa=True))
    )
    assert report.status_code == 200
    assert report.json()["issues"][0]["kind"] == "unknown_order"
    assert (
        Client()
        .get(f"/api/v1/finance/reconciliations/{today}", **auth(token_for(settled.payer)))
        .status_code
        == 403
    )


def test_an_amount_mismatch_in_the_settlement_is_reported(pay_sim: PaySim) -> None:
    pay_sim.faults(drop_notify=True)
    payment = _paid(pay_sim)
    httpx.post(
        pay_sim.url + "/_sim/settlement", json={"line": f"payment,{payment.public_id},T9,4000"}
    )
    run = services.reconcile(day=selectors.local(clock.now()).date())
    assert {
        "kind": "amount_mismatch",
        "order_id": str(payment.public_id),
        "provider_fen": 4000,
        "ours_fen": 4680,
    } in run.issues


def test_cashier_url_is_signed_and_carries_the_return_url(pay_sim: PaySim) -> None:
    payment = _order(pay_sim)
    query = dict(
        urllib.parse.parse_qsl(urllib.parse.urlsplit(services.orders.cashier_url(payment)).query)
    )
    assert query["return_url"].endswith(f"/pay/payments/{payment.public_id}/return")
    assert len(query["sig"]) == 64


@pytest.mark.django_db(transaction=True)
def test_tasks_open_their_own_unit_of_work(pay_sim: PaySim) -> None:
    """The worker opens no transaction; each task does (row locks need one on PostgreSQL)."""
    from django.db import transaction

    from citizencloud.payments import tasks

    pay_sim.faults(drop_notify=True)
    with transaction.atomic():
        payment = _order(pay_sim)
    pay_sim.pay(str(payment.public_id))
    assert tasks.query_payment.call(payment.pk) == "succeeded"
    staff = create_user(kind="staff", finance=True)
    with transaction.atomic():
        refund = services.request_refund(
            staff=staff, payment_id=str(payment.public_id), amount_fen=100, reason="r"
        )
    assert tasks.execute_refund.call(refund.pk) == "succeeded"
    assert tasks.sweep_pending.call() == 0
    day = selectors.local(clock.now()).date().isoformat()
    assert "0 issues" in tasks.reconcile_day.call(day)


def test_an_order_completed_by_reconciliation_is_booked_on_its_settlement_day(
    pay_sim: PaySim,
) -> None:
    pay_sim.faults(drop_notify=True)
    stuck = _order(pay_sim, amount_fen=999)
    pay_sim.pay(str(stuck.public_id))  # paid today at the provider; no callback ever came
    today = selectors.local(clock.now()).date()
    next_morning = clock.now() + dt.timedelta(days=1)
    with clock.frozen(next_morning):  # the daily run reconciles yesterday, the next morning
        run = services.reconcile(day=today)
        assert run.fixed == [{"kind": "completed_pending_order", "order_id": str(stuck.public_id)}]
        stuck.refresh_from_db()
        assert selectors.local(stuck.paid_at).date() == today
        # ... so the following day's run does not report it missing from its settlement file.
        following = services.reconcile(day=today + dt.timedelta(days=1))
    assert following.issues == []
