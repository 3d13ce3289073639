"""Helpers for identity tests: run queued tasks in-process, read the development SMS box,
register and sign in people."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_tasks_db.models import DBTaskResult

from citizencloud.kernel import sms

PASSWORD = "correct horse battery staple"
ZHANG = {"name": "张三", "id_number": "510114200105071682", "phone": "13800000001"}
WANG = {"name": "王五", "id_number": "510124198806223979", "phone": "13912345678"}


def run_tasks() -> int:
    """Run every queued task in this process (what the worker does after the commit)."""
    count = 0
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        args = result.args_kwargs
        result.task.call(*args["args"], **args["kwargs"])
        result.delete()
        count += 1
    return count


def latest_code(phone: str) -> str:
    for message in sms.recent():
        if message["phone"] == phone and message["code"]:
            return message["code"]
    raise AssertionError(f"no code was sent to {phone}")


def register(client: Client, person: dict[str, str] = ZHANG, password: str = PASSWORD) -> Any:
    """Register and verify ``person`` through the API; returns the verify response."""
    response = client.post(
        "/api/v1/citizens", {**person, "password": password}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    run_tasks()
    code = latest_code(person["phone"])
    verified = client.post(
        "/api/v1/citizens/verify-phone",
        {"phone": person["phone"], "code": code},
        content_type="application/json",
    )
    assert verified.status_code == 200, verified.content
    return verified


def sign_in(client: Client, login: str, password: str = PASSWORD, **extra: str) -> str:
    response = client.post(
        "/api/v1/session",
        {"login": login, "password": password, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
