"""The entry hot path in the real server: passes, idempotency, one entry per person, windows,
stock, admission. Entries are checked in the database, not only in the replies."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import httpx
import pytest

from citizencloud.campaigns import passes
from citizencloud.campaigns.models import Campaign, Entry, Kind
from citizencloud.kernel import clock, signing
from tests.campaigns import factories
from tests.fixtures import LiveServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def enter(
    server: LiveServer, campaign_id: int, token: str, key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return httpx.post(
        f"{server.url}/api/v1/campaigns/{campaign_id}/entries",
        json={"pass": token},
        headers=headers,
        timeout=30,
    )


def test_entry_is_created_with_a_verifiable_receipt(edge_server: LiveServer) -> None:
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY, tiers=[factories.services.TierSpec(100, 1)]
    )
    [user] = factories.create_users(1)
    response = enter(edge_server, campaign.pk, factories.pass_for(campaign, user))
    assert response.status_code == 201, response.text
    body = response.json()
    entry = Entry.objects.get(entry_id=body["entry_id"])
    assert (entry.campaign_id, entry.user_id) == (campaign.pk, user.pk)
    public = signing.trusted_public_keys()[body["receipt"]["key_id"]]
    assert passes.verify_receipt(
        public,
        campaign_id=campaign.pk,
        entry_id=body["entry_id"],
        created_at=body["created_at"],
        receipt=body["receipt"],
    )
    assert not passes.verify_receipt(
        public,
        campaign_id=campaign.pk,
        entry_id="0" * 32,
        created_at=body["created_at"],
        receipt=body["receipt"],
    )


def test_same_key_gives_the_same_entry_and_another_key_is_a_duplicate(
    edge_server: LiveServer,
) -> None:
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    token = factories.pass_for(campaign, user)
    first = enter(edge_server, campaign.pk, token, key="k-1")
    again = enter(edge_server, campaign.pk, token, key="k-1")
    other = enter(edge_server, campaign.pk, token, key="k-2")
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["entry_id"] == first.json()["entry_id"]
    assert other.status_code == 409
    assert other.json()["code"] == "campaigns.already_entered"
    assert other.headers["content-type"] == "application/problem+json"
    assert Entry.objects.filter(campaign=campaign).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).remaining == 9


@pytest.mark.parametrize("mutate", ["signature", "payload", "garbage", "other_key"])
def test_forged_passes_are_refused(edge_server: LiveServer, mutate: str) -> None:
    campaign = factories.create_campaign()
    [user, other] = factories.create_users(2)
    token = factories.pass_for(campaign, user)
    prefix, body, signature = token.split(".")
    if mutate == "signature":
        forged = f"{prefix}.{body}.{signature[:-4]}AAAA"
    elif mutate == "payload":
        # Someone else's user id under the original signature.
        real = factories.pass_for(campaign, other).split(".")[1]
        forged = f"{prefix}.{real}.{signature}"
    elif mutate == "garbage":
        forged = "cp1.not-a-pass"
    else:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = signing.current()
        forged = passes.issue(
            Ed25519PrivateKey.generate(),
            key.key_id,
            campaign_id=campaign.pk,
            user_id=user.pk,
            expires_at=int(clock.now().timestamp()) + 600,
        )
    response = enter(edge_server, campaign.pk, forged)
    assert response.status_code == 401
    assert response.json()["code"] == "campaigns.pass_invalid"
    assert not Entry.objects.filter(campaign=campaign).exists()


def test_expired_pass_and_pass_for_another_campaign(edge_server: LiveServer) -> None:
    campaign = factories.create_campaign()
    other = factories.create_campaign()
    [user] = factories.create_users(1)
    expired = enter(edge_server, campaign.pk, factories.pass_for(campaign, user, seconds=-1))
    assert expired.status_code == 401
    assert expired.json()["code"] == "campaigns.pass_expired"
    wrong = enter(edge_server, campaign.pk, factories.pass_for(other, user))
    assert wrong.status_code == 403
    assert not Entry.objects.exists()


def test_missing_idempotency_key_and_body(edge_server: LiveServer) -> None:
    campaign = factories.create_campaign()
    url = f"{edge_server.url}/api/v1/campaigns/{campaign.pk}/entries"
    assert (
        httpx.post(url, json={"pass": "x"}).json()["code"] == "campaigns.idempotency_key_required"
    )
    response = httpx.post(url, content=b"{", headers={"Idempotency-Key": "a"})
    assert response.status_code == 400


def test_closed_window_and_not_yet_open(edge_server: LiveServer) -> None:
    now = clock.now()
    closed = factories.create_campaign(
        opens_at=now - dt.timedelta(hours=2), closes_at=now - dt.timedelta(seconds=1)
    )
    later = factories.create_campaign(
        opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=2)
    )
    [user] = factories.create_users(1)
    gone = enter(edge_server, closed.pk, factories.pass_for(closed, user))
    assert gone.status_code == 410
    assert gone.json()["code"] == "campaigns.closed"
    early = enter(edge_server, later.pk, factories.pass_for(later, user))
    assert early.status_code == 409
    assert early.json()["code"] == "campaigns.not_open"
    assert int(early.headers["retry-after"]) > 0
    assert not Entry.objects.exists()


def test_unknown_campaign(edge_server: LiveServer) -> None:
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    token = factories.pass_for(campaign, user, campaign_id=999_999)
    assert enter(edge_server, 999_999, token).status_code == 404


async def _crowd(url: str, tokens: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(tokens))
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        start = asyncio.Event()

        async def one(token: str) -> httpx.Response:
            await start.wait()
            return await client.post(
                url, json={"pass": token}, headers={"Idempotency-Key": uuid.uuid4().hex}
            )

        tasks = [asyncio.create_task(one(t)) for t in tokens]
        await asyncio.sleep(0.1)
        start.set()
        return await asyncio.gather(*tasks)


def test_first_come_sells_exactly_the_stock_to_500_concurrent_clients(
    edge_server: LiveServer,
) -> None:
    stock = 137
    campaign = factories.create_campaign(tiers=[factories.services.TierSpec(500, stock)])
    users = factories.create_users(500)
    tokens = [factories.pass_for(campaign, u) for u in users]
    responses = asyncio.run(
        _crowd(f"{edge_server.url}/api/v1/campaigns/{campaign.pk}/entries", tokens)
    )
    codes = [r.status_code for r in responses]
    assert set(codes) <= {201, 410}, sorted(set(codes))
    acked = {r.json()["entry_id"] for r in responses if r.status_code == 201}
    assert len(acked) == stock
    public = signing.trusted_public_keys()[signing.current().key_id]
    for r in responses:
        if r.status_code == 201:
            body = r.json()
            assert passes.verify_receipt(
                public,
                campaign_id=campaign.pk,
                entry_id=body["entry_id"],
                created_at=body["created_at"],
                receipt=body["receipt"],
            )
    assert max(r.json()["receipt"]["batch_size"] for r in responses if r.status_code == 201) > 1
    assert all(r.json()["code"] == "campaigns.sold_out" for r in responses if r.status_code == 410)
    stored = set(Entry.objects.filter(campaign=campaign).values_list("entry_id", flat=True))
    assert stored == acked
    assert Campaign.objects.get(pk=campaign.pk).remaining == 0
    # After the sell-out: a retry with the winner's key still gets its entry; others get 410.
    winner = next(i for i, r in enumerate(responses) if r.status_code == 201)
    retry = enter(edge_server, campaign.pk, tokens[winner], key="another-key")
    assert retry.status_code == 409
    extra = factories.create_users(1)[0]
    assert enter(edge_server, campaign.pk, factories.pass_for(campaign, extra)).status_code == 410


def test_over_capacity_gets_a_waiting_room_ticket_not_a_timeout(tight_server: LiveServer) -> None:
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY, tiers=[factories.services.TierSpec(100, 1)]
    )
    users = factories.create_users(30)
    tokens = [factories.pass_for(campaign, u) for u in users]
    responses = asyncio.run(
        _crowd(f"{tight_server.url}/api/v1/campaigns/{campaign.pk}/entries", tokens)
    )
    shed = [r for r in responses if r.status_code in (429, 503)]
    assert shed, [r.status_code for r in responses]
    for response in shed:
        assert int(response.headers["retry-after"]) >= 1
        room = response.json()["waiting_room"]
        assert room["position"] >= 1
        assert room["estimated_wait_seconds"] >= 1
    created = [r for r in responses if r.status_code == 201]
    assert Entry.objects.filter(campaign=campaign).count() == len(created)
    page = httpx.get(tight_server.url + shed[0].json()["waiting_room"]["url"])
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in page.text
    assert "equal odds" in page.text


def test_verify_command_recomputes_a_draw_from_a_servers_published_data(
    edge_server: LiveServer,
) -> None:
    import io
    import json

    from django.core.management import call_command

    from citizencloud.campaigns import services

    now = clock.now()
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY,
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now - dt.timedelta(hours=1),
        tiers=[services.TierSpec(17800, 2), services.TierSpec(23800, 1)],
    )
    for i, user in enumerate(factories.create_users(6)):
        Entry.objects.create(
            campaign=campaign, user=user, entry_id=f"{i:032x}", idempotency_key="k", created_at=now
        )
    services.close(campaign_id=campaign.pk)
    services.draw(campaign_id=campaign.pk)
    out = io.StringIO()
    call_command("campaign", "verify", str(campaign.pk), "--url", edge_server.url, stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["ok"], summary["entries"], summary["winners"]) == (True, 6, 3)


def test_browser_form_enters_without_javascript(edge_server: LiveServer) -> None:
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    form = {"pass": factories.pass_for(campaign, user), "key": "form-key"}
    url = f"{edge_server.url}/campaigns/{campaign.pk}/enter"
    first = httpx.post(url, data=form)
    assert first.status_code == 201
    assert first.headers["content-type"].startswith("text/html")
    entry = Entry.objects.get(campaign=campaign, user=user)
    assert entry.entry_id in first.text
    again = httpx.post(url, data=form)  # a double click: the same entry
    assert again.status_code == 201
    assert entry.entry_id in again.text
    assert httpx.post(url, data={**form, "key": "other"}).status_code == 409


def test_browser_form_over_capacity_shows_the_queue_and_the_form(
    tight_server: LiveServer,
) -> None:
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY, tiers=[factories.services.TierSpec(1, 1)]
    )
    users = factories.create_users(6)
    url = f"{tight_server.url}/campaigns/{campaign.pk}/enter"
    replies = [
        httpx.post(url, data={"pass": factories.pass_for(campaign, u), "key": f"k{u.pk}"})
        for u in users
    ]
    # The browser's waiting room is a page (200) with Retry-After; the API answers 429/503.
    waiting = [r for r in replies if r.status_code == 200 and "retry-after" in r.headers]
    assert waiting, [r.status_code for r in replies]
    page = waiting[0]
    assert int(page.headers["retry-after"]) >= 1
    assert 'name="pass"' in page.text
    assert "hx-trigger" in page.text


def test_the_shared_redis_bucket_sheds_what_the_global_rate_does_not_cover(
    global_server: LiveServer,
) -> None:
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY, tiers=[factories.services.TierSpec(1, 1)]
    )
    users = factories.create_users(20)
    tokens = [factories.pass_for(campaign, u) for u in users]
    responses = asyncio.run(
        _crowd(f"{global_server.url}/api/v1/campaigns/{campaign.pk}/entries", tokens)
    )
    shed = [r for r in responses if r.status_code == 429]
    assert len(shed) >= 15, [r.status_code for r in responses]
    assert all("waiting_room" in r.json() for r in shed)
    created = [r for r in responses if r.status_code == 201]
    assert Entry.objects.filter(campaign=campaign).count() == len(created)


def test_problems_speak_the_readers_language(edge_server: LiveServer) -> None:
    """zh-Hans by default and for Chinese readers, English when the reader prefers it; the
    edge renders both at start-up, without Django's locale middleware."""
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    token = factories.pass_for(campaign, user, seconds=-1)
    url = f"{edge_server.url}/api/v1/campaigns/{campaign.pk}/entries"
    answers = {}
    for accept in ("", "zh-CN,zh;q=0.9", "en-US,en;q=0.9,zh;q=0.5", "fr, en;q=0.1"):
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        if accept:
            headers["Accept-Language"] = accept
        response = httpx.post(url, json={"pass": token}, headers=headers, timeout=30)
        assert response.status_code == 401
        assert response.json()["code"] == "campaigns.pass_expired"
        answers[accept] = (response.headers["content-language"], response.json())
    assert answers[""][0] == answers["zh-CN,zh;q=0.9"][0] == "zh-Hans"
    assert answers[""][1]["title"] == "活动通行证无效"
    assert "过期" in answers[""][1]["detail"]
    for accept in ("en-US,en;q=0.9,zh;q=0.5", "fr, en;q=0.1"):
        assert answers[accept][0] == "en"
        assert answers[accept][1]["title"] == "The campaign pass is not valid"
    busy = httpx.post(url, json={"pass": token}, headers={"Accept-Language": "en"}, timeout=30)
    assert busy.json()["title"].startswith("An Idempotency-Key header")
