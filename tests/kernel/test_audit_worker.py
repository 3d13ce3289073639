"""The task worker's heartbeat thread runs the chainer: entries are chained within seconds."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from citizencloud.kernel import audit, worker
from citizencloud.kernel.models import AuditCheckpoint, AuditEntry


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_chains_new_entries_within_seconds(settings: object) -> None:
    settings.AUDIT_CHAIN_SECONDS = 0.2  # type: ignore[attr-defined]
    heartbeat = worker.Heartbeat(worker.new_worker_id(), interval=0.2)
    heartbeat.start()
    try:
        with transaction.atomic():
            entry = audit.record(action="identity.login", details={"method": "password"})
        deadline = time.monotonic() + 10
        while AuditEntry.objects.get(pk=entry.pk).seq is None:
            assert time.monotonic() < deadline, "not chained within 10 s"
            time.sleep(0.05)
    finally:
        heartbeat.stop()
        heartbeat.join(timeout=10)
    assert AuditCheckpoint.objects.exists()
    assert audit.verify().ok
