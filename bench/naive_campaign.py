"""The naive entry endpoint bench/flash_crowd.py compares against: a plain Django view behind
the full middleware stack, one request per transaction (ATOMIC_REQUESTS), ORM ``get_or_create``
and ``select_for_update`` on the stock row, no admission control, no batching. It verifies the
same signed pass, so the difference measured is the architecture."""

from __future__ import annotations

import json
import secrets

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from citizencloud.campaigns import passes, services
from citizencloud.campaigns.models import Campaign, Entry
from citizencloud.kernel import clock, signing

_verifier: passes.Verifier | None = None


@csrf_exempt
def enter(request: HttpRequest, campaign_id: int) -> HttpResponse:
    global _verifier
    _verifier = _verifier or passes.Verifier(
        signing.trusted_public_keys(), dict([services.pass_master()])
    )
    try:
        claims = _verifier.verify(
            json.loads(request.body)["pass"], now=int(clock.now().timestamp())
        )
    except (passes.InvalidPass, ValueError, KeyError):
        return JsonResponse({"code": "campaigns.pass_invalid"}, status=401)
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    entry, created = Entry.objects.get_or_create(
        campaign=campaign,
        user_id=claims.user_id,
        defaults={
            "entry_id": secrets.token_hex(16),
            "idempotency_key": request.headers.get("Idempotency-Key", ""),
            "created_at": clock.now(),
        },
    )
    if not created:
        return JsonResponse({"code": "campaigns.already_entered"}, status=409)
    if campaign.kind == "first_come":
        if campaign.remaining <= 0:
            transaction.set_rollback(True)
            return JsonResponse({"code": "campaigns.sold_out"}, status=410)
        campaign.remaining -= 1
        campaign.save(update_fields=["remaining"])
    return JsonResponse({"entry_id": entry.entry_id}, status=201)


# The naive endpoint first, then the whole platform, so the home page and every link it
# renders resolve exactly as in production.
urlpatterns = [
    path("api/v1/campaigns/<int:campaign_id>/entries", enter),
    path("", include("citizencloud.urls")),
]
