"""The double-entry ledger: every posting's lines sum to zero, and a posting key is booked once.

Accounts (``LedgerAccount``): ``citizen`` (the payer, sub-account = their public id),
``clearing`` (money held by the provider), ``biller`` (sub-account = biller code).
A line's amount is what the account receives (negative: what it gives).

* ``pay:<payment>``          citizen −X, clearing +X   (provider confirmed the payment)
* ``refund:<refund>``        clearing −r, citizen +r   (provider confirmed the refund)
* ``settle:<payment>``       clearing −X, biller +X    (the settlement file listed the payment)
* ``settle-refund:<refund>`` biller −r, clearing +r    (the settlement file listed the refund)
"""

from __future__ import annotations

from django.db.models import Sum

from citizencloud.payments.models import LedgerAccount, LedgerEntry, Payment

Line = tuple[str, str, int]  # account, sub-account, amount


def post(*, key: str, payment: Payment, lines: list[Line]) -> bool:
    """Book ``lines`` under ``key`` once. False when ``key`` was booked before (a no-op)."""
    if sum(amount for _, _, amount in lines) != 0:
        raise ValueError("a posting must sum to zero")
    if LedgerEntry.objects.filter(posting_key=key).exists():
        return False
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            posting_key=key,
            line=number,
            account=account,
            sub_account=sub,
            amount_fen=amount,
            payment=payment,
        )
        for number, (account, sub, amount) in enumerate(lines)
    )
    return True


def book_payment(payment: Payment) -> bool:
    payer = str(payment.payer.public_id)
    return post(
        key=f"pay:{payment.public_id}",
        payment=payment,
        lines=[
            (LedgerAccount.CITIZEN, payer, -payment.amount_fen),
            (LedgerAccount.CLEARING, "provider", payment.amount_fen),
        ],
    )


def book_refund(payment: Payment, refund_id: str, amount_fen: int) -> bool:
    payer = str(payment.payer.public_id)
    return post(
        key=f"refund:{refund_id}",
        payment=payment,
        lines=[
            (LedgerAccount.CLEARING, "provider", -amount_fen),
            (LedgerAccount.CITIZEN, payer, amount_fen),
        ],
    )


def book_settlement(payment: Payment) -> bool:
    biller = payment.bill.biller.code
    return post(
        key=f"settle:{payment.public_id}",
        payment=payment,
        lines=[
            (LedgerAccount.CLEARING, "provider", -payment.amount_fen),
            (LedgerAccount.BILLER, biller, payment.amount_fen),
        ],
    )


def book_refund_settlement(payment: Payment, refund_id: str, amount_fen: int) -> bool:
    biller = payment.bill.biller.code
    return post(
        key=f"settle-refund:{refund_id}",
        payment=payment,
        lines=[
            (LedgerAccount.BILLER, biller, -amount_fen),
            (LedgerAccount.CLEARING, "provider", amount_fen),
        ],
    )


def balances() -> dict[str, int]:
    """Balance per account kind; they always sum to zero."""
    rows = LedgerEntry.objects.values("account").annotate(total=Sum("amount_fen"))
    return {row["account"]: int(row["total"]) for row in rows}


def booked_total(payment: Payment, account: str) -> int:
    total = LedgerEntry.objects.filter(payment=payment, account=account).aggregate(
        total=Sum("amount_fen")
    )["total"]
    return int(total or 0)
