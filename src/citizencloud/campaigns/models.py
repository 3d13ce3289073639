"""Campaign tables: campaigns with prize tiers, and one entry per person.

The hot path (``campaigns.store``) writes ``Entry`` rows and decrements ``Campaign.remaining``
with raw SQL; the column names here are its contract.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock
from citizencloud.kernel.crypto import EncryptedField


class Kind(models.TextChoices):
    LOTTERY = "lottery", _("Lottery")
    FIRST_COME = "first_come", _("First come, first served")


class Campaign(models.Model):
    """A flash event: a registration window, eligibility rules, prizes and, for a lottery, the
    commitments of a verifiable draw (seed hash before opening, Merkle root at closing)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    draw_at = models.DateTimeField(null=True, blank=True)
    # Eligibility (policies.eligibility): assurance level, region codes (prefixes of the
    # six-digit code of the ID number), age in whole years on the opening day.
    min_assurance = models.PositiveSmallIntegerField(default=2)
    regions = models.JSONField(default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # First come: units left, decremented by one conditional UPDATE per entry (never below 0).
    remaining = models.BigIntegerField(default=0)
    # Verifiable lottery: H(seed) public from creation; the seed (encrypted) revealed at the draw.
    seed = EncryptedField(null=True, blank=True)
    seed_hash = models.CharField(max_length=64, blank=True)
    revealed_seed = models.CharField(max_length=64, blank=True)
    entry_count = models.BigIntegerField(null=True, blank=True)
    merkle_root = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0), name="campaign_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="campaign_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PrizeTier(models.Model):
    """``count`` prizes of ``amount_fen`` each; tiers are awarded in ``rank`` order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tiers")
    rank = models.PositiveSmallIntegerField()
    amount_fen = models.BigIntegerField()
    count = models.BigIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "rank"], name="prize_tier_rank_unique"),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0) & Q(count__gt=0), name="prize_tier_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.amount_fen} fen"


class Entry(models.Model):
    """One person's entry. ``entry_id`` (random, 32 hex digits) is the pseudonym published in the
    lottery ledger; ``(user, campaign)`` is unique: one entry per person.

    Two indexes and no more (ADR 0022): every entry written in a rush pays for each B-tree it
    enters. ``(user, campaign)`` serves one-per-person, the hot path's "already entered?" and a
    person's own entries; ``(campaign, entry_id)`` serves the ledger order, the lookups by entry
    id and every per-campaign scan — so the foreign keys get no index of their own."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    entry_id = models.CharField(max_length=32)
    idempotency_key = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    prize_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    prize_fen = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "campaign"], name="entry_one_per_person"),
            models.UniqueConstraint(fields=["campaign", "entry_id"], name="entry_ledger_order"),
        ]

    def __str__(self) -> str:
        return self.entry_id


class LedgerTree(models.Model):
    """The ledger's Merkle tree as stored at closing (``campaigns.ledger_tree``): the first
    entry id and the root of every chunk of ``chunk`` leaves. Proofs are served from it."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="tree")
    size = models.BigIntegerField()
    chunk = models.PositiveIntegerField()
    fences = models.BinaryField()
    chunk_roots = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.size} leaves"
