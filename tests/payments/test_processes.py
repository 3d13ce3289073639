"""Separate processes: the web server, task workers and ``citizencloud-sim pay``.

The payer pays on the simulator's cashier; its signed notices reach the server late, twice and
out of order; the order is paid once. A worker killed during reconciliation leaves nothing
half done, and the next worker finishes the day."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from citizencloud.kernel import clock
from citizencloud.payments import ledger, providers, selectors, services, tasks
from citizencloud.payments.models import LedgerEntry, Payment, ProviderNotice, Reconciliation
from tests.fixtures import child_env, free_port
from tests.notifications.processes import start_web, start_worker, stop, wait_for
from tests.payments.support import (
    SECRET,
    PaySim,
    bind,
    create_bill,
    create_user,
    start_pay_sim,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sim() -> Iterator[PaySim]:
    process_sim = start_pay_sim("--callback-delay-ms", "300")
    yield process_sim
    process_sim.stop()


def _env(sim: PaySim, web_port: int) -> dict[str, str]:
    return child_env(
        CITIZENCLOUD_PAYMENTS_PROVIDER_URL=sim.url,
        CITIZENCLOUD_PAYMENTS_PROVIDER_SECRET=SECRET,
        CITIZENCLOUD_PAYMENTS_PUBLIC_BASE_URL=f"http://127.0.0.1:{web_port}",
        CITIZENCLOUD_LOG_LEVEL="WARNING",
        CITIZENCLOUD_WORKER_STALE_AFTER="3",
    )


def test_pay_at_the_cashier_with_late_duplicate_out_of_order_notices(sim: PaySim) -> None:
    sim.faults(late_ms=700, duplicate=True, out_of_order=True)
    port = free_port()
    web = start_web(_env(sim, port), port)
    try:
        user = create_user()
        bill = create_bill()
        bind(user, bill)
        headers = {"Authorization": f"Bearer {token_for(user)}", "Idempotency-Key": "once"}
        base = f"http://127.0.0.1:{port}"
        created = httpx.post(
            f"{base}/api/v1/payments",
            headers=headers,
            json={"bill_id": str(bill.public_id), "amount_fen": 4680},
        )
        assert created.status_code == 201, created.text
        order = created.json()
        cashier = httpx.get(order["cashier_url"])
        assert "¥46.80" in cashier.text
        back = httpx.post(sim.url + "/cashier/pay", data={"order_id": order["id"], "action": "pay"})
        assert back.status_code == 303
        assert back.headers["location"] == f"{base}/pay/payments/{order['id']}/return"
        wait_for(lambda: ProviderNotice.objects.filter(order_id=order["id"]).count() >= 3, 30)
        time.sleep(0.5)
        payment = Payment.objects.get(public_id=order["id"])
        assert payment.state == "succeeded"
        outcomes = sorted(ProviderNotice.objects.values_list("outcome", flat=True))
        assert outcomes.count("succeeded") == 1, outcomes
        assert LedgerEntry.objects.count() == 2
        status = httpx.get(f"{base}/api/v1/payments/{order['id']}", headers=headers).json()
        assert status["state"] == "succeeded"
    finally:
        stop(web)


def test_a_worker_killed_during_reconciliation_loses_nothing(sim: PaySim, settings: Any) -> None:
    settings.PAYMENTS_PROVIDER_URL = sim.url
    providers.reset_provider()
    user = create_user()
    bill = create_bill()
    bind(user, bill)
    sim.faults(drop_notify=True)
    with transaction.atomic():  # the unit of work a request would open
        payment = services.create_payment(user=user, bill_id=str(bill.public_id), amount_fen=4680)
    httpx.get(services.orders.cashier_url(payment))
    sim.pay(str(payment.public_id))  # paid, no callback: reconciliation must complete it
    day = selectors.local(clock.now()).date()
    sim.faults(latency_ms=6000)  # the settlement download hangs…
    tasks.reconcile_day.enqueue(day.isoformat())
    env = _env(sim, free_port())
    first = start_worker(env, "--heartbeat", "0.5")
    try:
        wait_for(lambda: DBTaskResult.objects.filter(status="RUNNING").exists(), 30)
        time.sleep(0.5)
        os.kill(first.pid, signal.SIGKILL)  # …and the worker dies in the middle
    finally:
        stop(first)
    assert not Reconciliation.objects.filter(status="done").exists()
    sim.faults(latency_ms=1)
    second = start_worker(env, "--heartbeat", "0.5")
    try:
        wait_for(lambda: Reconciliation.objects.filter(day=day, status="done").exists(), 60)
    finally:
        stop(second)
    run = Reconciliation.objects.get(day=day)
    assert run.fixed == [{"kind": "completed_pending_order", "order_id": str(payment.public_id)}]
    assert Payment.objects.get(pk=payment.pk).state == "succeeded"
    assert LedgerEntry.objects.filter(posting_key=f"pay:{payment.public_id}").count() == 2
    assert LedgerEntry.objects.filter(posting_key=f"settle:{payment.public_id}").count() == 2
    assert sum(ledger.balances().values()) == 0
