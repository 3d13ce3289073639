from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from citizencloud.payments import providers
from tests.payments.support import SECRET, PaySim, start_pay_sim


@pytest.fixture(scope="session")
def pay_sim() -> Iterator[PaySim]:
    sim = start_pay_sim()
    yield sim
    sim.stop()


@pytest.fixture(autouse=True)
def _provider(settings: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    """Point the adapter at the simulator (started only for tests that ask for it)."""
    settings.PAYMENTS_PROVIDER_SECRET = SECRET
    if "pay_sim" in request.fixturenames:
        sim: PaySim = request.getfixturevalue("pay_sim")
        sim.reset()
        settings.PAYMENTS_PROVIDER_URL = sim.url
    else:
        settings.PAYMENTS_PROVIDER_URL = "http://127.0.0.1:9"  # nothing listens: no outside calls
    providers.reset_provider()
    cache.clear()
    yield
    providers.reset_provider()
