"""No user enumeration: registration and sign-in answer the same way, in the same time, for
known and unknown accounts. A statistical check: medians over 200 interleaved trials."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.identity.support import PASSWORD, WANG, ZHANG, register

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
TRIALS = 200
LIMIT_MS = 10.0


@pytest.fixture
def no_lockouts(settings: Any) -> None:
    # Throttling answers early for both cases alike; switch it off to time the real work.
    # Passwords use the suite's quick argon2id (conftest): the comparison is of the code
    # paths (queries, writes, one hash check each), which the hash costs do not change.
    settings.RATELIMIT_ENABLED = False
    settings.IDENTITY_LOCK_AFTER = 10**6
    settings.IDENTITY_HARD_LOCK_AFTER = 10**6
    settings.IDENTITY_IP_FAILURES = 10**6


def _compare(known: Callable[[], Any], unknown: Callable[[], Any]) -> tuple[float, float]:
    known(), unknown()  # warm caches (password list, argon2 dummy hash)
    samples: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(TRIALS):
        order = (("known", known), ("unknown", unknown))
        for name, call in order if n % 2 else reversed(order):
            started = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
    return statistics.median(samples["known"]), statistics.median(samples["unknown"])


def test_sign_in_takes_the_same_time_for_known_and_unknown_accounts(no_lockouts: None) -> None:
    register(Client())
    client = Client()
    statuses: set[tuple[int, str]] = set()

    def attempt(login: str) -> Callable[[], None]:
        def call() -> None:
            response = client.post(
                "/api/v1/session",
                {"login": login, "password": "not-the-password"},
                content_type="application/json",
            )
            statuses.add((response.status_code, response.json()["code"]))

        return call

    known, unknown = _compare(attempt(ZHANG["phone"]), attempt("13912349876"))
    assert statuses == {(401, "identity.bad_credentials")}
    print(f"median known={known:.2f} ms unknown={unknown:.2f} ms")
    assert abs(known - unknown) < LIMIT_MS, (known, unknown)


def test_registration_takes_the_same_time_for_known_and_new_phones(no_lockouts: None) -> None:
    register(Client())
    client = Client()
    statuses: set[int] = set()

    def attempt(person: dict[str, str]) -> Callable[[], None]:
        def call() -> None:
            response = client.post(
                "/api/v1/citizens",
                {**person, "password": PASSWORD},
                content_type="application/json",
            )
            statuses.add(response.status_code)

        return call

    known, unknown = _compare(attempt({**WANG, "phone": ZHANG["phone"]}), attempt(WANG))
    assert statuses == {202}
    print(f"median known={known:.2f} ms unknown={unknown:.2f} ms")
    assert abs(known - unknown) < LIMIT_MS, (known, unknown)
