"""Reads of the catalog: themes, services and their guides, life events, history, search."""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from citizencloud.catalog import services as writes
from citizencloud.catalog.models import LifeEvent, Service, ServiceVersion, Status, Theme
from citizencloud.catalog.search import QueryTooLong, search
from citizencloud.kernel.errors import DomainError, NotFound

__all__ = [
    "QueryTooLong",
    "ServiceMoved",
    "get_life_event",
    "get_service",
    "get_theme",
    "guide",
    "history",
    "life_events",
    "search",
    "search_page",
    "suggestions",
    "themes",
]

GUIDE_TTL_SECONDS = 300


class ServiceMoved(DomainError):
    """The service was merged into another: callers redirect to ``extra["successor"]``."""

    code = "catalog.service_moved"
    status = 301


def generation() -> int:
    """A number that changes whenever the catalog changes (part of every derived cache key)."""
    return int(cache.get_or_set(writes.GENERATION_KEY, 0, None) or 0)


def search_page(query: str = "", *, page: int = 1, size: int = 20, **filters: str | None) -> Page:  # type: ignore[type-arg]
    """One page of ``search()`` and the total, cached per query until the catalog changes."""
    ttl = settings.CATALOG_SEARCH_CACHE_SECONDS
    raw = json.dumps([query.strip(), sorted(filters.items()), page, size], ensure_ascii=False)
    key = f"catalog:search:{generation()}:{hashlib.sha256(raw.encode()).hexdigest()}"
    cached = cache.get(key) if ttl else None
    if cached is None:
        results = search(query, **filters)
        count = results.count()
        start = (max(page, 1) - 1) * size
        ids = list(results.values_list("pk", flat=True)[start : start + size])
        cached = (ids, count)
        if ttl:
            cache.set(key, cached, ttl)
    ids, count = cached
    rows = Service.objects.select_related("theme", "department").in_bulk(ids)
    return Page([rows[i] for i in ids if i in rows], page, Paginator(range(count), size))


THEMES_CACHE_KEY = "catalog:themes"


def themes() -> QuerySet[Theme]:
    """Themes with the number of active services in each."""
    return Theme.objects.annotate(
        service_count=Count("services", filter=Q(services__status=Status.ACTIVE))
    ).order_by("position")


def theme_list() -> list[Theme]:
    """``themes()`` for pages, cached briefly: counting over every service costs a scan."""
    key = f"{THEMES_CACHE_KEY}:{generation()}"
    cached = cache.get(key)
    if cached is None:
        cached = list(themes())
        cache.set(key, cached, 300)
    return list(cached)


def get_theme(code: str) -> Theme:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise NotFound(f"No theme has the code {code!r}.", code="catalog.theme_not_found")
    return theme


def life_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.prefetch_related("steps__service").order_by("position")


def get_life_event(code: str) -> LifeEvent:
    event = life_events().filter(code=code).first()
    if event is None:
        raise NotFound(f"No life event has the code {code!r}.", code="catalog.event_not_found")
    return event


def suggestions(code: str, limit: int = 3) -> list[str]:
    """Codes of services whose code or name is close to ``code``."""
    rows = list(Service.objects.filter(status=Status.ACTIVE).values_list("code", "name"))
    by_code = difflib.get_close_matches(code, [c for c, _ in rows], n=limit, cutoff=0.5)
    names = {name: c for c, name in rows}
    by_name = [names[n] for n in difflib.get_close_matches(code, list(names), n=limit)]
    return list(dict.fromkeys(by_code + by_name))[:limit]


def get_service(code: str) -> Service:
    """The service with ``code``; unknown → 404 with suggestions, merged → ``ServiceMoved``."""
    service = (
        Service.objects.select_related("theme", "department", "published", "successor")
        .filter(code=code)
        .first()
    )
    if service is None:
        raise NotFound(
            f"No service has the code {code!r}.",
            code="catalog.service_not_found",
            extra={"suggestions": suggestions(code)},
        )
    if service.status == Status.MERGED and service.successor is not None:
        raise ServiceMoved(
            f"{service.name} is now part of {service.successor.name}.",
            extra={"successor": service.successor.code},
        )
    return service


def guide(code: str) -> dict[str, Any]:
    """Everything a guide page or API answer shows, cached until the service changes."""
    key = writes.guide_cache_key(code)
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    data = _guide(get_service(code))
    cache.set(key, data, GUIDE_TTL_SECONDS)
    return data


def _guide(service: Service) -> dict[str, Any]:
    version = service.published
    points = service.points.select_related("region").order_by("region__path", "code")
    department = service.department
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "theme": service.theme.code,
        "theme_name": service.theme.name,
        "theme_name_en": service.theme.name_en,
        "tier": service.tier,
        "audience": service.audience,
        "verbs": service.verb_list(),
        "status": service.status,
        "successor": service.successor.code if service.successor else None,
        "department": {
            "code": department.code,
            "name": department.name,
            "name_en": department.name_en,
            "contacts": department.contacts,
        },
        "version": version.number if version else 0,
        "published_at": version.published_at.isoformat()
        if version and version.published_at
        else None,
        "guide": version.guide if version else {},
        "service_points": [
            {
                "code": p.code,
                "name": p.name,
                "kind": p.kind,
                "region": p.region.code,
                "region_name": p.region.name,
                "address": p.address,
                "opening_hours": p.opening_hours,
            }
            for p in points
        ],
        "url": f"/services/{service.code}/",
    }


def history(code: str) -> tuple[Service, list[ServiceVersion]]:
    """The published versions of a service, newest first (public: 公开审批流程)."""
    service = Service.objects.select_related("published", "successor").filter(code=code).first()
    if service is None:
        raise NotFound(
            f"No service has the code {code!r}.",
            code="catalog.service_not_found",
            extra={"suggestions": suggestions(code)},
        )
    versions = list(
        service.versions.filter(published_at__isnull=False)
        .select_related("editor")
        .order_by("-number")
    )
    return service, versions


def services_of_department(department_id: int) -> QuerySet[Service]:
    """Active services a department owns."""
    return Service.objects.filter(department_id=department_id, status=Status.ACTIVE).order_by(
        "-popularity", "code"
    )


def services_at_point(point_id: int) -> QuerySet[Service]:
    """Active services handled at a service point."""
    return Service.objects.filter(points__id=point_id, status=Status.ACTIVE).order_by(
        "-popularity", "code"
    )
