"""The data-access ledger: one row each time staff or a system reads a citizen's personal data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock


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


# --- consents -----------------------------------------------------------------------------------


class PartyKind(models.TextChoices):
    BANK = "bank", _("Bank")
    UTILITY = "utility", _("Utility")
    APP = "app", _("Partner app")
    PEER = "peer", _("Exchange peer")


class ThirdParty(models.Model):
    """An outside organisation that may act for a citizen, with what it declared it needs.

    It is an OIDC client (``application``) or an exchange peer; it acts only under a
    :class:`Consent`. ``ack_public_key`` verifies its signed revocation acknowledgements."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PartyKind.choices, default=PartyKind.APP
    )
    application = models.OneToOneField(
        "oauth2_provider.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="third_party",
    )
    # {"open_class3_account": {"text": "...", "items": [...], "actions": [...], "max_days": 365}}
    purposes = models.JSONField(_("declared purposes"), default=dict)
    webhook_url = models.URLField(_("revocation webhook URL"), blank=True)
    ack_public_key = models.CharField(  # base64url Ed25519
        _("acknowledgement public key"), max_length=64, blank=True
    )
    privacy_contact = models.CharField(_("privacy contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=clock.now)

    class Meta:
        verbose_name = _("third party")
        verbose_name_plural = _("third parties")

    def __str__(self) -> str:
        return self.name


class Consent(models.Model):
    """A citizen's permission: who (``party``; none for the platform's own purposes), why
    (``purpose``), which data items, which actions, until when, and the exact text shown."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    party = models.ForeignKey(
        ThirdParty, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    # The party's pseudonymous id of the citizen (pairwise ``sub``): how it names them.
    subject_ref = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=60)
    items = models.JSONField(default=list)
    actions = models.JSONField(default=list)
    text = models.TextField(blank=True)
    text_version = models.CharField(max_length=20)
    language = models.CharField(max_length=10, default="zh-hans")
    collection_method = models.CharField(max_length=40, default="explicit_screen")
    granted_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["party", "subject_ref"], name="privacy_consent_ref")]

    def __str__(self) -> str:
        return f"consent {self.public_id}"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the party to confirm")
    CONFIRMED = "confirmed", _("Confirmed by the party")


class RevocationNotice(models.Model):
    """The signed webhook telling a party a consent ended; retried until it is acknowledged."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consent = models.OneToOneField(Consent, on_delete=models.CASCADE, related_name="notice")
    status = models.CharField(
        max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    created_at = models.DateTimeField(default=clock.now)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)  # what the party did: "closed"

    def __str__(self) -> str:
        return f"revocation notice {self.public_id}"
