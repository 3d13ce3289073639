"""Read and validate the readable catalog data files (``catalog/data``) and load them.

``read_catalog()`` turns the files into checked entries (``validate()`` lists every problem);
``load_catalog()`` upserts them: an unchanged service is left alone, a changed one gets a new
version with the note "数据文件更新", so loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from citizencloud.catalog import search, services
from citizencloud.catalog.models import LifeEvent, LifeEventStep, Service, Theme
from citizencloud.catalog.schemas import Guide
from citizencloud.org.models import Department, Region, ServicePoint, Tier

DATA_DIR = Path(__file__).resolve().parent / "data"
TIER_LABELS = {"city": "市级", "district": "区（市）县级", "street": "街道（乡镇）级"}
DISTRICT_SHORT = "各区（市）县"
STREET_SHORT = "各街道（乡镇）便民服务中心"


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass
class Entry:
    """One service as the data files describe it, with its guide built and checked."""

    code: str
    theme: str
    function: str
    tier: str
    audience: str
    verbs: list[str]
    name: str
    name_en: str
    popularity: int
    points: list[str]
    channels: list[str]
    guide: Guide | None
    errors: list[str] = field(default_factory=list)


@dataclass
class Catalog:
    themes: list[dict[str, Any]]
    entries: list[Entry]
    life_events: list[dict[str, Any]]
    departments: dict[str, dict[str, Any]]


def read_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Parse every data file into entries; problems are collected, not raised."""
    themes = _read(data_dir / "themes.yaml")
    materials = _read(data_dir / "materials.yaml")
    org_departments = _read(Path(__file__).resolve().parent.parent / "org/data/departments.yaml")
    city = {item["function"]: item for item in org_departments["city"]}
    district = {item["function"]: item for item in org_departments["district"]}
    entries: list[Entry] = []
    for path in sorted((data_dir / "services").glob("*.yaml")):
        data = _read(path)
        defaults = data.get("defaults", {})
        for item in data["services"]:
            entries.append(_entry(data["theme"], {**defaults, **item}, materials, city, district))
    return Catalog(
        themes=themes,
        entries=entries,
        life_events=_read(data_dir / "life_events.yaml"),
        departments=city,
    )


def _material(ref: Any, library: dict[str, Any]) -> dict[str, Any]:
    if isinstance(ref, dict):
        key, extra = ref["id"], {k: v for k, v in ref.items() if k != "id"}
    else:
        key, _, condition = str(ref).partition("?")
        extra = {"required": "?" not in str(ref), "condition": condition}
    if key not in library:
        raise KeyError(f"unknown material {key!r}")
    base = library[key]
    return {
        "code": key,
        "name": base["name"],
        "name_en": base.get("name_en", ""),
        "form": base["form"],
        "note": base.get("note", ""),
        "held_by_government": bool(base.get("held", False)),
        **extra,
    }


def _responsible(
    tier: str, function: str, city: dict[str, Any], district: dict[str, Any]
) -> list[dict[str, str]]:
    owner = city[function]
    out = [{"tier": "city", "department": owner["name"], "role": "主管部门，制定办事指南"}]
    if tier in ("district", "street") and function in district:
        out.append(
            {
                "tier": "district",
                "department": DISTRICT_SHORT + district[function]["short"],
                "role": "受理和审批" if tier == "district" else "审批",
            }
        )
    if tier == "street":
        out.append({"tier": "street", "department": STREET_SHORT, "role": "就近受理"})
    if tier == "city":
        out[0]["role"] = "受理、审批和办结"
    return out


def _entry(
    theme: str,
    item: dict[str, Any],
    library: dict[str, Any],
    city: dict[str, Any],
    district: dict[str, Any],
) -> Entry:
    errors: list[str] = []
    code = str(item.get("code", ""))
    function = str(item.get("department", ""))
    tier = str(item.get("tier", ""))
    guide: Guide | None = None
    try:
        if function not in city:
            raise KeyError(f"unknown department function {function!r}")
        eligibility = item.get("eligibility", [])
        statutory, promised = item["time_limit"]
        guide = Guide.model_validate(
            {
                "summary": item.get("summary", ""),
                "eligibility": [eligibility] if isinstance(eligibility, str) else eligibility,
                "materials": [_material(ref, library) for ref in item.get("materials", [])],
                "steps": [{"title": t, "detail": d} for t, d in item.get("steps", [])],
                "legal_basis": item.get("legal_basis", []),
                "time_limit": {"statutory_days": statutory, "promised_days": promised},
                "fee": item.get("fee", ""),
                "channels": item.get("channels", []),
                "responsible": _responsible(tier, function, city, district),
                "faq": [{"question": q, "answer": a} for q, a in item.get("faq", [])],
                "keywords": item.get("keywords", []),
            }
        )
    except (KeyError, ValueError, TypeError, ValidationError) as exc:
        errors.append(f"{code or '?'}: {exc}")
    return Entry(
        code=code,
        theme=theme,
        function=function,
        tier=tier,
        audience=str(item.get("audience", "")),
        verbs=list(item.get("verbs", [])),
        name=str(item.get("name", "")),
        name_en=str(item.get("name_en", "")),
        popularity=int(item.get("popularity", 0)),
        points=list(item.get("points", [])),
        channels=list(item.get("channels", [])),
        guide=guide,
        errors=errors,
    )


