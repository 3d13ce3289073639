"""Ports to the SMS and email providers, and their adapters (STYLE.md: one small interface each).

``send`` hands one message to the provider and returns the provider's id. It carries an
idempotency key: sending the same key twice returns the same id and never sends twice, so a
worker killed mid-send can simply try again. ``GatewayUnavailable`` means "try again later";
``GatewayRejected`` means "this will never work" (bad number, bounced address).

Adapters: the provider's JSON API (``citizencloud-sim sms|email`` speaks it), chosen by
``CITIZENCLOUD_SMS_BACKEND=citizencloud.notifications.gateways.SettingsHttpSms`` (the kernel
SMS port of identity loads the same path) and ``CITIZENCLOUD_EMAIL_BACKEND=http``; otherwise the
kernel SMS port's adapter and a logging email adapter, which count as delivered at once.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

import httpx
from django.conf import settings

from citizencloud.kernel import sms
from citizencloud.kernel.logging import get_logger
from citizencloud.kernel.masking import mask_phone

__all__ = [
    "EmailGateway",
    "GatewayRejected",
    "GatewayUnavailable",
    "SmsGateway",
    "email_gateway",
    "sms_gateway",
]

log = get_logger("citizencloud.notifications.gateways")


class GatewayUnavailable(Exception):
    """The provider could not take the message now (down, timeout, 5xx): retry later."""


class GatewayRejected(Exception):
    """The provider refused the message for good (4xx): do not retry."""


class SmsGateway(Protocol):
    synchronous: bool  # True when ``send`` means delivered (no callback will come)

    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        """Hand ``text`` to the provider for ``phone``; return the provider's id."""
        ...


class EmailGateway(Protocol):
    synchronous: bool

    def send(self, address: str, subject: str, text: str, *, idempotency_key: str) -> str:
        """Hand an email to the provider; return the provider's id."""
        ...


class KernelPortSms:
    """Identity's kernel SMS port (``kernel.sms``; its development adapter shows /dev/sms)."""

    synchronous = True

    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        log.info("sms.kernel_port", to=mask_phone(phone), chars=len(text), key=idempotency_key)
        return sms.send(phone, text, idempotency_key=idempotency_key)


class SettingsHttpSms:
    """The HTTP adapter built from settings, for ``CITIZENCLOUD_SMS_BACKEND=<this path>`` so that
    the kernel port (identity's phone codes) also goes through the provider."""

    def __new__(cls) -> HttpSms:  # type: ignore[misc]
        return _http_sms()


class DevelopmentEmail:
    synchronous = True

    def send(self, address: str, subject: str, text: str, *, idempotency_key: str) -> str:
        log.info("email.development", chars=len(text), key=idempotency_key)
        return f"dev-{idempotency_key}"


class _HttpProvider:
    """The provider's JSON API: POST a message with an Idempotency-Key, get ``{"id": ...}``."""

    synchronous = False

    def __init__(self, *, url: str, path: str, api_key: str, callback_url: str, timeout: float):
        self.endpoint = url.rstrip("/") + path
        self.api_key = api_key
        self.callback_url = callback_url
        # One pooled client per adapter: keep-alive, and no TLS context built per message.
        self.client = httpx.Client(timeout=timeout)

    def _post(self, body: dict[str, Any], idempotency_key: str) -> str:
        body = {**body, "reference": idempotency_key, "callback_url": self.callback_url}
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": idempotency_key}
        try:
            response = self.client.post(self.endpoint, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise GatewayRejected(f"HTTP {response.status_code}: {response.text[:120]}")
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayUnavailable("malformed provider answer") from exc


class HttpSms(_HttpProvider):
    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        return self._post({"to": phone, "text": text}, idempotency_key)


class HttpEmail(_HttpProvider):
    def send(self, address: str, subject: str, text: str, *, idempotency_key: str) -> str:
        return self._post({"to": address, "subject": subject, "text": text}, idempotency_key)


def _callback_url(channel: str) -> str:
    return (
        f"{settings.NOTIFY_CALLBACK_BASE_URL.rstrip('/')}/api/v1/notifications/callbacks/{channel}"
    )


# The value of CITIZENCLOUD_SMS_BACKEND that selects the HTTP provider, for notifications *and*
# for identity's kernel port (kernel.sms imports it by this path), so phone codes go there too.
HTTP_SMS_BACKEND = f"{__name__}.SettingsHttpSms"


def _http_sms() -> HttpSms:
    return HttpSms(
        url=settings.NOTIFY_SMS_URL, path="/v1/sms", api_key=settings.NOTIFY_GATEWAY_KEY,
        callback_url=_callback_url("sms"), timeout=settings.NOTIFY_GATEWAY_TIMEOUT,
    )  # fmt: skip


@functools.cache
def sms_gateway() -> SmsGateway:
    """The configured SMS adapter: HTTP with callbacks, or the kernel port (synchronous)."""
    if settings.NOTIFY_SMS_BACKEND == HTTP_SMS_BACKEND:
        return _http_sms()
    return KernelPortSms()


@functools.cache
def email_gateway() -> EmailGateway:
    """The configured email adapter."""
    if settings.NOTIFY_EMAIL_BACKEND == "http":
        return HttpEmail(
            url=settings.NOTIFY_EMAIL_URL, path="/v1/email", api_key=settings.NOTIFY_GATEWAY_KEY,
            callback_url=_callback_url("email"), timeout=settings.NOTIFY_GATEWAY_TIMEOUT,
        )  # fmt: skip
    return DevelopmentEmail()
