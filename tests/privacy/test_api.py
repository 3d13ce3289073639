"""GET /api/v1/me/data-access: the citizen's own ledger, newest first, paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from citizencloud.identity.models import User
from citizencloud.kernel import clock
from citizencloud.privacy import services

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/data-access"


def read(citizen: User, accessor: User, purpose: str, **extra: object) -> None:
    services.record_access(
        citizen=citizen,
        accessor=accessor,
        purpose=purpose,
        legal_basis="statutory_duty",
        fields=["national_id"],
        channel="counter",
        **extra,  # type: ignore[arg-type]
    )


def test_anonymous_gets_401_problem_json() -> None:
    response = Client().get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_citizen_sees_only_their_own_accesses_newest_first_and_paginated() -> None:
    alice = User.objects.create_user("alice", "pw-123456789")
    bob = User.objects.create_user("bob", "pw-123456789")
    clerk = User.objects.create_user("clerk", "pw-123456789", kind="staff", display_name="王小明")
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        for day in range(25):
            read(alice, clerk, f"visit {day}")
            advance(dt.timedelta(days=1))
        read(bob, clerk, "bob's visit")
        read(alice, clerk, "investigation", show_from=start + dt.timedelta(days=365))
        client = Client()
        client.force_login(alice)
        first = client.get(URL).json()
        second = client.get(URL, {"page": 2}).json()
    assert first["count"] == 25
    assert [item["purpose"] for item in first["items"]][:3] == ["visit 24", "visit 23", "visit 22"]
    assert len(first["items"]) == 20
    assert len(second["items"]) == 5
    item = first["items"][0]
    assert item["accessor"] == {"kind": "staff", "name": "王*明", "department": ""}
    assert item["fields"] == ["national_id"]
    assert item["legal_basis"] == "statutory_duty"
    assert item["legal_basis_label"]
    assert item["channel"] == "counter"
    purposes = {i["purpose"] for i in first["items"] + second["items"]}
    assert "bob's visit" not in purposes
    assert "investigation" not in purposes
