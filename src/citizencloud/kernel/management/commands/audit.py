"""``citizencloud audit``: verify the chain and checkpoints, prove inclusion, chain, prune."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from citizencloud.kernel import audit


class Command(BaseCommand):
    help = "Audit log: verify | prove SEQ | chain | prune."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check the hash chain and every signed checkpoint.")
        prove = sub.add_parser("prove", help="Print an inclusion proof of entry SEQ (JSON).")
        prove.add_argument("seq", type=int)
        chain = sub.add_parser("chain", help="Chain pending entries now (the worker does it).")
        chain.add_argument("--checkpoint", action="store_true", help="Sign a checkpoint too.")
        sub.add_parser("prune", help="Delete entries past AUDIT_RETENTION_DAYS.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        action = options["action"]
        if action == "verify":
            report = audit.verify()
            for problem in report.problems:
                console.print(f"[red]✗[/red] {problem}")
            summary = (
                f"{report.entries} entries, {report.checkpoints} checkpoints, "
                f"{report.unchained} not chained yet"
            )
            if not report.ok:
                where = f" at sequence {report.first_bad_seq}" if report.first_bad_seq else ""
                raise CommandError(f"audit log verification FAILED{where} ({summary})")
            console.print(f"[green]✓[/green] audit log verified: {summary}")
        elif action == "prove":
            try:
                proof = audit.prove(options["seq"])
            except LookupError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(json.dumps(proof, indent=2, ensure_ascii=False))
        elif action == "chain":
            count = 0
            while chained := audit.chain_pending(force_checkpoint=options["checkpoint"]):
                count += chained
            if options["checkpoint"] and not count:
                audit.chain_pending(force_checkpoint=True)
            console.print(f"chained {count} entries")
        else:
            console.print(f"pruned {audit.prune_expired()} entries")
