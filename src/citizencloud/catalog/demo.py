"""Demo data of the catalog: themes, 180+ services with guides, life events (from data files)."""

from __future__ import annotations

from citizencloud.catalog import loading
from citizencloud.kernel import demo


@demo.register(order=30, name="catalog")
def seed() -> list[demo.DemoAccount]:
    loading.load_catalog()
    return []
