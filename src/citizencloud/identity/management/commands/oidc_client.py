"""``citizencloud oidc_client add``: register a department app or partner city as an OIDC client."""

from __future__ import annotations

import json
import secrets
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.models import get_application_model

from citizencloud.identity.models import ClientProfile


class Command(BaseCommand):
    help = "Register an OIDC client (authorization code + PKCE S256, RS256 ID tokens)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["add", "list"])
        parser.add_argument("--name", help="What people see on the consent screen.")
        parser.add_argument("--redirect-uri", action="append", default=[], help="Exact; repeat.")
        parser.add_argument("--owner", default="", help="Department or partner city.")
        parser.add_argument("--sector", default="", help="Apps of one sector share subject ids.")
        parser.add_argument("--jwks", type=Path, help="Public JWKS file: use private_key_jwt.")
        parser.add_argument("--public", action="store_true", help="A public client (no secret).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for app in get_application_model().objects.order_by("name"):
                self.stdout.write(f"{app.client_id}\t{app.name}\t{app.redirect_uris}")
            return
        if not options["name"] or not options["redirect_uri"]:
            raise CommandError("--name and at least one --redirect-uri are required")
        secret = "" if options["public"] or options["jwks"] else secrets.token_urlsafe(32)
        model = get_application_model()
        with transaction.atomic():
            app = model.objects.create(
                name=options["name"],
                redirect_uris=" ".join(options["redirect_uri"]),
                client_type=model.CLIENT_PUBLIC if options["public"] else model.CLIENT_CONFIDENTIAL,
                authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
                algorithm=model.RS256_ALGORITHM,
                client_secret=secret,
                hash_client_secret=True,
            )
            ClientProfile.objects.create(
                application=app,
                owner=options["owner"],
                sector_identifier=options["sector"],
                jwks=json.loads(options["jwks"].read_text()) if options["jwks"] else {},
            )
        self.stdout.write(json.dumps({"client_id": app.client_id, "client_secret": secret}))
