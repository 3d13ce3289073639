"""Tables of the payments app. Money is integer fen (分) in every column."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock
from citizencloud.kernel.crypto import EncryptedField
from citizencloud.payments.workflow import ACTIVE, State


class BillerKind(models.TextChoices):
    WATER = "water", _("Water")
    POWER = "power", _("Electricity")
    GAS = "gas", _("Gas")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance contributions")
    TRAFFIC_FINE = "traffic_fine", _("Traffic fines")
    SERVICE_FEE = "service_fee", _("Service fees")


class Biller(models.Model):
    """A utility or department that issues bills; registered by admins."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=BillerKind.choices)
    department_code = models.CharField(_("department code"), max_length=40, blank=True)
    api_secret = EncryptedField(_("API secret (HMAC)"))
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class BindingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the biller")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected by the biller")


class BillerAccount(models.Model):
    """An account number (户号) at a biller bound to a person (or a business they act for)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    biller = models.ForeignKey(Biller, on_delete=models.PROTECT, related_name="accounts")
    account_number = models.CharField(_("account number"), max_length=40)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="biller_accounts"
    )
    business = models.ForeignKey(
        "identity.Business", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=BindingStatus.choices)
    created_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["biller", "account_number", "holder"],
                condition=~Q(status="rejected"),
                name="payments_one_live_binding",
            )
        ]

    def __str__(self) -> str:
        return f"{self.biller.code}:{self.account_number}"


class BillStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Bill(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    biller = models.ForeignKey(Biller, on_delete=models.PROTECT, related_name="bills")
    reference = models.CharField(_("biller's reference"), max_length=64)
    account_number = models.CharField(_("account number"), max_length=40, db_index=True)
    period = models.CharField(_("period"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=BillStatus.choices, default=BillStatus.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["biller", "reference"], name="payments_bill_ref"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_bill_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.biller.code}/{self.reference}"


class Payment(models.Model):
    """A payment order for one bill. At most one order per bill is ever active."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    business = models.ForeignKey(
        "identity.Business", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount_fen = models.BigIntegerField()
    refunded_fen = models.BigIntegerField(default=0)
    state = models.CharField(max_length=20, choices=[(s.value, s.value) for s in State])
    provider = models.CharField(max_length=20)
    provider_trade_no = models.CharField(max_length=64, blank=True)
    auto_pay = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)
    last_queried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bill"],
                condition=Q(state__in=sorted(s.value for s in ACTIVE)),
                name="payments_one_active_order_per_bill",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=models.F("amount_fen")),
                name="payments_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="payments_state_created")]
        permissions = [
            ("finance", "Finance staff: refunds and reconciliation"),
        ]

    def __str__(self) -> str:
        return f"payment {self.public_id}"


class RefundStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for a second approver")
    PENDING = "pending", _("Sent to the provider")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=RefundStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_refund_positive")
        ]

    def __str__(self) -> str:
        return f"refund {self.public_id}"


class ProviderNotice(models.Model):
    """Every verified notification from a provider, once: duplicates hit the unique key."""

    provider = models.CharField(max_length=20)
    notify_id = models.CharField(max_length=64)
    order_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20)
    amount_fen = models.BigIntegerField()
    received_at = models.DateTimeField(default=clock.now)
    outcome = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "notify_id"], name="payments_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} notice {self.notify_id}"


class LedgerAccount(models.TextChoices):
    CITIZEN = "citizen", _("Payers")
    CLEARING = "clearing", _("Clearing (provider)")
    BILLER = "biller", _("Billers")


class LedgerEntry(models.Model):
    """One line of a double-entry posting. The lines of a posting sum to zero; a posting's key
    is unique, so an event is booked at most once."""

    posting_key = models.CharField(max_length=80)
    line = models.PositiveSmallIntegerField()
    account = models.CharField(max_length=10, choices=LedgerAccount.choices)
    sub_account = models.CharField(max_length=64)  # payer public id or biller code
    amount_fen = models.BigIntegerField()  # debit > 0, credit < 0
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="ledger")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["posting_key", "line"], name="payments_posting_line")
        ]

    def __str__(self) -> str:
        return f"{self.posting_key}#{self.line}"


class Reconciliation(models.Model):
    """One day's comparison of the provider's settlement file with the ledger."""

    day = models.DateField(unique=True)
    status = models.CharField(max_length=10, default="running")  # running | done
    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    settled_count = models.PositiveIntegerField(default=0)
    fixed = models.JSONField(default=list)
    issues = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"reconciliation {self.day}"


class AutoPayMandate(models.Model):
    """代扣: pay a biller account's bills automatically. Valid only with the consent record."""

    account = models.OneToOneField(BillerAccount, on_delete=models.CASCADE, related_name="mandate")
    # The consent lives in the privacy centre (withdrawable there with the others).
    consent = models.ForeignKey("privacy.Consent", on_delete=models.PROTECT, related_name="+")
    limit_fen = models.BigIntegerField()
    created_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"auto-pay {self.account_id}"
