"""A real ``citizencloud serve`` (granian + edge + Django) shared by the hot-path tests.

Module-scoped, so it outlives each test's flush: it runs without the task worker, whose polling
transactions would otherwise hold locks that PostgreSQL's TRUNCATE deadlocks against."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.fixtures import LiveServer, child_env, start_server


def _stop(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def edge_server(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        server = start_server("--no-worker", env=child_env(CITIZENCLOUD_LOG_LEVEL="WARNING"))
    yield server
    _stop(server)


@pytest.fixture(scope="module")
def tight_server(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """A server whose campaign admission lets almost nothing through."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        server = start_server(
            "--no-worker",
            env=child_env(
                CITIZENCLOUD_CAMPAIGN_EDGE_RATE="1", CITIZENCLOUD_CAMPAIGN_EDGE_BURST="1"
            ),
        )
    yield server
    _stop(server)


@pytest.fixture(scope="module")
def global_server(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """A server whose admission comes from the shared Redis bucket at 1 entry/s."""
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("the shared bucket needs Redis")
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        server = start_server(
            "--no-worker", env=child_env(CITIZENCLOUD_CAMPAIGN_EDGE_GLOBAL_RATE="1")
        )
    yield server
    _stop(server)
