"""Cases (one citizen's application to one service), their timeline and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizencloud.catalog.models import Service
from citizencloud.kernel import clock
from citizencloud.kernel.crypto import EncryptedField
from citizencloud.org.models import Department


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    IN_REVIEW = "in_review", _("In review")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A case. ``version`` is the optimistic lock: every transition bumps it conditionally."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=24, choices=State.choices)
    version = models.PositiveIntegerField(default=1)
    # The form answers as JSON text, encrypted (they hold personal data).
    form_data = EncryptedField(_("form data"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=clock.now)
    started_on = models.DateField()  # the day the SLA clock started (Asia/Shanghai)
    sla_days = models.PositiveSmallIntegerField()
    deadline = models.DateField(db_index=True)
    paused_since = models.DateField(null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(default=0)
    supplement_items = models.JSONField(default=list, blank=True)
    # Cases opened together by one bundle submission (一件事一次办) share this reference.
    bundle_reference = models.CharField(max_length=32, blank=True, db_index=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("-submitted_at",)
        indexes = [
            # The queue walks a department's cases in deadline order and stops at one page.
            models.Index(
                fields=("department", "deadline", "submitted_at"), name="applications_queue"
            ),
            models.Index(fields=("citizen", "-submitted_at"), name="applications_mine"),
            # The queue's SLA-colour filter classifies paused cases one by one: find them
            # without walking the department's running cases.
            models.Index(
                fields=("department", "paused_since"),
                condition=models.Q(paused_since__isnull=False),
                name="applications_paused",
            ),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.reference


class Step(models.Model):
    """One entry of a case's timeline: a transition, a note or a message."""

    class Visibility(models.TextChoices):
        CITIZEN = "citizen", _("Visible to the applicant")
        INTERNAL = "internal", _("Internal note")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.CITIZEN
    )
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("application", "at", "pk")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Attachment(models.Model):
    """An uploaded file: content encrypted at rest (base64 inside the envelope), its SHA-256."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    material = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = EncryptedField()
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("application", "uploaded_at", "pk")

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """The result document of a completed case: a JSON statement signed with the kernel's
    Ed25519 key. It names the service, the department, the case reference and the time — the
    holder only masked — so the public verification page shows nothing personal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="certificate"
    )
    title = models.CharField(max_length=128)
    statement = models.JSONField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=32)
    issued_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.title} {self.public_id}"


class Draft(models.Model):
    """A citizen's unfinished form for one service (answers encrypted), replaced on each save
    and deleted when the application is submitted; a save that arrives after the submission
    (an autosave in flight) is refused, and one that slips past in a race is ignored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    data = EncryptedField()
    # When the form this draft comes from was opened: a draft from a form opened before the
    # citizen's last submission of this service is stale (a late autosave) and never shown.
    opened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("citizen", "service"), name="applications_one_draft")
        ]

    def __str__(self) -> str:
        return f"draft {self.public_id}"
