from __future__ import annotations

import datetime as dt

from ninja import Schema


class TierOut(Schema):
    rank: int
    amount_fen: int
    count: int


class CampaignOut(Schema):
    id: int
    slug: str
    title: str
    title_en: str
    kind: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    draw_at: dt.datetime | None
    tiers: list[TierOut]
    remaining: int | None
    equal_odds: bool
    algorithm: str
    seed_hash: str
    entry_count: int | None
    merkle_root: str
    seed: str
    closed_at: dt.datetime | None
    drawn_at: dt.datetime | None


class PassOut(Schema):
    token: str
    expires_at: dt.datetime
    campaign_id: int
    entry_url: str


class WinnerOut(Schema):
    entry_id: str
    prize_rank: int
    prize_fen: int


class MyEntryOut(Schema):
    entry_id: str
    created_at: dt.datetime
    prize_rank: int | None
    prize_fen: int | None
    leaf_index: int | None
    tree_size: int | None
    inclusion_proof: list[str]
    merkle_root: str
