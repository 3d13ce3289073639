"""A drawn lottery tells every entrant the result as a `service` notice (issue 7 → 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from citizencloud.campaigns import services
from citizencloud.campaigns.models import Entry, Kind
from citizencloud.kernel import clock
from citizencloud.notifications.models import Message
from tests.campaigns import factories
from tests.identity.support import run_tasks

pytestmark = pytest.mark.django_db


def test_every_entrant_of_a_drawn_lottery_gets_a_service_notice() -> None:
    now = clock.now()
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY,
        title="数字人民币红包",
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now - dt.timedelta(hours=1),
        draw_at=now - dt.timedelta(minutes=30),
        tiers=[services.TierSpec(17800, 2), services.TierSpec(23800, 1)],
    )
    users = factories.create_users(7)
    Entry.objects.bulk_create(
        Entry(
            campaign=campaign, user=u, entry_id=f"{i:032x}", idempotency_key=str(i), created_at=now
        )
        for i, u in enumerate(users)
    )
    services.close(campaign_id=campaign.pk)
    services.draw(campaign_id=campaign.pk)
    run_tasks()
    run_tasks()  # a second delivery (at least once) adds nothing
    for user in users:
        entry = Entry.objects.get(campaign=campaign, user=user)
        (message,) = Message.objects.filter(recipient=user)
        assert message.category == "service"
        assert "数字人民币红包" in message.body_zh
        assert entry.entry_id in message.body_en
        if entry.prize_fen is None:
            assert "未中签" in message.body_zh
        else:
            assert f"{entry.prize_fen / 100:.2f}" in message.body_zh
            assert "you won" in message.body_en
    won = Message.objects.filter(recipient__in=users, subject_en__contains="you won").count()
    assert won == 3
