from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema


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


class TierIn(Schema):
    amount_fen: int = Field(gt=0, le=100_000_000, description="prize amount in fen")
    count: int = Field(gt=0, le=100_000_000)


class CampaignIn(Schema):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    title: str = Field(min_length=1, max_length=200)
    title_en: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    description_en: str = Field(default="", max_length=5000)
    kind: Literal["lottery", "first_come"]
    opens_at: dt.datetime
    closes_at: dt.datetime
    draw_at: dt.datetime | None = None
    tiers: list[TierIn] = Field(min_length=1, max_length=10)
    min_assurance: int = Field(default=2, ge=0, le=3)
    regions: list[Annotated[str, Field(pattern=r"^[0-9]{2,6}$")]] = Field(
        default_factory=list, max_length=50
    )
    min_age: int | None = Field(default=None, ge=0, le=150)
    max_age: int | None = Field(default=None, ge=0, le=150)
