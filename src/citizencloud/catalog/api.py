"""Public API of the catalog: themes, services and guides, life events."""

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from citizencloud.catalog import selectors
from citizencloud.catalog.models import LifeEvent, Theme
from citizencloud.catalog.schemas import (
    LifeEventOut,
    ServiceOut,
    ServicePage,
    ThemeOut,
    VersionOut,
)

router = Router(tags=["catalog"])


@router.get("/themes", response=list[ThemeOut], summary="Themes of the catalog")
@paginate(PageNumberPagination, page_size=100)
def list_themes(request: HttpRequest) -> QuerySet[Theme]:
    return selectors.themes()


@router.get("/services", response=ServicePage, summary="Search the catalog")
def list_services(
    request: HttpRequest,
    q: str = "",
    page: int = Query(1, ge=1, le=10_000),  # type: ignore[type-arg]
    theme: str | None = None,
    tier: Literal["city", "district", "street"] | None = None,
    region: str | None = None,
    verb: Literal["query", "book", "apply", "pay"] | None = None,
    audience: Literal["citizen", "business"] | None = None,
) -> dict[str, Any]:
    """Chinese, pinyin (gongjijin) or initials (gjj); best match first, then popularity.

    Paginated like every list endpoint (``{"items": [...], "count": N}``, 20 a page), and
    cached per query until the catalog changes."""
    found = selectors.search_page(
        q, page=page, size=20, theme=theme, tier=tier, region=region, verb=verb, audience=audience
    )
    return {"items": found.object_list, "count": found.paginator.count}


@router.get(
    "/services/{code}",
    response={200: ServiceOut},
    summary="A service and its guide",
    description="Unknown codes answer 404 with `suggestions`; merged services redirect (301).",
)
def get_service(request: HttpRequest, code: str) -> Any:
    try:
        return selectors.guide(code)
    except selectors.ServiceMoved as moved:
        return _moved(moved, "/api/v1/services/{}")


@router.get("/services/{code}/history", response=list[VersionOut], summary="Public change history")
def service_history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    _, versions = selectors.history(code)
    return [
        {
            "number": v.number,
            "name": v.name,
            "change_note": v.change_note,
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "editor": v.editor.display_name if v.editor else "",
        }
        for v in versions
    ]


@router.get("/life-events", response=list[LifeEventOut], summary="Life-event bundles")
@paginate(PageNumberPagination, page_size=100)
def list_life_events(request: HttpRequest) -> list[dict[str, Any]]:
    return [_event(event) for event in selectors.life_events()]


def _event(event: LifeEvent) -> dict[str, Any]:
    return {
        "code": event.code,
        "name": event.name,
        "name_en": event.name_en,
        "summary": event.summary,
        "summary_en": event.summary_en,
        "steps": [
            {
                "position": step.position,
                "service": step.service.code,
                "name": step.service.name,
                "name_en": step.service.name_en,
                "note": step.note,
            }
            for step in event.steps.all()
        ],
    }


def _moved(moved: selectors.ServiceMoved, pattern: str) -> HttpResponse:
    return HttpResponsePermanentRedirect(pattern.format(moved.extra["successor"]))
