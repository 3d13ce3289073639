"""The data-access ledger: one row each time staff or a system reads a citizen's personal data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    COUNTER = "counter", _("Service counter")
    STAFF_CONSOLE = "staff_console", _("Staff console")
    DATA_EXCHANGE = "exchange", _("Data exchange with another department")
    API = "api", _("Partner system")
    SYSTEM = "system", _("Automated processing")


class LegalBasis(models.TextChoices):
    """The grounds of PIPL article 13 that a government platform relies on."""

    CONSENT = "consent", _("Your consent")
    CONTRACT = "contract", _("A contract you are party to")
    STATUTORY_DUTY = "statutory_duty", _("A statutory duty or obligation")
    EMERGENCY = "emergency", _("A public health emergency or to protect life and property")
    PUBLIC_INTEREST = "public_interest", _("Reporting or supervision in the public interest")
    DISCLOSED = "disclosed", _("Information you or the law already made public")
    OTHER_LAW = "other_law", _("Another law or regulation")


class DataAccess(models.Model):
    """Who read which of a citizen's fields, when, why, on what legal basis, through what."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    accessed_at = models.DateTimeField()
    accessor_id = models.CharField(max_length=64, blank=True)
    accessor_kind = models.CharField(max_length=32)
    accessor_name = models.CharField(max_length=150, blank=True)
    accessor_department = models.CharField(max_length=150, blank=True)
    purpose = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=32, choices=LegalBasis.choices)
    fields = models.JSONField(default=list)
    channel = models.CharField(max_length=32, choices=Channel.choices)
    # Restricted entries (an investigation) stay hidden from the citizen until this moment.
    show_from = models.DateTimeField(null=True, blank=True)
    audit_entry_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["citizen", "-accessed_at"], name="privacy_access_citizen")]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.accessor_kind} read {','.join(self.fields)} ({self.purpose})"
