"""The ledger sums to zero after any sequence of pay / refund / fail / settle (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citizencloud.kernel.errors import DomainError
from citizencloud.payments import ledger, services
from citizencloud.payments.models import LedgerAccount, LedgerEntry, Payment, Refund
from citizencloud.payments.providers import Trade
from tests.payments.support import bind, create_bill, create_biller, create_user

pytestmark = pytest.mark.django_db


class FakeProvider:
    """A provider port double for the refund call (the simulator is used elsewhere)."""

    name = "sim"

    def refund(self, *, order_id: str, refund_id: str, amount_fen: int) -> bool:
        return True


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["pay", "succeed", "fail", "refund", "settle", "duplicate"]),
        st.integers(min_value=0, max_value=4),  # which order
        st.integers(min_value=1, max_value=6000),  # an amount
    ),
    max_size=30,
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_ledger_balances_sum_to_zero(operations: list[tuple[str, int, int]]) -> None:
    with transaction.atomic():
        _run(operations)
        transaction.set_rollback(True)


def _run(operations: list[tuple[str, int, int]]) -> None:
    payer, staff = create_user(), create_user(kind="staff", finance=True)
    biller = create_biller()
    payments: list[Payment] = []
    for op, index, amount in operations:
        target = payments[index % len(payments)] if payments else None
        try:
            with transaction.atomic():
                _apply(op, amount, target, payer, staff, biller, payments)
        except DomainError:
            pass  # refused by a rule: must change nothing
        totals = ledger.balances()
        assert sum(totals.values()) == 0
        _check_invariants()


def _apply(
    op: str,
    amount: int,
    target: Payment | None,
    payer: Any,
    staff: Any,
    biller: Any,
    payments: list[Payment],
) -> None:
    if op == "pay" or target is None:
        bill = create_bill(biller, account=f"{len(payments):08d}", amount_fen=amount)
        bind(payer, bill)
        payments.append(
            services.create_payment(user=payer, bill_id=str(bill.public_id), amount_fen=amount)
        )
        return
    target.refresh_from_db()
    trade_no = f"T{target.pk}"
    if op in ("succeed", "duplicate"):
        services.apply_trade(
            payment=target,
            trade=Trade(str(target.public_id), "TRADE_SUCCESS", trade_no, target.amount_fen),
        )
    elif op == "fail":
        services.apply_trade(
            payment=target,
            trade=Trade(str(target.public_id), "TRADE_CLOSED", trade_no, target.amount_fen),
        )
    elif op == "refund":
        refund = services.request_refund(
            staff=staff, payment_id=str(target.public_id), amount_fen=min(amount, 50000), reason="r"
        )
        if refund.status == "pending":
            services.execute_refund(refund_id=refund.pk, provider=FakeProvider())  # type: ignore[arg-type]
    elif op == "settle" and target.state in ("succeeded", "partially_refunded", "refunded"):
        ledger.book_settlement(target)


def _check_invariants() -> None:
    for payment in Payment.objects.all():
        paid = -ledger.booked_total(payment, LedgerAccount.CITIZEN)
        refunded = sum(
            r.amount_fen for r in Refund.objects.filter(payment=payment, status="succeeded")
        )
        if payment.state in ("created", "pending", "failed", "expired"):
            assert paid == 0
        else:
            assert paid == payment.amount_fen - refunded
            assert 0 <= payment.refunded_fen <= payment.amount_fen
    keys = LedgerEntry.objects.values_list("posting_key", "line")
    assert len(keys) == len(set(keys))


def test_an_unbalanced_posting_is_refused() -> None:
    payer = create_user()
    bill = create_bill()
    bind(payer, bill)
    payment = services.create_payment(user=payer, bill_id=str(bill.public_id), amount_fen=4680)
    with pytest.raises(ValueError, match="sum to zero"):
        ledger.post(key="x", payment=payment, lines=[("citizen", "a", -1), ("clearing", "p", 2)])
