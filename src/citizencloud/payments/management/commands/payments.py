"""``citizencloud payments sweep|reconcile|register-biller|import-bills``.

* ``sweep`` queues a provider query for every pending order past the query delay (and closes
  expired ones) — run it every minute from a timer;
* ``reconcile [--day YYYY-MM-DD]`` queues the reconciliation of a day (default: yesterday,
  Asia/Shanghai) — run it daily after the provider publishes its settlement file;
* ``register-biller --code C --name N --kind K [--department D]`` registers a biller and prints
  its new API secret once (give it to the biller; it is stored encrypted);
* ``import-bills --biller C FILE.csv`` imports a CSV of bills and prints the rejected rows.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError
from citizencloud.payments import selectors, services, tasks


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "action", choices=["sweep", "reconcile", "register-biller", "import-bills"]
        )
        parser.add_argument("file", nargs="?", default="", help="CSV file (import-bills)")
        parser.add_argument("--day", default="", help="ISO date to reconcile (default yesterday)")
        parser.add_argument("--biller", default="", help="biller code (import-bills)")
        parser.add_argument("--code", default="")
        parser.add_argument("--name", default="")
        parser.add_argument("--kind", default="")
        parser.add_argument("--department", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _sweep(self, options: dict[str, Any]) -> None:
        tasks.sweep_pending.enqueue()
        self.stdout.write("queued: sweep of pending orders")

    def _reconcile(self, options: dict[str, Any]) -> None:
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

    def _register_biller(self, options: dict[str, Any]) -> None:
        if not (options["code"] and options["name"] and options["kind"]):
            raise CommandError("--code, --name and --kind are required")
        secret = secrets.token_urlsafe(32)
        biller = services.register_biller(
            code=options["code"],
            name=options["name"],
            kind=options["kind"],
            secret=secret,
            department_code=options["department"],
        )
        if str(biller.api_secret) != secret:
            raise CommandError(f"biller {biller.code} exists already; its secret is unchanged")
        self.stdout.write(f"registered {biller.code}; API secret (shown once): {secret}")

    def _import_bills(self, options: dict[str, Any]) -> None:
        biller = selectors.biller_by_code(options["biller"])
        if biller is None or not options["file"]:
            raise CommandError("--biller CODE and a CSV file are required")
        text = Path(options["file"]).read_text(encoding="utf-8-sig")
        report = services.import_bills_csv(biller=biller, text=text)
        self.stdout.write(
            json.dumps(
                {
                    "accepted": report.accepted,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                },
                ensure_ascii=False,
            )
        )
