"""Tables of the exchange: peers, the message log, and the message ids already received."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock


class Peer(models.Model):
    """A department system or partner city the platform exchanges signed messages with."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    endpoint = models.URLField(_("endpoint"), max_length=300, blank=True)
    # {"<key id>": "<base64 raw Ed25519 public key>"}; several during a rotation.
    public_keys = models.JSONField(_("public keys"), default=dict)
    purposes = models.JSONField(_("allowed purposes"), default=list)
    department_code = models.CharField(_("department code"), max_length=64, blank=True)
    rate = models.CharField(_("rate limit"), max_length=16, default="600/m")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("exchange peer")
        verbose_name_plural = _("exchange peers")

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUT = "out", _("Sent")
    IN = "in", _("Received")


class Message(models.Model):
    """One exchanged message (with its retries) and what became of it; chained into audit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message_id = models.CharField(max_length=64, db_index=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    peer_code = models.CharField(max_length=40, blank=True)
    purpose = models.CharField(max_length=120, blank=True)
    legal_basis = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=200, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    response_digest = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=48)  # "ok" or an error code
    attempts = models.PositiveSmallIntegerField(default=1)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)
    audit_entry_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["peer_code", "-created_at"], name="exchange_msg_peer")]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id} {self.outcome}"


class SeenMessage(models.Model):
    """A message id received from a peer: a second arrival is a replay (kept past the window)."""

    peer_code = models.CharField(max_length=40)
    message_id = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer_code", "message_id"], name="exchange_seen_once")
        ]

    def __str__(self) -> str:
        return f"{self.peer_code}:{self.message_id}"
