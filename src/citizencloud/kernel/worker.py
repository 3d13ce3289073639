"""The task worker: django-tasks-db's worker plus a heartbeat and crash recovery.

Tasks are the outbox (docs/decisions/0003-tasks-as-outbox.md): a task row is written in the
same transaction as the change that caused it. A worker that dies (``kill -9``) leaves its task
RUNNING; the heartbeat lets any live worker see that and put the task back to READY, so it runs
again. Tasks must therefore be idempotent (STYLE.md).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from citizencloud.kernel import clock, periodic
from citizencloud.kernel.logging import get_logger
from citizencloud.kernel.models import WorkerHeartbeat

log = get_logger("citizencloud.worker")


def new_worker_id() -> str:
    """A worker id unique across hosts and restarts (at most 64 characters)."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def beat(worker_id: str, started_at: dt.datetime) -> None:
    """Record that ``worker_id`` is alive now."""
    with transaction.atomic():
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "pid": os.getpid(),
                "hostname": socket.gethostname()[:255],
                "started_at": started_at,
                "seen_at": clock.now(),
            },
        )


def stale_before() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=settings.WORKER_STALE_AFTER)


def recover_orphaned_tasks() -> int:
    """Put back to READY every RUNNING task whose worker has stopped beating. Returns the count."""
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=stale_before()).values_list(
            "worker_id", flat=True
        )
    )
    recovered = 0
    with transaction.atomic():
        for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "worker_ids"
        ):
            owner = task.worker_ids[-1] if task.worker_ids else None
            if owner in alive:
                continue
            # Conditional update: a live worker that finished meanwhile keeps its result.
            recovered += DBTaskResult.objects.filter(
                pk=task.pk, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, started_at=None)
        WorkerHeartbeat.objects.filter(seen_at__lt=stale_before() - dt.timedelta(days=1)).delete()
    if recovered:
        log.warning("tasks.recovered", count=recovered)
    return recovered


def last_heartbeat() -> dt.datetime | None:
    """When any worker last showed a sign of life."""
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return latest


class Heartbeat(threading.Thread):
    """Beats every ``interval`` seconds and recovers orphaned tasks, until stopped."""

    def __init__(self, worker_id: str, interval: float = 5.0) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = clock.now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        from citizencloud.kernel.chainer import Chainer  # the audit chain, within seconds

        chainer = Chainer()
        chainer.start()
        while not self._stop_event.is_set():
            try:
                beat(self.worker_id, self.started_at)
                recover_orphaned_tasks()
                periodic.run_due()
            except Exception:  # a locked or restarting database must not kill the worker
                log.exception("heartbeat.failed")
            finally:
                close_old_connections()
            self._stop_event.wait(self.interval)
        chainer.stop()
        chainer.join(timeout=10)
        connection.close()

    def stop(self) -> None:
        self._stop_event.set()
