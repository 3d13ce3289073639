"""Signed provider callbacks drive the delivery lifecycle: once, in order, with fallback."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client, override_settings

from citizencloud.kernel import clock
from citizencloud.notifications import callbacks, services, workflow
from citizencloud.notifications.models import Delivery, DeliveryStatus
from tests.notifications.factories import create_template, create_user

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def sending_delivery(*, statutory: bool = False, email: bool = False) -> Delivery:
    user = create_user()
    services.set_address(user=user, channel="sms", value="13800138000")
    if email:
        services.set_address(user=user, channel="email", value="zhang@example.cn")
    template = create_template(statutory=statutory)
    message = services.notify(recipient=user, template_code=template.code,
                              context={"case": "1"}, dedupe_key=f"k{template.pk}")  # fmt: skip
    assert message is not None
    delivery = message.deliveries.get(channel="sms")
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", provider_ref="sim-1")
    delivery.refresh_from_db()
    return delivery


def post(client: Client, delivery: Delivery, status: str, at: dt.datetime, **kw: str) -> int:
    body = json.dumps({"id": "sim-1", "reference": kw.get("reference", delivery.idempotency_key),
                       "status": status, "occurred_at": at.isoformat()}).encode()  # fmt: skip
    stamp = int(clock.now().timestamp())
    signature = kw.get("signature") or callbacks.sign(body, stamp, settings.NOTIFY_CALLBACK_SECRET)
    response = client.post("/api/v1/notifications/callbacks/sms", body,
                           content_type="application/json", HTTP_X_SIGNATURE=signature)  # fmt: skip
    return response.status_code


def test_an_unsigned_or_forged_callback_is_refused(client: Client) -> None:
    delivery = sending_delivery()
    assert post(client, delivery, "delivered", T0, signature="t=1,v1=00") == 401
    forged = callbacks.sign(b"{}", int(clock.now().timestamp()), "not-the-secret")
    assert post(client, delivery, "delivered", T0, signature=forged) == 401
    delivery.refresh_from_db()
    assert delivery.status == "sending"


def test_duplicate_and_out_of_order_callbacks_change_the_state_once(client: Client) -> None:
    delivery = sending_delivery()
    key = delivery.idempotency_key
    late = T0 + dt.timedelta(seconds=5)
    # The final status first, then the older "sending", then the final again.
    assert services.record_status(reference=key, status="delivered", occurred_at=late)
    assert not services.record_status(reference=key, status="sending", occurred_at=T0)
    assert not services.record_status(reference=key, status="delivered", occurred_at=late)
    assert not services.record_status(reference=key, status="permanent-failure", occurred_at=late)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.final, delivery.status_at) == ("delivered", True, late)
    # And over HTTP, signed: accepted (204) and still a no-op.
    assert post(client, delivery, "temporary-failure", late + dt.timedelta(seconds=1)) == 204
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


@override_settings(NOTIFY_MAX_ATTEMPTS=2)
def test_a_temporary_failure_is_retried_with_a_new_key_then_ends() -> None:
    delivery = sending_delivery()
    first_key = delivery.idempotency_key
    assert services.record_status(reference=first_key, status="temporary-failure", occurred_at=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.final, delivery.attempt) == ("temporary-failure", False, 2)
    # A late report about the superseded attempt is ignored.
    assert not services.record_status(
        reference=first_key, status="delivered", occurred_at=T0 + dt.timedelta(seconds=1)
    )
    Delivery.objects.filter(pk=delivery.pk).update(status="sending")  # the retry's send
    later = T0 + dt.timedelta(seconds=9)
    services.record_status(reference=delivery.idempotency_key, status="temporary-failure",
                           occurred_at=later)  # fmt: skip
    delivery.refresh_from_db()
    assert (delivery.status, delivery.final, delivery.attempt) == ("temporary-failure", True, 2)


def test_a_statutory_notice_falls_back_to_email_when_sms_fails_for_good() -> None:
    delivery = sending_delivery(statutory=True, email=True)
    services.record_status(reference=delivery.idempotency_key, status="permanent-failure",
                           occurred_at=T0)  # fmt: skip
    email = Delivery.objects.get(message=delivery.message, channel="email")
    assert email.fallback_from_id == delivery.pk
    assert email.status == DeliveryStatus.CREATED


def test_a_non_statutory_notice_does_not_fall_back() -> None:
    delivery = sending_delivery(email=True)
    services.record_status(reference=delivery.idempotency_key, status="permanent-failure",
                           occurred_at=T0)  # fmt: skip
    assert not Delivery.objects.filter(message=delivery.message, channel="email").exists()


def test_opening_a_statutory_notice_counts_as_delivered() -> None:
    delivery = sending_delivery(statutory=True)
    message = services.mark_read(user=delivery.message.recipient,
                                 message_id=delivery.message.public_id)  # fmt: skip
    assert message.opened_at is not None


@pytest.mark.parametrize(
    ("current", "reported", "apply"),
    [("sending", "delivered", True), ("delivered", "sending", False), ("sending", "bogus", False)],
)
def test_workflow_table(current: str, reported: str, apply: bool) -> None:
    decision = workflow.on_provider_status(
        current=current, final=current == "delivered", current_at=None, reported=reported,
        reported_at=T0, attempt=1, max_attempts=3, statutory=False,
    )  # fmt: skip
    assert decision.apply is apply


def test_backoff_doubles_and_is_capped() -> None:
    assert [workflow.backoff(n, base=2, cap=10) for n in (1, 2, 3, 4)] == [2, 4, 8, 10]


def test_the_kernel_sms_port_can_load_the_http_adapter(settings) -> None:  # type: ignore[no-untyped-def]
    from citizencloud.kernel import sms
    from citizencloud.notifications import gateways

    adapter = sms._load(gateways.HTTP_SMS_BACKEND)
    assert isinstance(adapter, gateways.HttpSms)
    assert adapter.endpoint.endswith("/v1/sms")
