"""Plain factory functions for campaign tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from citizencloud.campaigns import passes, services
from citizencloud.campaigns.models import Campaign, Kind
from citizencloud.identity.models import Assurance, User
from citizencloud.kernel import clock

_slugs = itertools.count(1)


def create_campaign(**overrides: Any) -> Campaign:
    now = clock.now()
    fields: dict[str, Any] = {
        "slug": f"campaign-{next(_slugs)}-{now.timestamp():.0f}",
        "title": "测试活动",
        "kind": Kind.FIRST_COME,
        "opens_at": now - dt.timedelta(minutes=5),
        "closes_at": now + dt.timedelta(hours=1),
        "tiers": [services.TierSpec(amount_fen=17800, count=10)],
        "min_assurance": 0,
    }
    fields.update(overrides)
    return services.create_campaign(**fields)


def create_users(n: int, *, assurance: int = Assurance.IDENTITY) -> list[User]:
    start = User.objects.count()
    users = [
        User(username=f"crowd-{start + i}-{clock.now().timestamp():.6f}", assurance=assurance)
        for i in range(n)
    ]
    for user in users:
        user.set_unusable_password()
    return User.objects.bulk_create(users)


def create_citizen(id_number: str, *, assurance: int = Assurance.IDENTITY) -> User:
    return User.objects.create_user(
        username=f"citizen-{id_number}", password=None, id_number=id_number, assurance=assurance
    )


def pass_for(
    campaign: Campaign, user: User, *, seconds: int = 600, campaign_id: int | None = None
) -> str:
    key_id, master = services.pass_master()
    return passes.issue_mac(
        master,
        key_id,
        campaign_id=campaign_id if campaign_id is not None else campaign.pk,
        user_id=user.pk,
        expires_at=int(clock.now().timestamp()) + seconds,
    )