def validate(catalog: Catalog) -> list[str]:
    """Every problem in the data files, as readable lines (empty when all is well)."""
    problems: list[str] = []
    theme_codes = {theme["code"] for theme in catalog.themes}
    codes: set[str] = set()
    for entry in catalog.entries:
        problems.extend(entry.errors)
        where = entry.code or entry.name or "?"
        if not entry.code or entry.code in codes:
            problems.append(f"{where}: missing or duplicate code")
        codes.add(entry.code)
        if entry.theme not in theme_codes:
            problems.append(f"{where}: unknown theme {entry.theme!r}")
        if entry.tier not in ("city", "district", "street"):
            problems.append(f"{where}: tier must be city, district or street")
        if entry.audience not in ("citizen", "business"):
            problems.append(f"{where}: audience must be citizen or business")
        if not entry.verbs or set(entry.verbs) - {"query", "book", "apply", "pay"}:
            problems.append(f"{where}: verbs must be some of query, book, apply, pay")
        if not entry.name or not entry.name_en:
            problems.append(f"{where}: needs a Chinese and an English name")
    for event in catalog.life_events:
        for step in event["steps"]:
            if step[0] not in codes:
                problems.append(f"life event {event['code']}: unknown service {step[0]!r}")
    return problems


def points_for(entry: Entry) -> list[ServicePoint]:
    """Listed points, or the halls of the service's tier when it is handled in a hall."""
    if entry.points:
        return list(ServicePoint.objects.filter(code__in=entry.points))
    if "hall" not in entry.channels:
        return []
    if entry.tier == "city":
        return list(ServicePoint.objects.filter(code="hall-city"))
    if entry.tier == "district":
        # One hall per district; the city-level halls (hall-city, hall-gjj …) are not among them.
        return list(ServicePoint.objects.filter(code__startswith="hall-510"))
    return list(ServicePoint.objects.filter(kind="community"))


def load_catalog(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Validate and load the catalog; refuse to load anything if a file is wrong."""
    catalog = read_catalog(data_dir)
    problems = validate(catalog)
    if problems:
        raise ValueError("catalog data files are invalid:\n" + "\n".join(problems))
    themes = {}
    for position, item in enumerate(catalog.themes):
        themes[item["code"]], _ = Theme.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "summary": item.get("summary", ""),
                "summary_en": item.get("summary_en", ""),
                "glyph": item.get("glyph", ""),
                "position": position,
            },
        )
    city = Region.objects.get(tier=Tier.CITY)
    departments = {d.function: d for d in Department.objects.filter(region=city)}
    for entry in catalog.entries:
        assert entry.guide is not None  # noqa: S101 (validated above)
        _upsert(entry, entry.guide, themes[entry.theme], departments[entry.function])
    _load_life_events(catalog.life_events)
    search.optimize_index()
    return {"themes": len(themes), "services": Service.objects.count()}


def _upsert(entry: Entry, guide: Guide, theme: Theme, department: Department) -> None:
    service = Service.objects.select_related("published").filter(code=entry.code).first()
    if service is None:
        services.create_service(
            code=entry.code,
            theme=theme,
            department=department,
            tier=entry.tier,
            audience=entry.audience,
            verbs=entry.verbs,
            name=entry.name,
            name_en=entry.name_en,
            guide=guide,
            popularity=entry.popularity,
            points=points_for(entry),
        )
        return
    fields = {
        "theme_id": theme.pk,
        "department_id": department.pk,
        "tier": entry.tier,
        "audience": entry.audience,
        "verbs": services.verbs_field(entry.verbs),
        "popularity": entry.popularity,
    }
    if any(getattr(service, key) != value for key, value in fields.items()):
        Service.objects.filter(pk=service.pk).update(**fields)
        service.refresh_from_db()
    published = service.published
    if (
        published is None
        or published.guide != guide.model_dump(mode="json")
        or (service.name, service.name_en) != (entry.name, entry.name_en)
    ):
        services.edit(
            service=service,
            editor=None,
            note="数据文件更新 Updated from the data files",
            name=entry.name,
            name_en=entry.name_en,
            guide=guide,
        )
    service.points.set(points_for(entry))  # a no-op when nothing changed


def _load_life_events(events: list[dict[str, Any]]) -> None:
    by_code = {s.code: s for s in Service.objects.only("id", "code")}
    for position, item in enumerate(events):
        event, _ = LifeEvent.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "summary": item.get("summary", ""),
                "summary_en": item.get("summary_en", ""),
                "glyph": item.get("glyph", ""),
                "position": position,
            },
        )
        wanted = [
            (number, by_code[step[0]].pk, step[1] if len(step) > 1 else "")
            for number, step in enumerate(item["steps"], start=1)
        ]
        current = list(
            event.steps.order_by("position").values_list("position", "service_id", "note")
        )
        if current != wanted:
            event.steps.all().delete()
            LifeEventStep.objects.bulk_create(
                LifeEventStep(event=event, position=p, service_id=s, note=n) for p, s, n in wanted
            )
