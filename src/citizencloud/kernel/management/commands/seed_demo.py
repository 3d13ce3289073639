"""``citizencloud seed_demo``: load demo data (idempotent) and list the demo accounts."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from citizencloud.kernel import config, demo


class Command(BaseCommand):
    help = "Load the demo city (idempotent) and write <data>/demo-accounts.json in development."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with CITIZENCLOUD_ENV=production.")
        accounts: list[demo.DemoAccount] = []
        steps = demo.seeders()
        with Progress(transient=True) as progress:
            bar = progress.add_task("seeding", total=len(steps))
            for name, seeder in steps:
                progress.update(bar, description=f"seeding {name}")
                with transaction.atomic():
                    accounts.extend(seeder())
                progress.advance(bar)
        path = settings.DATA_DIR / "demo-accounts.json"
        path.unlink(missing_ok=True)
        config.write_key_file(
            path, json.dumps(demo.as_json(accounts), ensure_ascii=False, indent=2).encode()
        )
        table = Table(title="Demo accounts (development only)")
        for column in ("login", "password", "role", "description"):
            table.add_column(column)
        for account in accounts:
            table.add_row(account.login, account.password, account.role, account.description)
        Console().print(table)
        self.stdout.write(f"Written to {path}")
