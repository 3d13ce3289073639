"""Kernel tables: the task workers' heartbeats (readiness and crash recovery)."""

from __future__ import annotations

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
