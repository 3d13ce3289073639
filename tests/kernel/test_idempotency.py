"""The Idempotency-Key helper on a Ninja operation and on a view outside the request transaction."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path
from ninja import Schema, Status
from ninja.decorators import decorate_view

from citizencloud.kernel import audit, clock, idempotency
from citizencloud.kernel.api import new_api
from citizencloud.kernel.errors import Conflict
from citizencloud.kernel.idempotency import idempotent
from citizencloud.kernel.models import AuditEntry, IdempotencyRecord

api = new_api(urls_namespace="idempotency-tests")
release = threading.Event()


class OrderIn(Schema):
    item: str
    slow: bool = False


class OrderOut(Schema):
    order: int
    item: str


@api.post("/orders", response={201: OrderOut})
@decorate_view(idempotent())
def place_order(request: HttpRequest, body: OrderIn) -> Status:
    if body.item == "sold-out":
        audit.record(action="tests.order_attempted", details={"item": body.item})
        raise Conflict("sold out", code="tests.sold_out")
    entry = audit.record(action="tests.order_placed", details={"item": body.item})
    if body.slow:
        time.sleep(0.3)
    return Status(201, OrderOut(order=entry.pk, item=body.item))


@transaction.non_atomic_requests
@idempotent(required=True)
def slow_view(request: HttpRequest) -> HttpResponse:
    release.wait(10)
    entry = audit.record(action="tests.slow_done", details={})
    return JsonResponse({"entry": entry.pk}, status=201)


urlpatterns = [path("api/", api.urls), path("slow/", slow_view)]
pytestmark = pytest.mark.urls(__name__)


def post(client: Client, body: dict[str, object], key: str | None = "key-1") -> HttpResponse:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/orders", body, content_type="application/json", headers=headers)


def placed() -> int:
    return AuditEntry.objects.filter(action="tests.order_placed").count()


@pytest.mark.django_db
def test_same_key_and_body_returns_the_stored_response_without_a_second_effect() -> None:
    client = Client()
    first = post(client, {"item": "permit"})
    second = post(client, {"item": "permit"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert placed() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422() -> None:
    client = Client()
    post(client, {"item": "permit"})
    reused = post(client, {"item": "licence"})
    assert reused.status_code == 422
    assert reused["Content-Type"] == "application/problem+json"
    assert reused.json()["code"] == "idempotency.key_reused"
    assert placed() == 1


@pytest.mark.django_db
def test_without_a_key_every_request_runs() -> None:
    client = Client()
    post(client, {"item": "permit"}, key=None)
    post(client, {"item": "permit"}, key=None)
    assert placed() == 2


@pytest.mark.django_db
def test_keys_are_scoped_per_client_account() -> None:
    from citizencloud.identity.models import User

    alice, bob = Client(), Client()
    alice.force_login(User.objects.create_user("alice", "pw-123456789"))
    bob.force_login(User.objects.create_user("bob", "pw-123456789"))
    post(alice, {"item": "permit"})
    post(bob, {"item": "permit"})
    assert placed() == 2


@pytest.mark.django_db
def test_an_error_is_not_stored_and_its_writes_are_rolled_back() -> None:
    client = Client()
    refused = post(client, {"item": "sold-out"})
    assert refused.status_code == 409
    assert not IdempotencyRecord.objects.exists()
    assert not AuditEntry.objects.filter(action="tests.order_attempted").exists()
    again = post(client, {"item": "sold-out"})
    assert again.status_code == 409
    assert "Idempotent-Replayed" not in again


@pytest.mark.django_db
def test_keys_expire_after_24_hours() -> None:
    client = Client()
    with clock.frozen(dt.datetime(2026, 5, 1, tzinfo=dt.UTC)) as advance:
        post(client, {"item": "permit"})
        advance(dt.timedelta(hours=23))
        post(client, {"item": "permit"})
        assert placed() == 1
        advance(dt.timedelta(hours=2))
        assert idempotency.purge_expired() == 1
        post(client, {"item": "permit"})
        assert placed() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_execute_once() -> None:
    responses: list[HttpResponse] = []
    start = threading.Barrier(2)

    def send() -> None:
        try:
            start.wait()
            responses.append(post(Client(), {"item": "permit", "slow": True}, key="concurrent"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert placed() == 1
    statuses = sorted(r.status_code for r in responses)
    assert statuses in ([201, 201], [201, 409])
    bodies = [r.json() for r in responses if r.status_code == 201]
    assert all(body == bodies[0] for body in bodies)


@pytest.mark.django_db(transaction=True)
def test_outside_a_request_transaction_a_running_duplicate_gets_409() -> None:
    release.clear()
    first: list[HttpResponse] = []

    def send() -> None:
        try:
            first.append(Client().post("/slow/", headers={"Idempotency-Key": "slow-1"}))
        finally:
            connection.close()

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 10
    while not IdempotencyRecord.objects.filter(key="slow-1").exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    duplicate = Client().post("/slow/", headers={"Idempotency-Key": "slow-1"})
    release.set()
    thread.join(timeout=30)
    assert duplicate.status_code == 409
    assert duplicate["Retry-After"] == "1"
    assert duplicate.json()["code"] == "idempotency.in_progress"
    assert first[0].status_code == 201
    replay = Client().post("/slow/", headers={"Idempotency-Key": "slow-1"})
    assert replay.status_code == 201
    assert replay.json() == first[0].json()
    assert AuditEntry.objects.filter(action="tests.slow_done").count() == 1


@pytest.mark.django_db
def test_a_required_key_that_is_missing_is_428() -> None:
    release.set()
    response = Client().post("/slow/")
    assert response.status_code == 428
    assert response.json()["code"] == "idempotency.key_required"
