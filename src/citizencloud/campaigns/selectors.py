"""Every read of the campaigns app. Campaign data is public; an entry is its owner's alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from citizencloud.campaigns import ledger_tree, policies
from citizencloud.campaigns.models import Campaign, Entry, Kind, LedgerTree
from citizencloud.identity.models import User
from citizencloud.kernel import clock, money
from citizencloud.kernel.errors import NotFound


def campaign(campaign_id: int) -> Campaign:
    found = Campaign.objects.filter(pk=campaign_id).first()
    if found is None:
        raise NotFound(_("No such campaign."), code="campaigns.not_found")
    return found


def campaign_by_slug(slug: str) -> Campaign:
    found = Campaign.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound(_("No such campaign."), code="campaigns.not_found")
    return found


def listed() -> list[Campaign]:
    return list(Campaign.objects.order_by("-opens_at").prefetch_related("tiers"))


@dataclass(frozen=True)
class Card:
    """A campaign as the list and the home page show it."""

    id: int
    title: str
    title_en: str
    lottery: bool
    phase: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    draw_at: dt.datetime | None
    total_fen: int
    prizes: int

    @property
    def prizes_shown(self) -> str:
        return f"{self.prizes:,}"

    @property
    def total_yuan(self) -> str:
        return money.yuan(self.total_fen, drop_zero_fen=True)


PAST_SHOWN = 20


_GROUP = {
    policies.OPEN: "current",
    policies.SOLD_OUT: "current",
    policies.UPCOMING: "upcoming",
}


def board(now: dt.datetime | None = None) -> dict[str, list[Card]]:
    """The campaigns a citizen can look for, by where they stand: ``current`` (open or sold out,
    closing soonest first), ``upcoming`` (opening soonest first) and ``past`` (closed or drawn,
    the latest :data:`PAST_SHOWN`)."""
    now = now or clock.now()
    live = Campaign.objects.filter(closes_at__gt=now, drawn_at__isnull=True).order_by("closes_at")
    ended = Campaign.objects.filter(Q(closes_at__lte=now) | Q(drawn_at__isnull=False))
    ended = ended.order_by("-closes_at")
    found: dict[str, list[Card]] = {"current": [], "upcoming": [], "past": []}
    for c in [*live.prefetch_related("tiers"), *ended.prefetch_related("tiers")[:PAST_SHOWN]]:
        tiers = list(c.tiers.all())
        phase = policies.phase(
            first_come=c.kind == Kind.FIRST_COME,
            opens_at=c.opens_at,
            closes_at=c.closes_at,
            drawn_at=c.drawn_at,
            remaining=c.remaining,
            now=now,
        )
        found[_GROUP.get(phase, "past")].append(
            Card(
                id=c.pk,
                title=c.title,
                title_en=c.title_en,
                lottery=c.kind == Kind.LOTTERY,
                phase=phase,
                opens_at=c.opens_at,
                closes_at=c.closes_at,
                draw_at=c.draw_at,
                total_fen=sum(t.amount_fen * t.count for t in tiers),
                prizes=sum(t.count for t in tiers),
            )
        )
    found["upcoming"].sort(key=lambda card: (card.opens_at, card.id))
    return found


def rules(c: Campaign) -> policies.Rules:
    return policies.Rules(
        min_assurance=c.min_assurance,
        regions=tuple(c.regions or ()),
        min_age=c.min_age,
        max_age=c.max_age,
    )


def ledger(campaign_id: int) -> list[str]:
    """The entry ids in ledger order (ascending), as published after closing (small ledgers and
    the offline verifier; the request paths stream ``iter_ledger`` instead)."""
    return list(iter_ledger(campaign_id))


def iter_ledger(campaign_id: int) -> Iterator[str]:
    """The entry ids in ledger order, streamed from the (campaign, entry id) index."""
    rows = (
        Entry.objects.filter(campaign_id=campaign_id)
        .order_by("entry_id")
        .values_list("entry_id", flat=True)
    )
    for entry_id in rows.iterator(chunk_size=10_000):
        yield str(entry_id)


def tree(campaign_id: int) -> ledger_tree.Tree | None:
    stored = LedgerTree.objects.filter(campaign_id=campaign_id).first()
    if stored is None:
        return None
    return ledger_tree.Tree(
        size=stored.size,
        chunk=stored.chunk,
        fences=bytes(stored.fences),
        chunk_roots=bytes(stored.chunk_roots),
    )


def winners(campaign_id: int) -> list[tuple[str, int, int]]:
    """(entry id, prize rank, amount in fen) of every winner, ordered by rank then entry id."""
    rows = (
        Entry.objects.filter(campaign_id=campaign_id, prize_rank__isnull=False)
        .order_by("prize_rank", "entry_id")
        .values_list("entry_id", "prize_rank", "prize_fen")
    )
    return [(str(e), int(r or 0), int(f or 0)) for e, r, f in rows]


@dataclass(frozen=True)
class MyEntry:
    entry: Entry
    leaf_index: int | None
    tree_size: int | None
    proof: list[str]


def my_entry(*, user: User, campaign_id: int) -> MyEntry:
    """The caller's entry and, once the campaign is closed, its inclusion proof."""
    c = campaign(campaign_id)
    entry = Entry.objects.filter(campaign=c, user=user).first()
    if entry is None:
        raise NotFound(_("You have not entered this campaign."), code="campaigns.no_entry")
    stored = tree(c.pk) if c.closed_at is not None and c.merkle_root else None
    if stored is None:
        return MyEntry(entry, None, None, [])
    chunk = stored.chunk_of(entry.entry_id)
    if chunk is None:
        return MyEntry(entry, None, None, [])
    low, high = stored.bounds(chunk)
    rows = Entry.objects.filter(campaign_id=c.pk, entry_id__gte=low)
    if high is not None:
        rows = rows.filter(entry_id__lt=high)
    ids = [str(e) for e in rows.order_by("entry_id").values_list("entry_id", flat=True)]
    found = ledger_tree.proof(stored, c.pk, chunk, ids, entry.entry_id)
    if found is None:  # the ledger no longer matches what was published: no proof to give
        return MyEntry(entry, None, stored.size, [])
    index, path = found
    return MyEntry(entry, index, stored.size, [p.hex() for p in path])
