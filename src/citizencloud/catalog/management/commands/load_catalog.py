"""``citizencloud load_catalog``: validate and load the org and catalog data files.

Unlike ``seed_demo`` this also runs in production: the catalog is public reference data, not
demo data. ``--check`` only validates and lists every problem; nothing is written.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citizencloud.catalog import loading
from citizencloud.org import loading as org_loading


class Command(BaseCommand):
    help = "Validate and load regions, departments, service points and the service catalog."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = loading.validate(loading.read_catalog())
        if problems:
            raise CommandError("The catalog data files are invalid:\n" + "\n".join(problems))
        if options["check"]:
            self.stdout.write("The catalog data files are valid.")
            return
        with transaction.atomic():
            counts = {**org_loading.load_all(), **loading.load_catalog()}
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
