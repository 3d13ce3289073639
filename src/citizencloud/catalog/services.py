"""Writes of the catalog: create and edit services (each edit a new version), retire, merge.

Every change is a new ``ServiceVersion`` with an editor and a change note: the public change
history. Services never commit; the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from citizencloud.catalog import text
from citizencloud.catalog.models import Service, ServiceVersion, Status, Theme, Verb
from citizencloud.catalog.schemas import Guide
from citizencloud.identity.models import User
from citizencloud.kernel import audit, clock
from citizencloud.kernel.errors import DomainError
from citizencloud.org.models import Department, ServicePoint

GUIDE_CACHE_PREFIX = "catalog:guide:"
GENERATION_KEY = "catalog:generation"


def guide_cache_key(code: str) -> str:
    return GUIDE_CACHE_PREFIX + code


def create_service(
    *,
    code: str,
    theme: Theme,
    department: Department,
    tier: str,
    audience: str,
    verbs: Sequence[str],
    name: str,
    name_en: str,
    guide: Guide,
    editor: User | None = None,
    note: str = "首次发布 First publication",
    popularity: int = 0,
    points: Iterable[ServicePoint] = (),
) -> Service:
    """Create a service and publish its first version."""
    if Service.objects.filter(code=code).exists():
        raise DomainError(f"A service with code {code!r} exists.", code="catalog.duplicate_code")
    service = Service.objects.create(
        code=code,
        theme=theme,
        department=department,
        tier=tier,
        audience=audience,
        verbs=verbs_field(verbs),
        popularity=popularity,
        name=name,
        name_en=name_en,
    )
    service.points.set(list(points))
    publish(service=service, name=name, name_en=name_en, guide=guide, editor=editor, note=note)
    return service


def verbs_field(verbs: Sequence[str]) -> str:
    unknown = set(verbs) - set(Verb.values)
    if unknown or not verbs:
        raise DomainError(
            f"Unknown or missing verbs: {sorted(unknown)}.", code="catalog.invalid_verbs"
        )
    return "," + ",".join(v for v in Verb.values if v in verbs) + ","


def publish(
    *,
    service: Service,
    name: str,
    name_en: str,
    guide: Guide,
    editor: User | None,
    note: str,
) -> ServiceVersion:
    """Record a new version of ``service`` and make it the public one."""
    if not note.strip():
        raise DomainError("Say what changed.", code="catalog.change_note_required", status=422)
    # Lock the service row so two editors never take the same version number.
    Service.objects.select_for_update().filter(pk=service.pk).first()
    last = service.versions.aggregate(last=Max("number"))["last"] or 0
    now = clock.now()
    version = ServiceVersion.objects.create(
        service=service,
        number=last + 1,
        name=name,
        name_en=name_en,
        guide=guide.model_dump(mode="json"),
        change_note=note,
        editor=editor,
        created_at=now,
        published_at=now,
    )
    service.published = version
    service.name = name
    service.name_en = name_en
    service.updated_at = now
    apply_search_fields(service, guide)
    service.save()
    audit.record(
        action="catalog.service.published",
        actor=editor,
        target=service,
        target_label=service.code,
        # The change note stays in the version row: free text must not reach the audit log.
        details={"version": version.number, "department": service.department.code},
    )
    _forget_guide_on_commit(service.code)
    return version


def edit(
    *,
    service: Service,
    editor: User | None,
    note: str,
    name: str | None = None,
    name_en: str | None = None,
    guide: Guide | dict[str, Any] | None = None,
) -> ServiceVersion:
    """Change a service's name or guide: always a new published version."""
    current = Guide.model_validate(service.published.guide) if service.published else None
    new_guide = Guide.model_validate(guide) if isinstance(guide, dict) else guide or current
    if new_guide is None:
        raise DomainError("A service needs a guide.", code="catalog.guide_required", status=422)
    return publish(
        service=service,
        name=name or service.name,
        name_en=service.name_en if name_en is None else name_en,
        guide=new_guide,
        editor=editor,
        note=note,
    )


def retire(
    *, service: Service, editor: User | None, note: str, successor: Service | None = None
) -> Service:
    """Withdraw a service; with a successor it counts as merged and redirects there."""
    if successor is not None and (successor.pk == service.pk or successor.status != Status.ACTIVE):
        raise DomainError(
            "The successor must be another active service.", code="catalog.invalid_successor"
        )
    service.status = Status.MERGED if successor else Status.RETIRED
    service.successor = successor
    audit.record(
        action=f"catalog.service.{service.status}",
        actor=editor,
        target=service,
        target_label=service.code,
        details={"successor": successor.code if successor else None},
    )
    service.save(update_fields=["status", "successor", "updated_at"])
    # Predecessors that pointed here now point to the new successor: no redirect chains.
    if successor is not None:
        Service.objects.filter(successor=service).update(successor=successor)
    edit(service=service, editor=editor, note=note)
    return service


def apply_search_fields(service: Service, guide: Guide) -> None:
    """Fill the denormalised search columns from the name and guide (no save)."""
    theme = service.theme
    department = service.department
    keywords = [k for k in guide.keywords if k]
    service.search_name = text.normalize(f"{service.name} {service.name_en}")
    service.search_text = text.normalize(
        " ".join(
            [
                *keywords,
                theme.name,
                theme.name_en,
                department.short_name or department.name,
                guide.summary,
            ]
        )
    )
    service.search_pinyin, service.search_initials = text.pinyin_keys(
        [service.name, *keywords, theme.name]
    )
    service.search_bigrams = text.bigram_tokens(
        [service.name, *keywords, theme.name, department.short_name or department.name]
    )


def _forget_guide_on_commit(code: str) -> None:
    def forget() -> None:
        cache.delete(guide_cache_key(code))
        # Cached searches and theme counts are keyed by the generation: bumping it expires them.
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, None)

    transaction.on_commit(forget)
