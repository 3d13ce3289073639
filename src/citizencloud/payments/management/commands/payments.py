"""``citizencloud payments sweep|reconcile [--day YYYY-MM-DD]`` — for a timer (cron, systemd).

``sweep`` queues a provider query for every pending order past the query delay (and closes
expired ones); ``reconcile`` queues the reconciliation of a day (default: yesterday,
Asia/Shanghai). Both only enqueue tasks: a worker does the work after the commit."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citizencloud.kernel import clock
from citizencloud.payments import selectors, tasks


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["sweep", "reconcile"])
        parser.add_argument("--day", default="", help="ISO date to reconcile (default yesterday)")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if options["action"] == "sweep":
                tasks.sweep_pending.enqueue()
                self.stdout.write("queued: sweep of pending orders")
                return
            try:
                day = (
                    dt.date.fromisoformat(options["day"])
                    if options["day"]
                    else selectors.local(clock.now()).date() - dt.timedelta(days=1)
                )
            except ValueError as exc:
                raise CommandError("--day must be YYYY-MM-DD") from exc
            tasks.reconcile_day.enqueue(day.isoformat())
            self.stdout.write(f"queued: reconciliation of {day}")
