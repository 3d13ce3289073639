"""A double click, a retry or two tabs never charge twice: real threads, real transactions."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from citizencloud.payments import ledger
from citizencloud.payments.models import LedgerEntry, Payment
from tests.payments.support import (
    bind,
    create_bill,
    create_payment_via_api,
    create_user,
    post_notice,
    signed_notice,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def _in_threads(work: Callable[[int], Any], count: int = THREADS) -> list[Any]:
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _setup() -> tuple[Any, str]:
    user = create_user()
    bill = create_bill()
    bind(user, bill)
    return bill, token_for(user)


def test_double_click_with_one_key_creates_one_order() -> None:
    bill, token = _setup()
    responses = _in_threads(lambda i: create_payment_via_api(Client(), token, bill, key="click"))
    assert Payment.objects.count() == 1
    ok = [r for r in responses if r.status_code == 201]
    assert ok, [r.content for r in responses]
    assert {r.json()["id"] for r in ok} == {str(Payment.objects.get().public_id)}
    # Anything else is a polite "still in progress", never a second order or a 500.
    assert all(r.status_code in (201, 409) for r in responses), [r.status_code for r in responses]


def test_two_tabs_with_different_keys_share_one_order() -> None:
    bill, token = _setup()
    responses = _in_threads(
        lambda i: create_payment_via_api(Client(), token, bill, key=uuid.uuid4().hex)
    )
    assert [r.status_code for r in responses] == [201] * THREADS, [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Payment.objects.count() == 1


def test_concurrent_duplicate_notices_book_the_ledger_once() -> None:
    bill, token = _setup()
    order = create_payment_via_api(Client(), token, bill).json()["id"]
    same_id = signed_notice(order, "TRADE_SUCCESS", 4680, notify_id="dup")
    outcomes = _in_threads(
        lambda i: post_notice(
            Client(), *(same_id if i % 2 else signed_notice(order, "TRADE_SUCCESS", 4680))
        ).json()["outcome"]
    )
    assert outcomes.count("succeeded") == 1, outcomes
    assert set(outcomes) <= {"succeeded", "replayed", "already_applied"}
    assert LedgerEntry.objects.count() == 2
    assert ledger.balances() == {"citizen": -4680, "clearing": 4680}


def test_concurrent_refunds_never_exceed_the_payment() -> None:
    from citizencloud.payments import services

    bill, token = _setup()
    order = create_payment_via_api(Client(), token, bill).json()["id"]
    post_notice(Client(), *signed_notice(order, "TRADE_SUCCESS", 4680))
    staff = create_user(kind="staff", finance=True)

    def refund(i: int) -> str:
        from django.db import transaction

        from citizencloud.kernel.errors import DomainError

        try:
            with transaction.atomic():
                services.request_refund(
                    staff=staff, payment_id=order, amount_fen=1000, reason="test"
                )
            return "ok"
        except DomainError as exc:
            return exc.code

    results = _in_threads(refund)
    assert results.count("ok") == 4, results
    assert Payment.objects.get().refunded_fen == 4000
