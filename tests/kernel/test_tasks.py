"""Tasks are the outbox: they commit or roll back with the work, and survive a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from citizencloud.kernel.models import WorkerHeartbeat
from tests.fixtures import ROOT, child_env
from tests.kernel.tasks_for_tests import record_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


class Rollback(Exception):
    pass


def run_worker(*args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "worker", "--interval", "0.1", *args],
        env=child_env(**env),
        cwd=ROOT,
    )


def wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("condition not met")


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "marker"

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            record_run.enqueue(str(marker))
            raise Rollback

    with pytest.raises(Rollback):
        enqueue_then_fail()
    assert DBTaskResult.objects.count() == 0
    worker = run_worker("--batch")
    assert worker.wait(timeout=60) == 0
    assert not marker.exists()


def test_a_committed_task_runs(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    with transaction.atomic():
        result = record_run.enqueue(str(marker))
    worker = run_worker("--batch")
    assert worker.wait(timeout=60) == 0
    assert marker.read_text() == "run\n"
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "done"


def test_a_task_survives_its_worker_being_killed(tmp_path: Path) -> None:
    marker, release = tmp_path / "marker", tmp_path / "release"
    with transaction.atomic():
        result = record_run.enqueue(str(marker), str(release))
    fast = {"CITIZENCLOUD_WORKER_STALE_AFTER": "2"}
    first = run_worker("--heartbeat", "0.3", **fast)
    try:
        wait_for(marker.exists)  # the task is running, blocked on ``release``
        assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    release.touch()
    second = run_worker("--heartbeat", "0.3", **fast)
    try:
        wait_for(
            lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
        )
    finally:
        second.terminate()
        second.wait(timeout=20)
    # At least once: it ran again after the crash, and finished exactly once.
    assert marker.read_text() == "run\nrun\n"
    assert DBTaskResult.objects.get(pk=result.id).return_value == "done"


def test_a_worker_stops_on_sigterm(tmp_path: Path) -> None:
    worker = run_worker()
    wait_for(WorkerHeartbeat.objects.exists)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
