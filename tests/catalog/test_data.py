"""The catalog data files: every entry is complete and valid, and loading is idempotent."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from citizencloud.catalog import loading
from citizencloud.catalog.models import LifeEvent, Service, ServiceVersion, Theme
from citizencloud.catalog.schemas import Guide

CATALOG = loading.read_catalog()


def test_the_data_files_have_no_problems() -> None:
    assert loading.validate(CATALOG) == []


def test_at_least_ten_themes_and_180_services_over_all_tiers() -> None:
    assert len(CATALOG.themes) >= 10
    assert len(CATALOG.entries) >= 180
    tiers = Counter(entry.tier for entry in CATALOG.entries)
    assert set(tiers) == {"city", "district", "street"}
    assert min(tiers.values()) >= 15
    themes = Counter(entry.theme for entry in CATALOG.entries)
    assert len(themes) == len(CATALOG.themes)
    assert min(themes.values()) >= 10
    assert Counter(entry.audience for entry in CATALOG.entries)["business"] >= 10


@pytest.mark.parametrize("entry", CATALOG.entries, ids=lambda e: e.code)
def test_every_service_has_a_complete_guide(entry: loading.Entry) -> None:
    guide = entry.guide
    assert isinstance(guide, Guide)
    assert entry.function in CATALOG.departments, "responsible department"
    assert guide.materials, "at least one material"
    assert guide.time_limit.statutory_days > 0
    assert guide.time_limit.promised_days <= guide.time_limit.statutory_days
    assert guide.eligibility
    assert guide.steps
    assert guide.legal_basis
    assert guide.faq
    assert guide.fee
    assert guide.responsible[0].tier == "city"
    assert entry.name
    assert entry.name_en
    assert entry.verbs
    for material in guide.materials:
        assert material.required or material.condition, f"{material.name}: say when it is needed"


def test_at_least_eight_life_events_list_known_services_in_order() -> None:
    assert len(CATALOG.life_events) >= 8
    codes = {entry.code for entry in CATALOG.entries}
    for event in CATALOG.life_events:
        assert len(event["steps"]) >= 3
        assert all(step[0] in codes for step in event["steps"])


def test_broken_entries_are_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(loading.DATA_DIR, data)
    (data / "services" / "zz-broken.yaml").write_text(
        "theme: nowhere\n"
        "defaults: {department: gjj, tier: city, audience: citizen, verbs: [apply],"
        " time_limit: [5, 1]}\n"
        "services:\n"
        "  - {code: gjj-withdraw-rent, name: 重复, name_en: Dup, materials: [unicorn]}\n"
        "  - {code: zz-empty, name: 空, verbs: [fly]}\n",
        encoding="utf-8",
    )
    problems = "\n".join(loading.validate(loading.read_catalog(data)))
    assert "unknown theme 'nowhere'" in problems
    assert "gjj-withdraw-rent: missing or duplicate code" in problems
    assert "unknown material 'unicorn'" in problems
    assert "zz-empty: verbs must be" in problems
    assert "zz-empty: needs a Chinese and an English name" in problems
    with pytest.raises(ValueError, match="invalid"):
        loading.load_catalog(data)


@pytest.mark.django_db
def test_the_loaded_catalog_matches_the_files_and_reloading_changes_nothing() -> None:
    assert Theme.objects.count() == len(CATALOG.themes)
    assert Service.objects.count() == len(CATALOG.entries)
    assert LifeEvent.objects.count() == len(CATALOG.life_events)
    versions = ServiceVersion.objects.count()
    loading.load_catalog()
    assert ServiceVersion.objects.count() == versions
    service = Service.objects.select_related("published", "department").get(
        code="hj-newborn-registration"
    )
    assert service.published is not None
    assert service.published.number >= 1
    assert service.department.code == "cd-police"
    assert service.points.filter(code="hall-510104").exists()


@pytest.mark.django_db
def test_the_load_command_checks_and_loads() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_catalog", "--check", stdout=out)
    assert "valid" in out.getvalue()
    call_command("load_catalog", stdout=out)
    assert "services: " in out.getvalue()
