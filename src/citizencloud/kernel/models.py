"""Kernel tables: worker heartbeats, data keys, the audit chain, idempotency records, dev SMS."""

from __future__ import annotations

import uuid

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life; a stale one means the worker died."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    pid = models.PositiveIntegerField()
    hostname = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"


class DataKey(models.Model):
    """A data-encryption key, stored only wrapped by the master key (KEK); see kernel.keys."""

    class State(models.TextChoices):
        ACTIVE = "active", "active"
        RETIRED = "retired", "retired"

    key_id = models.CharField(max_length=16, unique=True)
    algorithm = models.CharField(max_length=16)
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=16, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key_id} ({self.algorithm}, {self.state})"


class AuditEntry(models.Model):
    """One append-only audit record; ``seq`` and ``hash`` are assigned by the chainer."""

    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(db_index=True)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_kind = models.CharField(max_length=32, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    actor_department = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    target_label = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="kernel_audit_unchained"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action}"


class AuditHead(models.Model):
    """The single row the chainer locks: last chained entry, Merkle frontier, pruning point."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    frontier = models.JSONField(default=list)
    pruned_seq = models.PositiveBigIntegerField(default=0)
    pruned_hash = models.CharField(max_length=64, default="0" * 64)
    pruned_frontier = models.JSONField(default=list)
    checkpoint_size = models.PositiveBigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"audit head at {self.seq}"


class AuditTreeNode(models.Model):
    """A perfect subtree root of the audit Merkle tree: leaves [index·2^level, (index+1)·2^level).

    Hashes only (no personal data), kept when entries are pruned, so proofs stay O(log² n)."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="kernel_audit_node_unique")
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class AuditCheckpoint(models.Model):
    """A signed statement of the RFC 6962 tree head over the first ``tree_size`` entries."""

    tree_size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    public_key = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"


class IdempotencyRecord(models.Model):
    """The stored outcome of a request made with an ``Idempotency-Key`` (kernel.idempotency)."""

    class State(models.TextChoices):
        RUNNING = "running", "running"
        DONE = "done", "done"

    scope = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="kernel_idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class DevSmsMessage(models.Model):
    """A text message kept by the development SMS adapter (never used in production)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # Sealed by kernel.sms with kernel.crypto.encrypt (an EncryptedField here would be an
    # import cycle: kernel.keys imports these models).
    phone_sealed = models.TextField()
    text = models.TextField()
    code = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"sms {self.public_id}"


class PeriodicRun(models.Model):
    """When a periodic job (``kernel.periodic``) last started and finished, across all workers."""

    name = models.CharField(max_length=100, primary_key=True)
    last_started = models.DateTimeField(null=True)
    last_finished = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.name
