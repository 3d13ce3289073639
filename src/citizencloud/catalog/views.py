"""Catalog pages: search (HTMX partial or plain page), guides, history, themes, life events,
departments, service points and the region selector. Same selectors as the API."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from citizencloud.catalog import selectors
from citizencloud.catalog.models import Audience, Verb
from citizencloud.kernel.errors import NotFound
from citizencloud.org import selectors as org
from citizencloud.org.models import Tier

PAGE_SIZE = 20


def read_only(view: Any) -> Any:
    """GET/HEAD only, outside ATOMIC_REQUESTS: these pages never write, and on SQLite an atomic
    request begins IMMEDIATE, i.e. takes the write lock, so concurrent readers would queue
    behind each other (docs/decisions/catalog-read-only-pages.md)."""
    return transaction.non_atomic_requests(require_safe(view))


FILTERS = ("theme", "tier", "region", "verb", "audience")


def _filters(request: HttpRequest) -> dict[str, str | None]:
    return {name: request.GET.get(name) or None for name in FILTERS}


def _choices() -> dict[str, Any]:
    return {
        "themes": selectors.theme_list(),
        "districts": org.regions(tier=Tier.DISTRICT),
        "tiers": [
            (Tier.CITY, Tier.CITY.label),
            (Tier.DISTRICT, Tier.DISTRICT.label),
            (Tier.STREET, Tier.STREET.label),
        ],
        "verbs": Verb.choices,
        "audiences": Audience.choices,
    }


@read_only
def search(request: HttpRequest, theme: str | None = None) -> HttpResponse:
    """Search page; an HTMX request gets only the results."""
    query = request.GET.get("q", "")
    filters = _filters(request)
    if theme:
        filters["theme"] = theme
    context: dict[str, Any] = {"q": query, "filters": filters, "error": ""}
    try:
        page = selectors.search_page(query, page=_page_number(request), size=PAGE_SIZE, **filters)
        context.update(page=page, count=page.paginator.count)
    except selectors.QueryTooLong:
        context.update(
            page=None, count=0, error=_("The search is too long. Use at most 200 characters.")
        )
    except NotFound:
        context.update(
            page=None, count=0, error=_("That region is not known. Choose one from the list.")
        )
    context["querystring"] = _querystring(query, filters)
    if getattr(request, "htmx", False):  # django-htmx's HtmxDetails
        return render(request, "catalog/_results.html", context)
    context.update(_choices())
    if theme:
        context["theme"] = selectors.get_theme(theme)
    return render(request, "catalog/search.html", context)


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), 10_000)
    except ValueError:
        return 1


def _querystring(query: str, filters: dict[str, str | None]) -> str:
    from urllib.parse import urlencode

    pairs = [("q", query)] if query else []
    pairs += [(k, v) for k, v in filters.items() if v]
    return urlencode(pairs)


@read_only
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """The guide of one service: what to bring, where and when, how long, how much."""
    try:
        data = selectors.guide(code)
    except selectors.ServiceMoved as moved:
        return HttpResponsePermanentRedirect(
            reverse("catalog:guide", args=[moved.extra["successor"]])
        )
    except NotFound as missing:
        return _not_found(request, code, missing)
    region = request.GET.get("region", "")
    points = data["service_points"]
    if region:
        points = [p for p in points if p["region"].startswith(region)]
    materials = data["guide"].get("materials", [])
    context = {
        "service": data,
        "g": data["guide"],
        "bring": [m for m in materials if not m["held_by_government"]],
        "held": [m for m in materials if m["held_by_government"]],
        "points": points[:12],
        "more_points": max(0, len(points) - 12),
        "region": region,
        "districts": org.regions(tier=Tier.DISTRICT) if len(data["service_points"]) > 12 else [],
    }
    return render(request, "catalog/guide.html", context)


def _not_found(request: HttpRequest, code: str, missing: NotFound) -> HttpResponse:
    codes = missing.extra.get("suggestions", [])
    suggestions = [selectors.guide(c) for c in codes]
    return render(
        request,
        "catalog/not_found.html",
        {"code": code, "suggestions": suggestions},
        status=404,
    )


@read_only
def history(request: HttpRequest, code: str) -> HttpResponse:
    """Public change history of a service."""
    try:
        service, versions = selectors.history(code)
    except NotFound as missing:
        return _not_found(request, code, missing)
    return render(request, "catalog/history.html", {"service": service, "versions": versions})


@read_only
def life_event(request: HttpRequest, code: str) -> HttpResponse:
    event = selectors.get_life_event(code)
    return render(request, "catalog/life_event.html", {"event": event})


@read_only
def department(request: HttpRequest, code: str) -> HttpResponse:
    dept = org.get_department(code)
    services = selectors.services_of_department(dept.pk)
    return render(request, "catalog/department.html", {"department": dept, "services": services})


@read_only
def service_point(request: HttpRequest, code: str) -> HttpResponse:
    point = org.get_service_point(code)
    services = selectors.services_at_point(point.pk)
    return render(request, "catalog/service_point.html", {"point": point, "services": services})


@read_only
def regions(request: HttpRequest) -> HttpResponse:
    """Region selector: districts, their streets and communities, halls and centres."""
    code = request.GET.get("region") or ""
    current = org.get_region(code) if code else None
    children = org.regions(parent=current.code if current else org.regions(tier=Tier.CITY)[0].code)
    points = org.service_points(region=current.code) if current else org.service_points(kind="hall")
    return render(
        request,
        "catalog/regions.html",
        {"current": current, "children": children, "points": points[:40]},
    )
