from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache


class QuickArgon2(Argon2PasswordHasher):
    """argon2id with small costs: these tests hash hundreds of passwords (production keeps
    Django's costs, ~350 ms a hash on this machine)."""

    algorithm = "argon2-quick"
    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _quick_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.identity.conftest.QuickArgon2"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
