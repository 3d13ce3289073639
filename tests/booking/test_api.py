"""The booking API: slots, book/list/cancel/reschedule with Idempotency-Key, check-in (staff);
bad input is problem+json with a stable code, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from citizencloud.booking import qr
from citizencloud.booking.models import Booking, Slot
from tests.factories.booking import (
    create_citizen,
    create_point,
    create_resource,
    create_slot,
    create_staff,
    token_for,
)

pytestmark = pytest.mark.django_db


def _headers(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def _post(client: Client, path: str, body: dict[str, Any], token: str, key: str | None) -> Any:
    return client.post(path, body, content_type="application/json", **_headers(token, key))


def test_slots_of_a_point_for_a_service_on_a_day(client: Client) -> None:
    point = create_point()
    resource = create_resource(point=point)
    slot = create_slot(resource, starts_in=dt.timedelta(days=1))
    day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    response = client.get(f"/api/v1/service-points/{point.code}/slots?date={day}")
    assert response.status_code == 200
    body = response.json()
    assert [s["id"] for s in body["slots"]] == [slot.pk]
    assert body["slots"][0]["free"] == 2
    assert body["slots"][0]["bookable"] is True
    assert client.get(f"/api/v1/service-points/{point.code}/slots?date=nope").status_code == 422
    missing = client.get("/api/v1/service-points/nowhere/slots")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_book_list_reschedule_cancel(client: Client) -> None:
    resource = create_resource()
    slot, other = create_slot(resource), create_slot(resource)
    token = token_for(create_citizen())
    created = _post(client, "/api/v1/bookings", {"slot_id": slot.pk}, token, "b-1")
    assert created.status_code == 201, created.content
    booking = created.json()
    assert booking["state"] == "booked"
    assert booking["qr_code"].startswith("CCB1.")
    replay = _post(client, "/api/v1/bookings", {"slot_id": slot.pk}, token, "b-1")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == booking["id"]
    assert Slot.objects.get(pk=slot.pk).booked == 1
    listed = client.get("/api/v1/bookings", **_headers(token)).json()
    assert [b["id"] for b in listed] == [booking["id"]]
    moved = _post(
        client, f"/api/v1/bookings/{booking['id']}/reschedule", {"slot_id": other.pk}, token, "r-1"
    )
    assert moved.status_code == 200, moved.content
    assert [Slot.objects.get(pk=s.pk).booked for s in (slot, other)] == [0, 1]
    cancelled = client.delete(f"/api/v1/bookings/{booking['id']}", **_headers(token, "c-1"))
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert Slot.objects.get(pk=other.pk).booked == 0


def test_writes_require_an_idempotency_key_and_sign_in(client: Client) -> None:
    slot = create_slot()
    token = token_for(create_citizen())
    assert _post(client, "/api/v1/bookings", {"slot_id": slot.pk}, token, None).status_code == 428
    anonymous = client.post(
        "/api/v1/bookings", {"slot_id": slot.pk}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [({"slot_id": "1"}, 422), ({"slot_id": -1}, 422), ({}, 422), ({"slot_id": 10**9}, 404)],
)
def test_bad_input_is_a_problem_not_a_500(
    client: Client, body: dict[str, Any], status: int
) -> None:
    token = token_for(create_citizen())
    response = _post(client, "/api/v1/bookings", body, token, "bad")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_full_slot_second_booking_and_someone_elses_booking(client: Client) -> None:
    resource = create_resource()
    full = create_slot(resource, capacity=1)
    first, second = token_for(create_citizen()), token_for(create_citizen())
    mine = _post(client, "/api/v1/bookings", {"slot_id": full.pk}, first, "a").json()
    # The slot is full now, yet a retry of the request that took the last seat gets its booking.
    retry = _post(client, "/api/v1/bookings", {"slot_id": full.pk}, first, "a")
    assert retry.status_code == 201
    assert retry.json()["id"] == mine["id"]
    refused = _post(client, "/api/v1/bookings", {"slot_id": full.pk}, second, "b")
    assert (refused.status_code, refused.json()["code"]) == (409, "booking.slot_full")
    again = _post(client, "/api/v1/bookings", {"slot_id": create_slot(resource).pk}, first, "c")
    assert (again.status_code, again.json()["code"]) == (409, "booking.already_booked")
    theirs = client.delete(f"/api/v1/bookings/{mine['id']}", **_headers(second, "d"))
    assert (theirs.status_code, theirs.json()["code"]) == (404, "booking.not_found")
    assert client.get(f"/api/v1/bookings/{mine['id']}", **_headers(second)).status_code == 404
    assert client.get("/api/v1/bookings/not-a-uuid", **_headers(first)).status_code == 404


def test_a_full_slot_is_refused_from_one_read_of_it(
    client: Client, django_assert_num_queries: Any
) -> None:
    # Most answers in a release rush are "full": the session, the slot (with its resource) and
    # "did this very request already book?" are all they read; nothing is written.
    resource = create_resource()
    full = create_slot(resource, capacity=1)
    _post(client, "/api/v1/bookings", {"slot_id": full.pk}, token_for(create_citizen()), "a")
    token = token_for(create_citizen())
    with django_assert_num_queries(3):
        refused = _post(client, "/api/v1/bookings", {"slot_id": full.pk}, token, "b")
    assert (refused.status_code, refused.json()["code"]) == (409, "booking.slot_full")
    unreleased = create_slot(resource, released_ago=-dt.timedelta(hours=1))
    with django_assert_num_queries(3):
        early = _post(client, "/api/v1/bookings", {"slot_id": unreleased.pk}, token, "c")
    assert (early.status_code, early.json()["code"]) == (409, "booking.not_released")


def test_check_in_by_staff_of_the_point_only(client: Client) -> None:
    point = create_point()
    slot = create_slot(create_resource(point=point), starts_in=dt.timedelta(minutes=10))
    citizen = create_citizen()
    booking = _post(
        client, "/api/v1/bookings", {"slot_id": slot.pk}, token_for(citizen), "k"
    ).json()
    body = {"code": booking["qr_code"], "service_point": point.code}
    outsider = token_for(create_staff(create_point("hall-elsewhere")))
    refused = _post(client, "/api/v1/checkins", body, outsider, "x")
    assert (refused.status_code, refused.json()["code"]) == (403, "booking.forbidden")
    self_checkin = _post(client, "/api/v1/checkins", body, token_for(citizen), "y")
    assert self_checkin.status_code == 403
    staff = token_for(create_staff(point))
    done = _post(client, "/api/v1/checkins", body, staff, "z")
    assert done.status_code == 201, done.content
    assert done.json()["ticket"] == "A001"
    reused = _post(client, "/api/v1/checkins", body, staff, "z2")
    assert (reused.status_code, reused.json()["code"]) == (409, "booking.qr_used")
    forged = {**body, "code": qr.token_for(__import__("uuid").uuid4())}
    bad = _post(client, "/api/v1/checkins", forged, staff, "z3")
    assert (bad.status_code, bad.json()["code"]) == (400, "booking.qr_invalid")
    shown = client.get(f"/api/v1/bookings/{booking['id']}", **_headers(token_for(citizen))).json()
    assert shown["ticket"] == "A001"
    assert shown["waiting_before"] == 0
    assert shown["qr_code"] is None


def test_the_rush_route_runs_outside_the_request_transaction() -> None:
    from django.urls import resolve

    assert resolve("/api/v1/bookings").func._non_atomic_requests == {"default"}  # type: ignore[attr-defined]
    assert not getattr(resolve("/api/v1/bookings/x").func, "_non_atomic_requests", set())
