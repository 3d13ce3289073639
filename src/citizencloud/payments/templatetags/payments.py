"""Template filters of the payments pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from citizencloud.kernel import money

register = template.Library()


@register.filter
def yuan(fen: int) -> str:
    return money.yuan(int(fen))


@register.filter
def state_label(state: str) -> str:
    labels = {
        "created": _("Created"),
        "pending": _("Waiting for payment"),
        "succeeded": _("Paid"),
        "failed": _("Failed"),
        "expired": _("Expired"),
        "partially_refunded": _("Partly refunded"),
        "refunded": _("Refunded"),
    }
    return labels.get(state, state)
