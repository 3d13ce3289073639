"""500 people press "book" at once for 20 seats, against the real server process (granian +
Django, the test database: SQLite here, PostgreSQL in the PostgreSQL run): exactly 20 bookings,
the other 480 get a clear "full", nobody gets a 500, the counter equals the rows."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import uuid

import httpx
import pytest

from citizencloud.booking.models import Booking, Slot
from tests.factories.booking import create_citizen, create_slot, token_for
from tests.fixtures import LiveServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ATTEMPTS, SEATS = 500, 20


async def _storm(url: str, slot_id: int, tokens: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=ATTEMPTS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=90) as client:

        async def attempt(token: str) -> httpx.Response:
            return await client.post(
                "/api/v1/bookings",
                json={"slot_id": slot_id},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            )

        return await asyncio.gather(*(attempt(token) for token in tokens))


def test_500_concurrent_attempts_on_20_seats_make_exactly_20_bookings(
    live_server_process: LiveServer,
) -> None:
    slot = create_slot(capacity=SEATS, starts_in=dt.timedelta(days=1))
    tokens = [token_for(create_citizen()) for _ in range(ATTEMPTS)]
    responses = asyncio.run(_storm(live_server_process.url, slot.pk, tokens))
    statuses = collections.Counter(r.status_code for r in responses)
    assert statuses[201] == SEATS, statuses
    codes = collections.Counter(r.json().get("code") for r in responses if r.status_code != 201)
    assert codes == {"booking.slot_full": ATTEMPTS - SEATS}, (statuses, codes)
    assert Slot.objects.get(pk=slot.pk).booked == SEATS
    assert Booking.objects.filter(slot=slot, state="booked").count() == SEATS
