"""Periodic job: forget received message ids once their time window has long closed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from citizencloud.exchange.models import SeenMessage
from citizencloud.kernel import clock, periodic


@periodic.every(seconds=300, name="exchange.forget_seen")
def forget_seen() -> int:
    """Older ids cannot be replayed: their ``created`` falls outside the window anyway."""
    keep = dt.timedelta(seconds=settings.EXCHANGE_CLOCK_SKEW_SECONDS * 3)
    deleted, _ = SeenMessage.objects.filter(seen_at__lt=clock.now() - keep).delete()
    return deleted
