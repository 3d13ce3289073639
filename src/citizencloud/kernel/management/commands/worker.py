"""``citizencloud worker``: run background tasks, with heartbeat and crash recovery."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import Worker

from citizencloud.kernel import worker as worker_support


class Command(BaseCommand):
    help = "Run a background task worker (heartbeat + recovery of tasks left by dead workers)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue", default="*", help="Queues, comma separated; * for all.")
        parser.add_argument("--interval", type=float, default=0.5, help="Idle poll, seconds.")
        parser.add_argument("--heartbeat", type=float, default=5.0, help="Heartbeat, seconds.")
        parser.add_argument("--batch", action="store_true", help="Run what is ready, then exit.")
        parser.add_argument("--worker-id", default="", help="Unique id (default: generated).")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or worker_support.new_worker_id()
        worker = Worker(
            queue_names=options["queue"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        # Signals first: from the first heartbeat on, SIGTERM means a clean stop.
        worker.configure_signals()
        heartbeat = worker_support.Heartbeat(worker_id, interval=options["heartbeat"])
        # Beat and recover before the first task, so a restarted worker picks up its orphans.
        worker_support.beat(worker_id, heartbeat.started_at)
        worker_support.recover_orphaned_tasks()
        heartbeat.start()
        try:
            worker.run()
        finally:
            heartbeat.stop()
