"""Demo campaigns: the 2021 digital-RMB red-envelope lottery, and a small first-come one."""

from __future__ import annotations

import datetime as dt

from citizencloud.campaigns import services
from citizencloud.campaigns.models import Campaign, Kind
from citizencloud.kernel import clock, demo


@demo.register(40, "campaigns")
def seed() -> list[demo.DemoAccount]:
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    if not Campaign.objects.filter(slug="ecny-red-envelopes").exists():
        opens = now + dt.timedelta(hours=1)
        services.create_campaign(
            slug="ecny-red-envelopes",
            title="数字人民币红包",
            title_en="Digital RMB red envelopes",
            kind=Kind.LOTTERY,
            opens_at=opens,
            closes_at=opens + dt.timedelta(hours=40),
            draw_at=opens + dt.timedelta(hours=42),
            regions=["51"],
            description="4000 万元，两档：178 元 × 138,805 个，238 元 × 64,255 个，共 203,060 个。",
            description_en=(
                "40 million yuan in two tiers: 138,805 × 178 yuan and 64,255 × 238 yuan."
            ),
            tiers=[services.TierSpec(17800, 138_805), services.TierSpec(23800, 64_255)],
        )
    if not Campaign.objects.filter(slug="swimming-pool-passes").exists():
        services.create_campaign(
            slug="swimming-pool-passes",
            title="市民游泳馆体验券（先到先得）",
            title_en="Public pool trial passes (first come)",
            kind=Kind.FIRST_COME,
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
            min_assurance=1,
            tiers=[services.TierSpec(2000, 500)],
        )
    return []
