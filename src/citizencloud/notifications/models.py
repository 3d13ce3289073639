"""Tables of the notification centre: templates, messages, deliveries, preferences, addresses."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock
from citizencloud.kernel.crypto import EncryptedField
from citizencloud.notifications import policies


class Category(models.TextChoices):
    SERVICE = "service", _("Case progress")
    SECURITY = "security", _("Security")
    ANNOUNCEMENT = "announcement", _("Announcements")
    PROMOTION = "promotion", _("Advertising")


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class DeliveryStatus(models.TextChoices):
    CREATED = "created", _("Created")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    TEMPORARY_FAILURE = "temporary-failure", _("Temporary failure")
    PERMANENT_FAILURE = "permanent-failure", _("Permanent failure")
    TECHNICAL_FAILURE = "technical-failure", _("Technical failure")


# The no-ads rule as data: a named partner ⇔ the promotion category; a promotion is never
# statutory. The same checks run in policies.py before the database sees the row.
PROMOTION_NAMES_PARTNER = Q(category=Category.PROMOTION, partner__gt="", statutory=False) | (
    ~Q(category=Category.PROMOTION) & Q(partner="")
)


class Template(models.Model):
    """One notice text in zh-Hans and English, in exactly one category."""

    code = models.CharField(
        _("code"),
        max_length=100,
        unique=True,
        validators=[RegexValidator(policies.CODE)],
        help_text=_("Dotted lower-case words, e.g. service.application_accepted"),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    partner = models.CharField(
        _("partner"), max_length=100, blank=True, help_text=_("Promotions only.")
    )
    statutory = models.BooleanField(_("statutory"), default=False)
    channels = models.JSONField(_("channels"), default=list)
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=PROMOTION_NAMES_PARTNER, name="notifications_template_promotion_rule"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Message(models.Model):
    """One notice to one person, rendered in both languages; the inbox row."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="messages")
    category = models.CharField(max_length=16, choices=Category.choices)
    partner = models.CharField(max_length=100, blank=True)
    statutory = models.BooleanField(default=False)
    subject_zh = models.CharField(max_length=200)
    subject_en = models.CharField(max_length=200)
    body_zh = models.TextField()
    body_en = models.TextField()
    # Event id + template + recipient: a redelivered event never makes a second message.
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=PROMOTION_NAMES_PARTNER, name="notifications_message_promotion_rule"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "category", "archived_at", "-id"],
                name="notifications_inbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}:{self.public_id}"


class Delivery(models.Model):
    """One message on one channel, with its provider lifecycle."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.CREATED
    )
    final = models.BooleanField(default=False)
    attempt = models.PositiveSmallIntegerField(default=1)
    technical_errors = models.PositiveSmallIntegerField(default=0)
    provider_ref = models.CharField(max_length=100, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    fallback_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel"], name="notifications_one_delivery_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["provider_ref"], name="notifications_provider_ref")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.status}"

    @property
    def idempotency_key(self) -> str:
        """What the gateway deduplicates on: the same attempt is never sent twice."""
        return f"{self.public_id}.{self.attempt}"


class Preference(models.Model):
    """A person's choice for one category on one channel (absent → the default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=16, choices=Category.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category", "channel"], name="notifications_one_preference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.channel}"


def _quiet_start() -> dt.time:
    return dt.time(21, 0)


def _quiet_end() -> dt.time:
    return dt.time(9, 0)


class PartnerOptIn(models.Model):
    """Consent to promotions from one named partner, with a weekly cap and quiet hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.CharField(max_length=100)
    max_per_week = models.PositiveSmallIntegerField(default=2)
    quiet_start = models.TimeField(default=_quiet_start)
    quiet_end = models.TimeField(default=_quiet_end)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="notifications_one_opt_in"),
            models.CheckConstraint(condition=Q(partner__gt=""), name="notifications_opt_in_named"),
        ]

    def __str__(self) -> str:
        return self.partner


class ContactAddress(models.Model):
    """Where to reach a person on SMS or email, encrypted at rest."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    value = EncryptedField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="notifications_one_address"),
        ]

    def __str__(self) -> str:
        return self.channel
