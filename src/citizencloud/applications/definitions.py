"""The data files: per-service form + workflow definitions and the holiday calendar."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from citizencloud.applications import sla, workflow
from citizencloud.kernel import workdays
from citizencloud.kernel.errors import NotFound

DATA = Path(__file__).parent / "data"

__all__ = [
    "BundleDefinition",
    "ServiceDefinition",
    "bundle",
    "bundle_codes",
    "calendar",
    "definition",
    "has_form",
    "service_codes",
]


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    form: dict[str, Any]  # JSON Schema 2020-12 with x-ui hints
    attachments: list[dict[str, Any]]
    workflow: workflow.Definition


def calendar() -> sla.Calendar:
    return workdays.china()


def _parse(raw: dict[str, Any]) -> ServiceDefinition:
    Draft202012Validator.check_schema(raw["form"])
    return ServiceDefinition(
        code=raw["service"],
        form=raw["form"],
        attachments=list(raw.get("attachments", [])),
        workflow=workflow.parse_definition(raw["workflow"]),
    )


@functools.cache
def _all() -> dict[str, ServiceDefinition]:
    found = {}
    for path in sorted((DATA / "services").glob("*.json")):
        parsed = _parse(json.loads(path.read_text(encoding="utf-8")))
        found[parsed.code] = parsed
    return found


@dataclass(frozen=True)
class BundleDefinition:
    """一件事一次办: one form whose answers open one case per member service, in parallel."""

    code: str
    name: dict[str, str]
    services: list[str]
    form: dict[str, Any]


@functools.cache
def _bundles() -> dict[str, BundleDefinition]:
    found = {}
    for path in sorted((DATA / "bundles").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(raw["form"])
        members = list(raw["services"])
        missing = [code for code in members if code not in _all()]
        if missing:
            raise ValueError(f"bundle {raw['bundle']} names services without a form: {missing}")
        found[raw["bundle"]] = BundleDefinition(raw["bundle"], raw["name"], members, raw["form"])
    return found


def bundle_codes() -> list[str]:
    return sorted(_bundles())


def bundle(code: str) -> BundleDefinition:
    found = _bundles().get(code)
    if found is None:
        raise NotFound("No such bundle of services.", code="applications.no_bundle")
    return found


def service_codes() -> list[str]:
    return sorted(_all())


def has_form(code: str) -> bool:
    return code in _all()


def definition(code: str) -> ServiceDefinition:
    found = _all().get(code)
    if found is None:
        raise NotFound(
            "This service does not take applications online yet.",
            code="applications.no_form",
        )
    return found
