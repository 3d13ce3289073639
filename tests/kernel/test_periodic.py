"""Periodic jobs run once per interval across all workers, and a failing one stops no other."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from citizencloud.kernel import clock, periodic
from citizencloud.kernel.models import PeriodicRun

pytestmark = pytest.mark.django_db(transaction=True)
calls: list[str] = []


@periodic.every(seconds=60, name="tests.count")
def count() -> None:
    calls.append("count")


@periodic.every(seconds=60, name="tests.fail")
def fail() -> None:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()


def test_a_job_runs_once_per_interval() -> None:
    start = clock.now()
    with clock.frozen(start) as advance:
        assert "tests.count" in periodic.run_due()
        assert "tests.count" not in periodic.run_due()
        advance(dt.timedelta(seconds=59))
        assert "tests.count" not in periodic.run_due()
        advance(dt.timedelta(seconds=2))
        assert "tests.count" in periodic.run_due()
    assert calls == ["count", "count"]


def test_a_failing_job_is_recorded_and_stops_no_other() -> None:
    ran = periodic.run_due()
    assert "tests.count" in ran
    assert "tests.fail" not in ran
    assert PeriodicRun.objects.get(name="tests.fail").last_error == "RuntimeError"
    assert PeriodicRun.objects.get(name="tests.count").last_finished is not None


def test_two_workers_at_once_run_a_job_once() -> None:
    barrier = threading.Barrier(4)
    results: list[list[str]] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(periodic.run_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(names.count("tests.count") for names in results) == 1
    assert calls == ["count"]


def test_payments_schedules_its_sweep_and_reconciliation() -> None:
    names = {schedule.name for schedule in periodic.schedules()}
    assert {"payments.sweep_pending", "payments.reconcile_yesterday"} <= names
