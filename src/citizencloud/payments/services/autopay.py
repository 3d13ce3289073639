"""Auto-pay (代扣): only with an explicit, unwithdrawn consent record of the account holder.

The consent is the privacy centre's (``privacy.consents``): the person sees it and withdraws it
there with their other consents; a withdrawn or expired consent stops auto-pay at once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from citizencloud.kernel import audit
from citizencloud.kernel.errors import DomainError
from citizencloud.payments import errors, selectors
from citizencloud.payments.models import (
    AutoPayMandate,
    Bill,
    BillerAccount,
    BindingStatus,
    Payment,
)
from citizencloud.privacy import consents
from citizencloud.privacy.models import Consent

PURPOSE = "payments.autopay"
TEXT_VERSION = "2026-11"
TEXT = (
    "I allow the platform to pay the bills of my bound account automatically, up to the limit "
    "I set for each bill, until I withdraw this consent."
)


def give_autopay_consent(*, user: Any, request: Any = None) -> Consent:
    """Record the person's explicit consent to auto-pay (the text version they saw)."""
    consent = consents.grant_first_party(
        citizen=user, purpose=PURPOSE, text=TEXT, text_version=TEXT_VERSION, request=request
    )
    audit.record(
        action="payments.autopay_consent_given", actor=user, target=consent, request=request
    )
    return consent


def _live_consent(user: Any, consent_id: str) -> Consent:
    consent = consents.live_first_party(
        citizen=user, consent_id=selectors.as_uuid(consent_id), purpose=PURPOSE
    )
    if consent is None:
        raise DomainError(
            _("Auto-pay needs your explicit consent first."),
            code="payments.autopay_consent_required",
            status=403,
        )
    return consent


def set_mandate(*, user: Any, binding_id: str, consent_id: str, limit_fen: int) -> AutoPayMandate:
    """Turn on auto-pay for a confirmed account, up to ``limit_fen`` a bill."""
    consent = _live_consent(user, consent_id)
    binding = BillerAccount.objects.filter(
        public_id=selectors.as_uuid(binding_id), holder=user, status=BindingStatus.CONFIRMED
    ).first()
    if binding is None:
        raise errors.not_found()
    if limit_fen <= 0:
        raise errors.amount_mismatch()
    mandate, _ = AutoPayMandate.objects.update_or_create(
        account=binding, defaults={"consent": consent, "limit_fen": limit_fen, "revoked_at": None}
    )
    audit.record(
        action="payments.autopay_enabled",
        actor=user,
        target=binding,
        details={"limit_fen": limit_fen},
    )
    return mandate


def run_autopay(*, bill: Bill) -> Payment:
    """Open an auto-pay order for ``bill``: refused unless a live mandate AND consent exist."""
    from citizencloud.payments.services.orders import create_payment

    mandate = (
        AutoPayMandate.objects.select_related("account__holder", "consent")
        .filter(
            account__biller=bill.biller,
            account__account_number=bill.account_number,
            account__status=BindingStatus.CONFIRMED,
            revoked_at__isnull=True,
        )
        .first()
    )
    if (
        mandate is None
        or not Consent.objects.filter(consents.live(), pk=mandate.consent_id).exists()
    ):
        raise DomainError(
            _("No auto-pay consent for this account."),
            code="payments.autopay_consent_required",
            status=403,
        )
    if bill.amount_fen > mandate.limit_fen:
        raise DomainError(
            _("The bill exceeds the auto-pay limit."),
            code="payments.autopay_over_limit",
            status=409,
        )
    holder = mandate.account.holder
    return create_payment(
        user=holder, bill_id=str(bill.public_id), amount_fen=bill.amount_fen, auto_pay=True
    )
