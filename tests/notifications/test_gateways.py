"""The whole pipeline against the simulators running as separate processes.

Web server (callbacks) + task worker(s) + ``citizencloud-sim sms`` + ``citizencloud-sim email``,
all on the test database. The gateways speak HTTP to the simulators, which call back signed.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator

import pytest
from django.db import transaction

from citizencloud.notifications import services
from citizencloud.notifications.models import Delivery, Message
from tests.fixtures import free_port
from tests.notifications.factories import create_template, create_user
from tests.notifications.processes import (
    Sim,
    gateway_env,
    start_sim,
    start_web,
    start_worker,
    stop,
    wait_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def sims() -> Iterator[tuple[Sim, Sim]]:
    sms, email = start_sim("sms"), start_sim("email")
    yield sms, email
    stop(sms.process)
    stop(email.process)


@pytest.fixture
def stack(sims: tuple[Sim, Sim]) -> Iterator[tuple[Sim, Sim, dict[str, str]]]:
    sms, email = sims
    port = free_port()
    env = gateway_env(sms, email, port, CITIZENCLOUD_NOTIFY_MAX_ATTEMPTS="3",
                      CITIZENCLOUD_WORKER_STALE_AFTER="2")  # fmt: skip
    web = start_web(env, port)
    yield sms, email, env
    stop(web)


def send(phone: str, *, email: str = "", statutory: bool = False, key: str = "m") -> Message:
    with transaction.atomic():
        user = create_user()
        services.set_address(user=user, channel="sms", value=phone)
        if email:
            services.set_address(user=user, channel="email", value=email)
        template = create_template(statutory=statutory)
        message = services.notify(recipient=user, template_code=template.code,
                                  context={"case": "CD-7"}, dedupe_key=key)  # fmt: skip
    assert message is not None
    return message


def status(message: Message, channel: str) -> str | None:
    row = Delivery.objects.filter(message=message, channel=channel).first()
    return None if row is None else row.status


def test_an_sms_is_delivered_through_the_simulator_despite_duplicate_out_of_order_callbacks(
    stack: tuple[Sim, Sim, dict[str, str]],
) -> None:
    sms, _, env = stack
    sms.faults(duplicate=True, out_of_order=True)
    message = send("13800138000")
    worker = start_worker(env)
    try:
        wait_for(lambda: status(message, "sms") == "delivered")
        wait_for(lambda: all(m["status"] == "delivered" for m in sms.messages()))
    finally:
        stop(worker)
    delivery = Delivery.objects.get(message=message, channel="sms")
    (sent,) = sms.messages()
    assert delivery.final
    assert delivery.provider_ref == sent["id"]
    assert sent["text"] == "【办件进度】您的办件 CD-7 已受理。"


def test_a_statutory_notice_falls_back_to_email_when_the_sms_bounces(
    stack: tuple[Sim, Sim, dict[str, str]],
) -> None:
    _sms, email, env = stack
    message = send("13800000000", email="zhang@example.cn", statutory=True)  # …0000 fails
    worker = start_worker(env)
    try:
        wait_for(lambda: status(message, "email") == "delivered")
    finally:
        stop(worker)
    assert status(message, "sms") == "permanent-failure"
    assert [m["to"] for m in email.messages()] == ["zhang@example.cn"]


def test_a_provider_that_stays_down_ends_in_technical_failure_after_bounded_retries(
    stack: tuple[Sim, Sim, dict[str, str]],
) -> None:
    sms, _, env = stack
    sms.faults(down=True)
    message = send("13800138000")
    worker = start_worker(env)
    try:
        wait_for(lambda: status(message, "sms") == "technical-failure")
    finally:
        stop(worker)
    delivery = Delivery.objects.get(message=message, channel="sms")
    assert delivery.final
    assert delivery.technical_errors == 2
    assert sms.messages() == []


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    stack: tuple[Sim, Sim, dict[str, str]],
) -> None:
    sms, _, env = stack
    # The provider accepts at once but answers after 4 s, and reports after 8 s: the killed
    # worker never learnt the provider's id, so the next one must hand it over again.
    sms.faults(slow_ms=4000, callback_delay_ms=8000)
    message = send("13800138000")
    first = start_worker(env, "--heartbeat", "0.3")
    try:
        wait_for(lambda: len(sms.messages()) == 1)  # accepted; the worker is still waiting
        assert Delivery.objects.get(message=message, channel="sms").provider_ref == ""
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    second = start_worker(env, "--heartbeat", "0.3")
    try:
        wait_for(lambda: Delivery.objects.get(message=message, channel="sms").provider_ref != "")
        wait_for(lambda: status(message, "sms") == "delivered")
    finally:
        stop(second)
    (sent,) = sms.messages()  # one send at the provider: the retry reused the idempotency key
    assert Delivery.objects.get(message=message, channel="sms").provider_ref == sent["id"]


def test_the_simulator_refuses_a_wrong_api_key(sims: tuple[Sim, Sim]) -> None:
    import httpx

    sms, _ = sims
    headers = {"Authorization": "Bearer wrong", "Idempotency-Key": "k"}
    response = httpx.post(sms.url + "/v1/sms", json={"to": "1", "callback_url": "x"},
                          headers=headers)  # fmt: skip
    assert response.status_code == 401
    assert isinstance(sms.process, subprocess.Popen)
