"""Payments' part in the privacy centre's export and erasure (registered from ``ready()``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizencloud.payments.models import AutoPayMandate, BillerAccount, Payment
from citizencloud.privacy import rights


def export(user: Any) -> dict[str, Any]:
    return {
        "accounts": [
            {"biller": b.biller.name, "account_number": b.account_number, "status": b.status}
            for b in BillerAccount.objects.filter(holder=user).select_related("biller")
        ],
        "payments": [
            {
                "id": str(p.public_id),
                "amount_fen": p.amount_fen,
                "state": p.state,
                "paid_at": p.paid_at.isoformat() if p.paid_at else None,
            }
            for p in Payment.objects.filter(payer=user).order_by("-created_at")
        ],
    }


def erase(user: Any) -> None:
    """Unbind every account and stop auto-pay; payment records stay (see ``retained``)."""
    AutoPayMandate.objects.filter(account__holder=user).delete()
    BillerAccount.objects.filter(holder=user).delete()


def retained(user: Any) -> list[rights.Retained]:
    count = Payment.objects.filter(payer=user).count()
    return [rights.Retained(str(_("Payment records")), count, str(REASON))]


REASON = gettext_lazy(
    "Payment records are accounting records, kept for 30 years (会计档案管理办法 art. 14)."
)

rights.register(
    "payments", label=gettext_lazy("Payments"), export=export, erase=erase, retained=retained
)
