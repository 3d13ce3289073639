"""Factories and helpers for the payments tests: plain functions, real database."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from django.contrib.auth.models import Permission
from django.test import Client

from citizencloud.identity.models import User, UserKind
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.sessions import start_session
from citizencloud.payments import providers, services
from citizencloud.payments.models import Bill, Biller, BillerAccount, BindingStatus
from tests.fixtures import ROOT, child_env, free_port, wait_http

SECRET = "test-pay-secret"


@dataclass
class PaySim:
    url: str
    process: subprocess.Popen[bytes]

    def faults(self, **faults: object) -> None:
        httpx.post(self.url + "/_sim/faults", json=faults).raise_for_status()

    def pay(self, order_id: str) -> dict[str, Any]:
        response = httpx.post(self.url + "/_sim/pay", json={"order_id": order_id})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def orders(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = httpx.get(self.url + "/_sim/orders").json()["orders"]
        return items

    def reset(self) -> None:
        httpx.post(self.url + "/_sim/reset", json={}).raise_for_status()
        self.faults(
            late_ms=0,
            duplicate=False,
            out_of_order=False,
            wrong_signature=False,
            drop_notify=False,
            down=False,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_pay_sim(*args: str) -> PaySim:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citizencloud_sim",
            "pay",
            "--port",
            str(port),
            "--secret",
            SECRET,
            "--callback-delay-ms",
            "50",
            "--latency-ms",
            "1",
            *args,
        ],
        cwd=ROOT,
        env=child_env(),
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz")
    return PaySim(url, process)


def create_user(
    username: str | None = None, *, kind: str = UserKind.CITIZEN, finance: bool = False
) -> User:
    user = User.objects.create_user(username or f"u{uuid.uuid4().hex[:10]}", "pw", kind=kind)
    if finance:
        user.user_permissions.add(
            Permission.objects.get(codename="finance", content_type__app_label="payments")
        )
    return User.objects.get(pk=user.pk)


def token_for(user: User, *, mfa: bool = False) -> str:
    _, token = start_session(user=user, mfa=mfa, origin=Origin(ip="127.0.0.1"))
    return token


def auth(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def create_biller(code: str = "water", secret: str = "biller-secret") -> Biller:  # noqa: S107
    return services.register_biller(code=code, name="成都自来水", kind="water", secret=secret)


def create_bill(
    biller: Biller | None = None,
    *,
    account: str = "10086001",
    amount_fen: int = 4680,
    **overrides: Any,
) -> Bill:
    biller = biller or create_biller()
    return Bill.objects.create(
        biller=biller,
        reference=overrides.pop("reference", uuid.uuid4().hex[:12]),
        account_number=account,
        amount_fen=amount_fen,
        period="2026-11",
        **overrides,
    )


def bind(user: User, bill: Bill) -> BillerAccount:
    binding, _ = BillerAccount.objects.get_or_create(
        biller=bill.biller,
        account_number=bill.account_number,
        holder=user,
        defaults={"status": BindingStatus.CONFIRMED},
    )
    return binding


def create_payment_via_api(client: Client, token: str, bill: Bill, key: str | None = None) -> Any:
    return client.post(
        "/api/v1/payments",
        {"bill_id": str(bill.public_id), "amount_fen": bill.amount_fen},
        content_type="application/json",
        **auth(token, key or uuid.uuid4().hex),
    )


def signed_notice(
    order_id: str,
    status: str,
    amount_fen: int,
    *,
    notify_id: str | None = None,
    secret: str = SECRET,
    trade_no: str = "T1",
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "notify_id": notify_id or uuid.uuid4().hex,
            "order_id": order_id,
            "status": status,
            "trade_no": trade_no,
            "amount_fen": amount_fen,
        }
    ).encode()
    return body, {"HTTP_X_SIGNATURE": providers.sign(secret, body)}


def post_notice(client: Client, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(
        "/api/v1/payments/callbacks/sim", body, content_type="application/json", **headers
    )


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("condition not met")
