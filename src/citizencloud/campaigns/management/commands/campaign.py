"""``citizencloud campaign close|draw|verify ID``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from citizencloud.campaigns import lottery, selectors, services


def _published_local(campaign_id: int) -> lottery.Published:
    c = selectors.campaign(campaign_id)
    return lottery.Published(
        campaign_id=c.pk,
        seed_hash=c.seed_hash,
        seed=c.revealed_seed,
        entry_count=c.entry_count or 0,
        merkle_root=c.merkle_root,
        ledger=selectors.ledger(c.pk),
        tiers=[lottery.Tier(t.rank, t.amount_fen, t.count) for t in c.tiers.all()],
        winners=selectors.winners(c.pk),
    )


def _published_remote(base: str, campaign_id: int) -> lottery.Published:
    import httpx

    api = f"{base.rstrip('/')}/api/v1/campaigns/{campaign_id}"
    with httpx.Client(timeout=60) as client:
        c = client.get(api).raise_for_status().json()
        ledger = client.get(api + "/ledger").raise_for_status().text.split()
        winners = client.get(api + "/winners").raise_for_status().json()
    return lottery.Published(
        campaign_id=campaign_id,
        seed_hash=c["seed_hash"],
        seed=c["seed"],
        entry_count=c["entry_count"] or 0,
        merkle_root=c["merkle_root"],
        ledger=ledger,
        tiers=[lottery.Tier(t["rank"], t["amount_fen"], t["count"]) for t in c["tiers"]],
        winners=[(w["entry_id"], w["prize_rank"], w["prize_fen"]) for w in winners],
    )


class Command(BaseCommand):
    def _reconcile(self, campaign_id: int) -> None:
        """Reset the Redis stock counter of a first-come campaign from the database."""
        from django.conf import settings
        from django.db import connection

        from citizencloud.campaigns import store
        from citizencloud.campaigns.redis_store import RedisPostgresStore

        if not settings.REDIS_URL:
            raise CommandError("no Redis configured: nothing to reconcile")
        s = store.from_settings(
            connection.settings_dict,
            redis_url=settings.REDIS_URL,
            prefix=settings.CACHES["default"].get("KEY_PREFIX") or "cc",
        )
        info = s.campaign(campaign_id)
        if not isinstance(s, RedisPostgresStore) or info is None:
            raise CommandError("needs PostgreSQL, Redis and an existing campaign")
        s.reconcile(info)
        self.stdout.write(json.dumps({"campaign_id": campaign_id, "stock": info.remaining}))

    help = "Close a campaign, draw a lottery, or verify a published draw (docs/lottery.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["close", "draw", "verify", "reconcile"])
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--url", default="", help="verify from a server's published data")

    def handle(self, *args: Any, **options: Any) -> None:
        action, campaign_id = options["action"], options["campaign_id"]
        if action == "verify":
            published = (
                _published_remote(options["url"], campaign_id)
                if options["url"]
                else _published_local(campaign_id)
            )
            if not published.seed:
                raise CommandError("the seed is not revealed yet: nothing to verify")
            problems = lottery.verify(published)
            summary = {
                "campaign_id": campaign_id,
                "entries": len(published.ledger),
                "merkle_root": published.merkle_root,
                "winners": len(published.winners),
                "ok": not problems,
                "problems": problems,
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            if problems:
                raise CommandError("verification FAILED")
            return
        with transaction.atomic():
            c = (
                services.close(campaign_id=campaign_id)
                if action == "close"
                else services.draw(campaign_id=campaign_id)
            )
        self.stdout.write(
            json.dumps(
                {
                    "campaign_id": c.pk,
                    "entry_count": c.entry_count,
                    "merkle_root": c.merkle_root,
                    "seed": c.revealed_seed,
                }
            )
        )
