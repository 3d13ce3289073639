"""Eligibility and passes, closing, the draw and its verification, through the services."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from citizencloud.campaigns import lottery, passes, policies, selectors, services
from citizencloud.campaigns.models import Campaign, Entry, Kind
from citizencloud.identity.models import Assurance
from citizencloud.kernel import clock, signing
from citizencloud.kernel.errors import DomainError
from tests.campaigns import factories

CHENGDU_2001 = "510114200105071682"  # Chengdu (5101), born 2001-05-07
SHANGHAI_1988 = "310101198806223970"


def verifier() -> passes.Verifier:
    return passes.Verifier(signing.trusted_public_keys(), dict([services.pass_master()]))


def test_age_on() -> None:
    assert policies.age_on(dt.date(2001, 5, 7), dt.date(2021, 5, 6)) == 19
    assert policies.age_on(dt.date(2001, 5, 7), dt.date(2021, 5, 7)) == 20


@pytest.mark.parametrize(
    ("rules", "person", "reason"),
    [
        (
            policies.Rules(2, (), None, None),
            policies.Person(1, "510114", None),
            "campaigns.assurance_too_low",
        ),
        (
            policies.Rules(2, ("5101",), None, None),
            policies.Person(2, "310101", None),
            "campaigns.region_not_eligible",
        ),
        (
            policies.Rules(2, ("5101",), None, None),
            policies.Person(2, None, None),
            "campaigns.region_not_eligible",
        ),
        (
            policies.Rules(0, (), 18, None),
            policies.Person(2, "510114", dt.date(2010, 1, 1)),
            "campaigns.too_young",
        ),
        (
            policies.Rules(0, (), None, 60),
            policies.Person(2, "510114", dt.date(1950, 1, 1)),
            "campaigns.too_old",
        ),
        (
            policies.Rules(0, (), 18, None),
            policies.Person(2, "510114", None),
            "campaigns.age_unknown",
        ),
        (
            policies.Rules(2, ("51",), 18, 60),
            policies.Person(2, "510114", dt.date(2001, 5, 7)),
            None,
        ),
    ],
)
def test_eligibility_rules(
    rules: policies.Rules, person: policies.Person, reason: str | None
) -> None:
    assert policies.refusal(rules, person, on=dt.date(2021, 2, 24)) == reason


@pytest.mark.django_db
def test_pass_is_issued_to_an_eligible_citizen_only() -> None:
    campaign = factories.create_campaign(regions=["5101"], min_assurance=2, min_age=18)
    ok = factories.create_citizen(CHENGDU_2001)
    issued = services.issue_pass(user=ok, campaign_id=campaign.pk)
    claims = verifier().verify(issued.token, now=int(clock.now().timestamp()))
    assert (claims.campaign_id, claims.user_id) == (campaign.pk, ok.pk)
    assert issued.expires_at <= campaign.closes_at
    outsider = factories.create_citizen(SHANGHAI_1988)
    with pytest.raises(DomainError) as refused:
        services.issue_pass(user=outsider, campaign_id=campaign.pk)
    assert (refused.value.code, refused.value.status) == ("campaigns.region_not_eligible", 403)
    unverified = factories.create_citizen("510114198806223976", assurance=Assurance.PHONE)
    with pytest.raises(DomainError) as low:
        services.issue_pass(user=unverified, campaign_id=campaign.pk)
    assert low.value.code == "campaigns.assurance_too_low"


@pytest.mark.django_db
def test_pass_expiry_and_closed_window() -> None:
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    issued = services.issue_pass(user=user, campaign_id=campaign.pk)
    with pytest.raises(passes.InvalidPass) as expired:
        verifier().verify(issued.token, now=int(issued.expires_at.timestamp()))
    assert expired.value.reason == "expired"
    with clock.frozen(campaign.closes_at), pytest.raises(DomainError) as closed:
        services.issue_pass(user=user, campaign_id=campaign.pk)
    assert (closed.value.code, closed.value.status) == ("campaigns.closed", 410)


@pytest.mark.django_db
def test_pass_lasts_from_the_opening_when_issued_before_it() -> None:
    now = clock.now()
    campaign = factories.create_campaign(
        opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=3)
    )
    [user] = factories.create_users(1)
    issued = services.issue_pass(user=user, campaign_id=campaign.pk)
    assert issued.expires_at > campaign.opens_at


@pytest.mark.django_db
def test_no_pass_for_someone_who_already_entered() -> None:
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    Entry.objects.create(
        campaign=campaign, user=user, entry_id="a" * 32, idempotency_key="k", created_at=clock.now()
    )
    with pytest.raises(DomainError) as dup:
        services.issue_pass(user=user, campaign_id=campaign.pk)
    assert dup.value.code == "campaigns.already_entered"


def _lottery_with_entries(n: int) -> Campaign:
    now = clock.now()
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY,
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now - dt.timedelta(hours=1),
        draw_at=now - dt.timedelta(minutes=30),
        tiers=[services.TierSpec(17800, 3), services.TierSpec(23800, 2)],
    )
    users = factories.create_users(n)
    Entry.objects.bulk_create(
        Entry(
            campaign=campaign, user=u, entry_id=f"{i:032x}", idempotency_key=str(i), created_at=now
        )
        for i, u in enumerate(users)
    )
    return campaign


@pytest.mark.django_db
def test_close_publishes_root_and_draw_is_reproducible_and_verifies() -> None:
    campaign = _lottery_with_entries(25)
    seed_hash_before = campaign.seed_hash
    closed = services.close(campaign_id=campaign.pk)
    assert closed.entry_count == 25
    assert (
        closed.merkle_root == lottery.ledger_root(campaign.pk, selectors.ledger(campaign.pk)).hex()
    )
    assert closed.revealed_seed == ""
    drawn = services.draw(campaign_id=campaign.pk)
    assert lottery.seed_hash(bytes.fromhex(drawn.revealed_seed)) == seed_hash_before
    winners = selectors.winners(campaign.pk)
    assert [r for _, r, _ in winners] == [1, 1, 1, 2, 2]
    out = io.StringIO()
    call_command("campaign", "verify", str(campaign.pk), stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
    assert services.draw(campaign_id=campaign.pk).drawn_at == drawn.drawn_at  # idempotent


@pytest.mark.django_db
def test_verification_fails_when_an_entry_is_tampered_with() -> None:
    campaign = _lottery_with_entries(12)
    services.close(campaign_id=campaign.pk)
    services.draw(campaign_id=campaign.pk)
    loser = Entry.objects.filter(campaign=campaign, prize_rank__isnull=True).first()
    assert loser is not None
    loser.entry_id = "f" * 32
    loser.save()
    with pytest.raises(CommandError):
        call_command("campaign", "verify", str(campaign.pk), stdout=io.StringIO())


@pytest.mark.django_db
def test_no_draw_before_closing_and_no_close_while_open() -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    with pytest.raises(DomainError):
        services.close(campaign_id=campaign.pk)
    with pytest.raises(DomainError):
        services.draw(campaign_id=campaign.pk)


@pytest.mark.django_db
def test_entrant_inclusion_proof() -> None:
    campaign = _lottery_with_entries(9)
    services.close(campaign_id=campaign.pk)
    entry = Entry.objects.filter(campaign=campaign).order_by("?").first()
    assert entry is not None
    mine = selectors.my_entry(user=entry.user, campaign_id=campaign.pk)
    c = selectors.campaign(campaign.pk)
    assert mine.leaf_index is not None
    assert mine.tree_size == 9
    assert lottery.verify_inclusion(
        campaign.pk, entry.entry_id, mine.leaf_index, 9, mine.proof, c.merkle_root
    )


@pytest.mark.django_db
def test_results_are_events_for_each_entrant(monkeypatch: pytest.MonkeyPatch) -> None:
    from citizencloud.kernel import events

    sent: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(events, "subscribers", lambda name: ["tests:subscriber"])
    monkeypatch.setattr(events, "emit", lambda name, **p: sent.append((name, p)))
    campaign = _lottery_with_entries(7)
    services.close(campaign_id=campaign.pk)
    services.draw(campaign_id=campaign.pk)
    won = [p for n, p in sent if n == "campaigns.won"]
    lost = [p for n, p in sent if n == "campaigns.not_won"]
    assert (len(won), len(lost)) == (5, 2)
    assert {p["amount"] for p in won} == {"178.00", "238.00"}
    assert {n for n, _ in sent} >= {"campaigns.closed", "campaigns.drawn"}


@pytest.mark.django_db
def test_mac_passes_are_bound_to_key_campaign_and_content() -> None:
    campaign = factories.create_campaign()
    [user] = factories.create_users(1)
    issued = services.issue_pass(user=user, campaign_id=campaign.pk)
    assert issued.token.startswith(passes.MAC_PREFIX)
    now = int(clock.now().timestamp())
    assert verifier().verify(issued.token, now=now).user_id == user.pk
    key_id, master = services.pass_master()
    # A MAC made with another master key, or for another campaign's key, does not verify.
    for token in (
        passes.issue_mac(
            b"x" * 32, key_id, campaign_id=campaign.pk, user_id=user.pk, expires_at=now + 60
        ),
        _swap_campaign(issued.token, campaign.pk + 1),
    ):
        with pytest.raises(passes.InvalidPass) as bad:
            verifier().verify(token, now=now)
        assert bad.value.reason == "bad_signature"
    # Another user id in the payload with the original MAC: refused.
    with pytest.raises(passes.InvalidPass):
        verifier().verify(_swap_user(issued.token, user.pk + 1), now=now)
    # A key id the verifier does not hold: unknown key.
    other = passes.issue_mac(master, "0" * 16, campaign_id=campaign.pk, user_id=1, expires_at=now)
    with pytest.raises(passes.InvalidPass) as unknown:
        verifier().verify(other, now=now)
    assert unknown.value.reason == "unknown_key"
    # Ed25519 passes (cp1) issued before ADR 0020 still verify.
    key = signing.current()
    old = passes.issue(
        key.private, key.key_id, campaign_id=campaign.pk, user_id=user.pk, expires_at=now + 60
    )
    assert verifier().verify(old, now=now).campaign_id == campaign.pk


def _swap(token: str, index: int, value: int) -> str:
    body, _, mac = token[len(passes.MAC_PREFIX) :].partition(".")
    parts = passes._unb64(body).decode().split("|")
    parts[index] = str(value)
    return passes.MAC_PREFIX + passes._b64("|".join(parts).encode()) + "." + mac


def _swap_campaign(token: str, campaign_id: int) -> str:
    return _swap(token, 2, campaign_id)


def _swap_user(token: str, user_id: int) -> str:
    return _swap(token, 3, user_id)


@pytest.mark.django_db
def test_the_id_number_read_of_an_eligibility_check_is_in_the_access_ledger() -> None:
    from citizencloud.privacy.models import DataAccess

    ruled = factories.create_campaign(regions=["5101"], min_age=18)
    plain = factories.create_campaign()
    citizen = factories.create_citizen(CHENGDU_2001)
    services.issue_pass(user=citizen, campaign_id=plain.pk)
    assert not DataAccess.objects.filter(citizen=citizen).exists()  # no rule reads the number
    services.issue_pass(user=citizen, campaign_id=ruled.pk)
    outsider = factories.create_citizen(SHANGHAI_1988)
    with pytest.raises(DomainError):
        services.issue_pass(user=outsider, campaign_id=ruled.pk)
    for person in (citizen, outsider):
        [access] = DataAccess.objects.filter(citizen=person)
        assert access.fields == ["id_number"]
        assert (access.accessor_kind, access.channel, access.legal_basis) == (
            "system",
            "system",
            "contract",
        )
        assert ruled.title in access.purpose
