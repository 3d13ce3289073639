"""``citizencloud privacy_party add|list``: register a third party (a bank, a utility, a partner
app) with the purposes it declares; it then acts for a citizen only under their consent."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citizencloud.kernel.errors import DomainError
from citizencloud.privacy import services
from citizencloud.privacy.models import PartyKind, ThirdParty


class Command(BaseCommand):
    help = "Register a third party as an OIDC client with its declared purposes, or list them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["add", "list"])
        parser.add_argument("--code", help="Stable short name, e.g. tianfu-bank.")
        parser.add_argument("--name", help="What citizens see on the consent screen.")
        parser.add_argument("--kind", choices=PartyKind.values, default=PartyKind.APP)
        parser.add_argument("--redirect-uri", help="Its OIDC redirect URI (exact).")
        parser.add_argument("--webhook-url", default="", help="Where revocation notices go.")
        parser.add_argument("--ack-public-key", default="", help="base64url Ed25519 key.")
        parser.add_argument(
            "--purposes",
            type=Path,
            help='JSON file: {"purpose": {"text", "items": [...], "actions": [...], "max_days"}}',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for party in ThirdParty.objects.select_related("application").order_by("code"):
                client = party.application.client_id if party.application else ""
                self.stdout.write(f"{party.code}\t{party.name}\t{client}\t{sorted(party.purposes)}")
            return
        needed = ("code", "name", "redirect_uri", "purposes")
        if any(not options[name] for name in needed):
            raise CommandError("--code, --name, --redirect-uri and --purposes are required")
        purposes = json.loads(options["purposes"].read_text(encoding="utf-8"))
        try:
            with transaction.atomic():
                party, secret = services.register_party(
                    code=options["code"],
                    name=options["name"],
                    kind=options["kind"],
                    purposes=purposes,
                    redirect_uri=options["redirect_uri"],
                    webhook_url=options["webhook_url"],
                    ack_public_key=options["ack_public_key"],
                )
        except DomainError as refused:
            raise CommandError(refused.message) from None
        client_id = party.application.client_id if party.application else ""
        self.stdout.write(json.dumps({"client_id": client_id, "client_secret": secret}))
