"""Every read of the campaigns app. Campaign data is public; an entry is its owner's alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from citizencloud.campaigns import lottery, policies
from citizencloud.campaigns.models import Campaign, Entry
from citizencloud.identity.models import User
from citizencloud.kernel import merkle
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


def rules(c: Campaign) -> policies.Rules:
    return policies.Rules(
        min_assurance=c.min_assurance,
        regions=tuple(c.regions or ()),
        min_age=c.min_age,
        max_age=c.max_age,
    )


def ledger(campaign_id: int) -> list[str]:
    """The entry ids in ledger order (ascending), as published after closing."""
    return list(
        Entry.objects.filter(campaign_id=campaign_id)
        .order_by("entry_id")
        .values_list("entry_id", flat=True)
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
    if c.closed_at is None or not c.merkle_root:
        return MyEntry(entry, None, None, [])
    ids = ledger(c.pk)
    index = ids.index(entry.entry_id)
    path = merkle.inclusion_proof(lottery.leaf_hashes(c.pk, ids), index)
    return MyEntry(entry, index, len(ids), [p.hex() for p in path])
