"""Campaign pages: public, the same for everyone, cacheable (ETag + max-age) and served from the
cache without a database query while a crowd arrives."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from citizencloud.campaigns import lottery, selectors
from citizencloud.campaigns.models import Kind
from citizencloud.kernel import money

PAGE_SECONDS = 10


def _render(campaign_id: int, language: str) -> tuple[str, bytes]:
    c = selectors.campaign(campaign_id)
    html = render_to_string(
        "campaigns/campaign.html",
        {
            "campaign": c,
            "tiers": [
                (money.yuan(t.amount_fen, drop_zero_fen=True), f"{t.count:,}")
                for t in c.tiers.all()
            ],
            "lottery": c.kind == Kind.LOTTERY,
            "algorithm": lottery.ALGORITHM,
        },
    ).encode()
    return _tagged(html)


def _render_list(language: str) -> tuple[str, bytes]:
    board = selectors.board()
    groups = [
        ("current", _("Open now"), _("No campaign is open now."), board["current"]),
        ("upcoming", _("Coming up"), _("No campaign is announced."), board["upcoming"]),
        ("past", _("Ended"), _("No campaign has ended yet."), board["past"]),
    ]
    return _tagged(render_to_string("campaigns/list.html", {"groups": groups}).encode())


def _tagged(html: bytes) -> tuple[str, bytes]:
    return '"' + hashlib.sha256(html).hexdigest()[:32] + '"', html


def _cached_page(
    request: HttpRequest, key: str, render: Callable[[str], tuple[str, bytes]]
) -> HttpResponse:
    """A public page rendered once per language every PAGE_SECONDS, with an ETag: while a crowd
    arrives it is answered from the cache, with no database query."""
    language = translation.get_language() or "zh-hans"
    key = f"{key}:{language}"
    cached = cache.get(key)
    if cached is None:
        cached = render(language)
        cache.set(key, cached, PAGE_SECONDS)
    etag, html = cached
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={PAGE_SECONDS}"
    return response


@transaction.non_atomic_requests
@require_safe
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every campaign a citizen can look for: open now, coming up, ended."""
    return _cached_page(request, "campaigns:list", _render_list)


@transaction.non_atomic_requests
@require_safe
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _cached_page(
        request, f"campaigns:page:{campaign_id}", lambda language: _render(campaign_id, language)
    )


def join(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The browser's way in (works without JavaScript): check eligibility now and put the pass
    in a form that posts to the edge (``/campaigns/{id}/enter``)."""
    from urllib.parse import urlencode

    from django.shortcuts import redirect, render
    from django.urls import reverse

    from citizencloud.campaigns import services
    from citizencloud.identity.models import User
    from citizencloud.kernel.errors import DomainError

    if not request.user.is_authenticated:
        return redirect(reverse("identity:login") + "?" + urlencode({"next": request.path}))
    user: User = request.user
    campaign = selectors.campaign(campaign_id)
    try:
        issued = services.issue_pass(user=user, campaign_id=campaign_id)
    except DomainError as error:
        return render(
            request, "campaigns/join.html", {"campaign": campaign, "refusal": error.message},
            status=error.status,
        )  # fmt: skip
    import uuid

    return render(
        request,
        "campaigns/join.html",
        {"campaign": campaign, "pass": issued.token, "key": uuid.uuid4().hex},
    )
