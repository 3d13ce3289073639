"""Periodic jobs run by the task workers, once per interval across all of them.

An app registers ``@periodic.every(seconds=60, name="payments.sweep")`` on a module-level function
(from its ``AppConfig.ready()``). Every worker's heartbeat calls ``run_due()``; a job is claimed by
one conditional UPDATE on its ``PeriodicRun`` row (the interval has passed since it last started),
so with many workers on many nodes each job still runs once per interval. A job should be quick —
typically it enqueues tasks — and idempotent, like every task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from citizencloud.kernel import clock
from citizencloud.kernel.logging import get_logger
from citizencloud.kernel.models import PeriodicRun

log = get_logger("citizencloud.periodic")
Job = Callable[[], object]


@dataclass(frozen=True)
class Schedule:
    name: str
    interval: dt.timedelta
    job: Job


_schedules: dict[str, Schedule] = {}


def every(*, seconds: int, name: str) -> Callable[[Job], Job]:
    """Run the decorated function at most once every ``seconds`` across all workers."""

    def decorator(job: Job) -> Job:
        _schedules[name] = Schedule(name, dt.timedelta(seconds=seconds), job)
        return job

    return decorator


def schedules() -> list[Schedule]:
    return sorted(_schedules.values(), key=lambda schedule: schedule.name)


def _claim(schedule: Schedule) -> bool:
    now = clock.now()
    try:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=schedule.name)
    except IntegrityError:
        pass  # another worker created it first
    claimed = PeriodicRun.objects.filter(
        Q(last_started__isnull=True) | Q(last_started__lte=now - schedule.interval),
        name=schedule.name,
    ).update(last_started=now)
    return claimed == 1


def run_due() -> list[str]:
    """Run every job whose interval has passed and that no other worker claimed; their names."""
    ran = []
    for schedule in schedules():
        if not _claim(schedule):
            continue
        try:
            with transaction.atomic():
                schedule.job()
        except Exception as exc:  # one failing job must not stop the others or the heartbeat
            log.exception("periodic.failed", job=schedule.name)
            PeriodicRun.objects.filter(name=schedule.name).update(last_error=type(exc).__name__)
        else:
            PeriodicRun.objects.filter(name=schedule.name).update(
                last_finished=clock.now(), last_error=""
            )
            ran.append(schedule.name)
    return ran
