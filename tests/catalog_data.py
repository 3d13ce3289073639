"""Load the real demo data files once per test session (shared by tests/org and tests/catalog)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from citizencloud.catalog import loading as catalog_loading
from citizencloud.kernel.models import AuditEntry
from citizencloud.org import loading as org_loading


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock(), transaction.atomic():
        org_loading.load_all()
        catalog_loading.load_catalog()
        # Loading audits each publication; other suites expect to start with an empty log.
        AuditEntry.objects.all().delete()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Cached guides must not leak between tests whose database changes were rolled back."""
    cache.clear()
    yield
    cache.clear()
