"""The payments app's domain errors (stable dotted codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from citizencloud.kernel.errors import DomainError


def not_found() -> DomainError:
    # A foreign bill or order is "not found", never "forbidden": existence is not disclosed.
    return DomainError(str(_("No such bill or payment.")), code="payments.not_found", status=404)


def bill_not_payable(reason: str) -> DomainError:
    messages = {
        "paid": _("This bill has already been paid."),
        "expired": _("This bill can no longer be paid here; contact the biller."),
        "cancelled": _("This bill was cancelled by the biller."),
        "in_payment": _("Someone else is paying this bill right now."),
    }
    return DomainError(str(messages[reason]), code=f"payments.bill_{reason}", status=409)


def amount_mismatch() -> DomainError:
    return DomainError(
        str(_("The amount does not match the bill.")), code="payments.amount_mismatch", status=422
    )


def forbidden(code: str) -> DomainError:
    return DomainError(str(_("You may not do this.")), code=code, status=403)
