"""The campaigns API. The entry itself (``POST …/entries``) is answered by the edge."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from citizencloud.campaigns import lottery, schemas, selectors, services
from citizencloud.campaigns.models import Campaign, Kind
from citizencloud.identity.auth import AUTH
from citizencloud.identity.models import User
from citizencloud.kernel.errors import PermissionDenied

router = Router(tags=["campaigns"])


def _out(c: Campaign) -> schemas.CampaignOut:
    return schemas.CampaignOut(
        id=c.pk,
        slug=c.slug,
        title=c.title,
        title_en=c.title_en,
        kind=c.kind,
        opens_at=c.opens_at,
        closes_at=c.closes_at,
        draw_at=c.draw_at,
        tiers=[
            schemas.TierOut(rank=t.rank, amount_fen=t.amount_fen, count=t.count)
            for t in c.tiers.all()
        ],
        remaining=c.remaining if c.kind == Kind.FIRST_COME else None,
        equal_odds=c.kind == Kind.LOTTERY,
        algorithm=lottery.ALGORITHM if c.kind == Kind.LOTTERY else "",
        seed_hash=c.seed_hash,
        entry_count=c.entry_count,
        merkle_root=c.merkle_root,
        seed=c.revealed_seed,
        closed_at=c.closed_at,
        drawn_at=c.drawn_at,
    )


@router.get("/campaigns", response=list[schemas.CampaignOut], summary="Campaigns")
def list_campaigns(request: HttpRequest) -> list[schemas.CampaignOut]:
    return [_out(c) for c in selectors.listed()]


@router.get(
    "/campaigns/{campaign_id}",
    response=schemas.CampaignOut,
    summary="A campaign and its published commitments",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> schemas.CampaignOut:
    return _out(selectors.campaign(campaign_id))


@router.post(
    "/campaigns/{campaign_id}/pass",
    response=schemas.PassOut,
    auth=AUTH,
    summary="Get a campaign pass (eligibility is checked here)",
)
def get_pass(request: HttpRequest, campaign_id: int) -> schemas.PassOut:
    user: User = request.user  # type: ignore[assignment]
    issued = services.issue_pass(user=user, campaign_id=campaign_id)
    return schemas.PassOut(
        token=issued.token,
        expires_at=issued.expires_at,
        campaign_id=issued.campaign_id,
        entry_url=f"/api/v1/campaigns/{issued.campaign_id}/entries",
    )


@router.get(
    "/campaigns/{campaign_id}/ledger",
    summary="Entry ids in ledger order (after closing), one per line",
)
def ledger(request: HttpRequest, campaign_id: int) -> HttpResponse | StreamingHttpResponse:
    c = selectors.campaign(campaign_id)
    if c.closed_at is None:
        return HttpResponse(b"", content_type="text/plain; charset=utf-8")
    # Streamed: 4.2 million ids are 138 MB, never held in memory at once.
    lines = (f"{e}\n".encode() for e in selectors.iter_ledger(c.pk))
    return StreamingHttpResponse(lines, content_type="text/plain; charset=utf-8")


@router.get(
    "/campaigns/{campaign_id}/winners",
    response=list[schemas.WinnerOut],
    summary="Winners (pseudonymous entry ids)",
)
def winners(request: HttpRequest, campaign_id: int) -> list[schemas.WinnerOut]:
    c = selectors.campaign(campaign_id)
    if c.kind == Kind.LOTTERY and c.drawn_at is None:
        return []
    return [
        schemas.WinnerOut(entry_id=e, prize_rank=r, prize_fen=f)
        for e, r, f in selectors.winners(c.pk)
    ]


@router.get(
    "/campaigns/{campaign_id}/my-entry",
    response=schemas.MyEntryOut,
    auth=AUTH,
    summary="My entry, result and inclusion proof",
)
def my_entry(request: HttpRequest, campaign_id: int) -> schemas.MyEntryOut:
    user: User = request.user  # type: ignore[assignment]
    mine = selectors.my_entry(user=user, campaign_id=campaign_id)
    return schemas.MyEntryOut(
        entry_id=mine.entry.entry_id,
        created_at=mine.entry.created_at,
        prize_rank=mine.entry.prize_rank,
        prize_fen=mine.entry.prize_fen,
        leaf_index=mine.leaf_index,
        tree_size=mine.tree_size,
        inclusion_proof=mine.proof,
        merkle_root=mine.entry.campaign.merkle_root,
    )


def _campaign_staff(request: HttpRequest) -> User:
    """Staff whose account holds the ``campaigns.add_campaign`` permission (Django's model
    permission, so the admin and the API agree on who may create campaigns)."""
    user: User = request.user  # type: ignore[assignment]
    if getattr(user, "kind", "") != "staff" or not user.has_perm("campaigns.add_campaign"):
        raise PermissionDenied(
            _("Only staff who run campaigns may do this."), code="campaigns.staff_only"
        )
    return user


@router.post(
    "/staff/campaigns",
    response={201: schemas.CampaignOut},
    auth=AUTH,
    summary="Create and schedule a campaign (staff)",
)
def create_campaign(request: HttpRequest, body: schemas.CampaignIn) -> Status[schemas.CampaignOut]:
    staff = _campaign_staff(request)
    created = services.create_campaign(
        slug=body.slug,
        title=body.title,
        title_en=body.title_en,
        description=body.description,
        description_en=body.description_en,
        kind=body.kind,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        draw_at=body.draw_at,
        tiers=[services.TierSpec(t.amount_fen, t.count) for t in body.tiers],
        min_assurance=body.min_assurance,
        regions=body.regions,
        min_age=body.min_age,
        max_age=body.max_age,
        actor=staff,
        request=request,
        schedule=True,
    )
    return Status(201, _out(created))
