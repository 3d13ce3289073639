"""``citizencloud keys``: list data keys, rotate the data key, rewrap under a new master key."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from citizencloud.kernel import audit, clock, crypto, keys
from citizencloud.kernel.models import DataKey


class Command(BaseCommand):
    help = "Manage encryption keys: list, rotate (new data key + re-encrypt), rewrap (new KEK)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Data keys, their state and master key.")
        rotate = sub.add_parser(
            "rotate", help="Create a data key and re-encrypt every value to it (resumable)."
        )
        rotate.add_argument("--batch", type=int, default=500, help="Rows per transaction.")
        rotate.add_argument(
            "--resume",
            action="store_true",
            help="Do not create a key: finish moving values to the current data key.",
        )
        sub.add_parser("rewrap", help="Rewrap every data key under the current master key.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        action = options["action"]
        if action == "list":
            self._list(console)
        elif action == "rotate":
            self._rotate(console, batch=options["batch"], resume=options["resume"])
        else:
            rewrapped, total = keys.rewrap_all()
            keys.clear_cache()
            audit.record(action="kernel.keys_rewrapped", details={"data_keys": rewrapped})
            console.print(
                f"Rewrapped {rewrapped} of {total} data keys under the current master key."
            )

    def _list(self, console: Console) -> None:
        table = Table("key id", "algorithm", "state", "master key", "created", "retired")
        for row in DataKey.objects.order_by("created_at", "id"):
            table.add_row(
                row.key_id,
                row.algorithm,
                row.state,
                row.kek_id,
                row.created_at.isoformat(timespec="seconds"),
                row.retired_at.isoformat(timespec="seconds") if row.retired_at else "",
            )
        console.print(table)
        states = dict(DataKey.objects.values_list("state").annotate(n=Count("id")))
        console.print(f"current master key: {keys.master_keys().current_id}; {states}")

    def _rotate(self, console: Console, *, batch: int, resume: bool) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        if not resume:
            created = keys.create_data_key()
            console.print(f"New data key {created.key_id} ({created.algorithm}) is now primary.")
        primary = keys.primary()
        columns = crypto.encrypted_columns()
        changed = 0
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            for model, fields in columns:
                total = model._base_manager.count()
                task = progress.add_task(f"{model._meta.label}", total=total)
                after: Any = None
                while True:
                    after, moved, scanned = crypto.reencrypt_batch(
                        model, fields, after_pk=after, batch=batch, key=primary
                    )
                    changed += moved
                    progress.advance(task, scanned)
                    if scanned < batch:
                        break
        remaining = crypto.count_not_under(primary[0])
        if remaining == 0:
            retired = (
                DataKey.objects.filter(state=DataKey.State.ACTIVE)
                .exclude(key_id=primary[0])
                .update(state=DataKey.State.RETIRED, retired_at=clock.now())
            )
            console.print(f"Re-encrypted {changed} values; {retired} older keys retired.")
        else:
            console.print(
                f"Re-encrypted {changed} values; {remaining} changed meanwhile: "
                "run `citizencloud keys rotate --resume`."
            )
        audit.record(
            action="kernel.keys_rotated",
            details={"key_id": primary[0], "values": changed, "remaining": remaining},
        )
