"""Every write of the campaigns app (the hot-path entry itself is written by ``store``)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from citizencloud.campaigns import ledger_tree, lottery, passes, policies, selectors
from citizencloud.campaigns.models import Campaign, Entry, Kind, LedgerTree, PrizeTier
from citizencloud.identity import validation
from citizencloud.identity.models import User
from citizencloud.kernel import audit, clock, events, signing
from citizencloud.kernel.errors import Conflict, DomainError, PermissionDenied
from citizencloud.privacy import services as privacy
from citizencloud.privacy.models import Channel, LegalBasis


class Gone(DomainError):
    code = "campaigns.closed"
    status = 410


@dataclass(frozen=True)
class TierSpec:
    amount_fen: int
    count: int


def create_campaign(
    *,
    slug: str,
    title: str,
    kind: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    tiers: Sequence[TierSpec],
    draw_at: dt.datetime | None = None,
    min_assurance: int = 2,
    regions: Sequence[str] = (),
    min_age: int | None = None,
    max_age: int | None = None,
    title_en: str = "",
    description: str = "",
    description_en: str = "",
    actor: Any = None,
    request: Any = None,
    schedule: bool = False,
) -> Campaign:
    """Create a campaign; a lottery commits to H(seed) now, before anyone can enter.

    ``schedule`` (staff and admin): the window must still be ahead, so no one could have entered
    before the commitment was published."""
    validate(
        kind=kind, opens_at=opens_at, closes_at=closes_at, tiers=tiers, draw_at=draw_at,
        min_assurance=min_assurance, regions=regions, min_age=min_age, max_age=max_age,
        schedule=schedule,
    )  # fmt: skip
    if Campaign.objects.filter(slug=slug).exists():
        raise Conflict(_("A campaign with this slug exists already."), code="campaigns.slug_taken")
    seed = secrets.token_bytes(32)
    campaign = Campaign(
        slug=slug,
        title=title,
        title_en=title_en,
        kind=kind,
        description=description,
        description_en=description_en,
        opens_at=opens_at,
        closes_at=closes_at,
        draw_at=draw_at if kind == Kind.LOTTERY else None,
        min_assurance=min_assurance,
        regions=list(regions),
        min_age=min_age,
        max_age=max_age,
        remaining=tiers[0].count if kind == Kind.FIRST_COME else 0,
        seed=seed.hex() if kind == Kind.LOTTERY else None,
        seed_hash=lottery.seed_hash(seed) if kind == Kind.LOTTERY else "",
    )
    campaign.save()
    PrizeTier.objects.bulk_create(
        PrizeTier(campaign=campaign, rank=i + 1, amount_fen=t.amount_fen, count=t.count)
        for i, t in enumerate(tiers)
    )
    audit.record(
        action="campaigns.created",
        actor=actor,
        target=campaign,
        details={
            "kind": kind,
            "tiers": [[t.amount_fen, t.count] for t in tiers],
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "draw_at": draw_at.isoformat() if draw_at else None,
        },
        request=request,
    )
    return campaign


MAX_TIERS = 10
MAX_PRIZES = 100_000_000
_REGION = re.compile(r"^[0-9]{2,6}$")


def _invalid(message: str, code: str) -> DomainError:
    return DomainError(message, code=code, status=422)


def validate(
    *,
    kind: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    tiers: Sequence[TierSpec],
    draw_at: dt.datetime | None,
    min_assurance: int,
    regions: Sequence[str],
    min_age: int | None,
    max_age: int | None,
    schedule: bool,
) -> None:
    if kind not in Kind.values:
        raise _invalid(_("Unknown kind of campaign."), "campaigns.bad_kind")
    if any(t is not None and t.tzinfo is None for t in (opens_at, closes_at, draw_at)):
        raise _invalid(_("Times need a time zone offset, such as +08:00."), "campaigns.naive_time")
    if not tiers:
        raise _invalid(_("A campaign needs at least one prize tier."), "campaigns.no_prizes")
    if len(tiers) > MAX_TIERS:
        raise _invalid(_("At most ten prize tiers."), "campaigns.too_many_tiers")
    if kind == Kind.FIRST_COME and len(tiers) != 1:
        raise _invalid(_("A first-come campaign has one prize tier."), "campaigns.one_tier")
    if any(t.amount_fen <= 0 or t.count <= 0 for t in tiers):
        raise _invalid(
            _("Each tier needs a positive amount in fen and a positive count."),
            "campaigns.bad_tier",
        )
    if sum(t.count for t in tiers) > MAX_PRIZES:
        raise _invalid(_("Too many prizes."), "campaigns.bad_tier")
    if closes_at <= opens_at:
        raise _invalid(_("The window must close after it opens."), "campaigns.bad_window")
    if schedule and opens_at <= clock.now():
        raise _invalid(_("The window must open in the future."), "campaigns.opens_in_past")
    if kind == Kind.LOTTERY and (
        (draw_at is None and schedule) or (draw_at is not None and draw_at < closes_at)
    ):
        raise _invalid(
            _("A lottery needs a draw time at or after the window closes."), "campaigns.bad_draw"
        )
    if kind == Kind.FIRST_COME and draw_at is not None:
        raise _invalid(_("A first-come campaign has no draw."), "campaigns.bad_draw")
    if not 0 <= min_assurance <= 3:
        raise _invalid(_("The assurance level is 0 to 3."), "campaigns.bad_assurance")
    if any(not _REGION.match(r) for r in regions):
        raise _invalid(
            _("Regions are 2 to 6 digits of an administrative code."), "campaigns.bad_region"
        )
    ages = [a for a in (min_age, max_age) if a is not None]
    if any(not 0 <= a <= 150 for a in ages) or (
        min_age is not None and max_age is not None and min_age > max_age
    ):
        raise _invalid(_("The age limits are not consistent."), "campaigns.bad_age")


@dataclass(frozen=True)
class IssuedPass:
    token: str
    expires_at: dt.datetime
    campaign_id: int


def _person(user: User, campaign: Campaign, rules: policies.Rules) -> policies.Person:
    """What the rules need to know of ``user``. Age and region come from the ID number: that
    read is a system read of personal data, so it goes into the data-access ledger."""
    if not (rules.regions or rules.min_age is not None or rules.max_age is not None):
        return policies.Person(assurance=int(user.assurance), region_code=None, birth_date=None)
    number = str(user.id_number) if user.id_number else ""
    privacy.record_access(
        citizen=user,
        accessor=None,
        purpose=_("Eligibility check for the campaign “%(title)s” (age and region of residence)")
        % {"title": campaign.title[:120]},
        legal_basis=LegalBasis.CONTRACT,
        fields=["id_number"],
        channel=Channel.SYSTEM,
    )
    born = validation.birth_date(number) if number else None
    return policies.Person(
        assurance=int(user.assurance), region_code=number[:6] or None, birth_date=born
    )


def pass_master() -> tuple[str, bytes]:
    """The key id and master key of ``cp2`` passes (ADR 0020): derived from the platform's
    signing seed, so it rotates with the signing key and needs no secret of its own."""
    seed = signing.current().private.private_bytes_raw()
    return passes.master_from_seed(seed)


def issue_pass(*, user: User, campaign_id: int) -> IssuedPass:
    """Check eligibility now, before the rush, and sign a short-lived pass for the hot path."""
    campaign = selectors.campaign(campaign_id)
    now = clock.now()
    if now >= campaign.closes_at or campaign.closed_at is not None:
        raise Gone(_("Registration is closed."))
    if now < campaign.opens_at - dt.timedelta(seconds=settings.CAMPAIGN_PASS_LEAD_SECONDS):
        raise Conflict(_("Passes are not issued yet."), code="campaigns.not_open")
    rules = selectors.rules(campaign)
    reason = policies.refusal(rules, _person(user, campaign, rules), on=campaign.opens_at.date())
    if reason is not None:
        raise PermissionDenied(_("You are not eligible for this campaign."), code=reason)
    if Entry.objects.filter(campaign=campaign, user=user).exists():
        raise Conflict(
            _("You have already entered this campaign."), code="campaigns.already_entered"
        )
    start = max(now, campaign.opens_at)
    expires = min(start + dt.timedelta(seconds=settings.CAMPAIGN_PASS_SECONDS), campaign.closes_at)
    key_id, master = pass_master()
    token = passes.issue_mac(
        master,
        key_id,
        campaign_id=campaign.pk,
        user_id=user.pk,
        expires_at=int(expires.timestamp()),
    )
    return IssuedPass(token=token, expires_at=expires, campaign_id=campaign.pk)


def close(*, campaign_id: int) -> Campaign:
    """After the window (and a grace for in-flight batches): stop entries for good and publish
    the entry count and the Merkle root of the ledger. Idempotent."""
    campaign = selectors.campaign(campaign_id)
    now = clock.now()
    grace = dt.timedelta(seconds=settings.CAMPAIGN_CLOSE_GRACE_SECONDS)
    if campaign.closed_at is not None:
        return campaign
    if now < campaign.closes_at + grace:
        raise Conflict(_("The window has not closed yet."), code="campaigns.still_open")
    # The conditional update takes the campaign row (and, on SQLite, the write lock) first:
    # hot-path batches that commit after it see closed_at and accept nothing more.
    Campaign.objects.filter(pk=campaign.pk, closed_at__isnull=True).update(
        closed_at=now, updated_at=now
    )
    built = ledger_tree.build(campaign.pk, selectors.iter_ledger(campaign.pk))
    root = ledger_tree.root(built)
    LedgerTree.objects.create(
        campaign=campaign,
        size=built.size,
        chunk=built.chunk,
        fences=built.fences,
        chunk_roots=built.chunk_roots,
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        entry_count=built.size, merkle_root=root.hex(), updated_at=now
    )
    if campaign.kind == Kind.FIRST_COME:
        tier = campaign.tiers.get()
        Entry.objects.filter(campaign=campaign).update(
            prize_rank=tier.rank, prize_fen=tier.amount_fen
        )
        _announce_results(campaign.pk)
    events.emit(
        "campaigns.closed", campaign_id=campaign.pk, entry_count=built.size, merkle_root=root.hex()
    )
    audit.record(action="campaigns.closed", target=campaign, details={"entries": built.size})
    return selectors.campaign(campaign.pk)


def draw(*, campaign_id: int) -> Campaign:
    """Reveal the seed and pick the winners from H(seed ‖ root) (docs/lottery.md)."""
    campaign = selectors.campaign(campaign_id)
    if campaign.kind != Kind.LOTTERY:
        raise DomainError(_("Only a lottery is drawn."), code="campaigns.not_a_lottery")
    if campaign.drawn_at is not None:
        return campaign
    if campaign.closed_at is None or not campaign.merkle_root:
        raise Conflict(_("Close the campaign before the draw."), code="campaigns.still_open")
    now = clock.now()
    if campaign.draw_at is not None and now < campaign.draw_at:
        raise Conflict(_("It is not time for the draw yet."), code="campaigns.too_early")
    seed = bytes.fromhex(str(campaign.seed))
    size = int(campaign.entry_count or 0)
    tiers = [lottery.Tier(t.rank, t.amount_fen, t.count) for t in campaign.tiers.all()]
    winners = lottery.award(
        lottery.choose(
            seed, bytes.fromhex(campaign.merkle_root), size, sum(t.count for t in tiers)
        ),
        tiers,
    )
    # One pass over the ledger, keeping only the winners' ids (memory O(winners)).
    prize_of = {index: tier for index, tier in winners}
    by_rank: dict[int, list[str]] = {}
    for index, entry_id in enumerate(selectors.iter_ledger(campaign.pk)):
        tier = prize_of.get(index)
        if tier is not None:
            by_rank.setdefault(tier.rank, []).append(entry_id)
    for tier in tiers:
        chosen = by_rank.get(tier.rank, [])
        for start in range(0, len(chosen), 5000):
            Entry.objects.filter(
                campaign=campaign, entry_id__in=chosen[start : start + 5000]
            ).update(prize_rank=tier.rank, prize_fen=tier.amount_fen)
    updated = Campaign.objects.filter(pk=campaign.pk, drawn_at__isnull=True).update(
        revealed_seed=seed.hex(), drawn_at=now, updated_at=now
    )
    if updated:
        _announce_results(campaign.pk)
        events.emit("campaigns.drawn", campaign_id=campaign.pk, winners=len(winners))
        audit.record(action="campaigns.drawn", target=campaign, details={"winners": len(winners)})
    return selectors.campaign(campaign.pk)


def _announce_results(campaign_id: int) -> None:
    """One ``campaigns.won`` or ``campaigns.not_won`` event per entrant (the notification centre
    turns them into service notices). Payloads carry ids and public campaign facts only."""
    if not (events.subscribers("campaigns.won") or events.subscribers("campaigns.not_won")):
        return
    campaign = Campaign.objects.get(pk=campaign_id)
    rows = Entry.objects.filter(campaign_id=campaign_id).values_list(
        "user_id", "entry_id", "prize_rank", "prize_fen"
    )
    for user_id, entry_id, rank, fen in rows.iterator(chunk_size=2000):
        events.emit(
            "campaigns.won" if rank is not None else "campaigns.not_won",
            campaign_id=campaign_id,
            campaign=campaign.title,
            user_id=user_id,
            entry_id=entry_id,
            prize_rank=rank,
            prize_fen=fen,
            amount=f"{fen / 100:.2f}" if fen is not None else "",
        )


def touch(*, campaign_id: int) -> None:
    """Mark the public page as changed (its ETag follows ``updated_at``)."""
    Campaign.objects.filter(pk=campaign_id).update(updated_at=clock.now())


__all__ = ["Gone", "TierSpec", "close", "create_campaign", "draw", "issue_pass", "touch"]
