"""The ``PaymentProvider`` port and its HTTP adapter (the simulator ``citizencloud-sim pay``
speaks it, modelled on Alipay / WeChat Pay page payment).

Signatures: merchant → provider requests and provider → merchant notifications carry
``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``; the cashier URL's query is
signed as ``sig = HMAC-SHA256(secret, "k1=v1&k2=v2…")`` over its sorted parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

__all__ = [
    "BadSignature",
    "HttpProvider",
    "Notice",
    "PaymentProvider",
    "ProviderUnavailable",
    "SettlementLine",
    "Trade",
    "get_provider",
]

TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """The notification's signature is missing, stale or wrong."""


class ProviderUnavailable(Exception):
    """The provider did not answer usefully; retry later."""


@dataclass(frozen=True)
class Trade:
    order_id: str
    status: str  # NOT_FOUND | WAIT_BUYER_PAY | TRADE_SUCCESS | TRADE_CLOSED
    trade_no: str = ""
    amount_fen: int = 0


@dataclass(frozen=True)
class Notice:
    notify_id: str
    order_id: str
    status: str  # WAIT_BUYER_PAY | TRADE_SUCCESS | TRADE_CLOSED
    trade_no: str
    amount_fen: int


@dataclass(frozen=True)
class SettlementLine:
    kind: str  # payment | refund
    order_id: str
    reference: str  # trade number, or our refund id
    amount_fen: int


class PaymentProvider(Protocol):
    name: str

    def cashier_url(
        self,
        *,
        order_id: str,
        amount_fen: int,
        subject: str,
        return_url: str,
        notify_url: str,
        expires_at: dt.datetime,
    ) -> str:
        """Create the order at the provider: the URL of its hosted cashier page (signed)."""

    def query(self, order_id: str) -> Trade:
        """The provider's view of the order; ``ProviderUnavailable`` if it cannot say."""

    def close(self, order_id: str) -> Trade:
        """Close an unpaid order so it can no longer be paid; returns the final trade."""

    def refund(self, *, order_id: str, refund_id: str, amount_fen: int) -> bool:
        """Refund ``amount_fen``; idempotent per ``refund_id``. True when refunded."""

    def verify_callback(self, headers: dict[str, str], body: bytes) -> Notice:
        """The verified notification; ``BadSignature`` if it is not the provider's."""

    def settlement(self, day: dt.date) -> list[SettlementLine]:
        """The provider's settlement file for ``day`` (Asia/Shanghai)."""


def sign(secret: str, body: bytes, now: int | None = None) -> str:
    stamp = int(time.time()) if now is None else now
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def check(secret: str, header: str, body: bytes) -> None:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        stamp = int(parts.get("t", ""))
    except ValueError:
        raise BadSignature("no timestamp") from None
    if abs(time.time() - stamp) > TOLERANCE_SECONDS:
        raise BadSignature("stale")
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise BadSignature("mismatch")


def sign_query(secret: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{k}={params[k]}" for k in sorted(params))
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


class HttpProvider:
    """The adapter for an Alipay-like HTTP provider (``citizencloud-sim pay`` in development)."""

    name = "sim"

    def __init__(self, base_url: str, merchant_id: str, secret: str, timeout: float) -> None:
        self.base_url, self.merchant_id = base_url.rstrip("/"), merchant_id
        self.secret, self.timeout = secret, timeout

    def cashier_url(
        self,
        *,
        order_id: str,
        amount_fen: int,
        subject: str,
        return_url: str,
        notify_url: str,
        expires_at: dt.datetime,
    ) -> str:
        params = {
            "merchant": self.merchant_id,
            "order_id": order_id,
            "amount_fen": str(amount_fen),
            "subject": subject,
            "return_url": return_url,
            "notify_url": notify_url,
            "expires": str(int(expires_at.timestamp())),
        }
        params["sig"] = sign_query(self.secret, params)
        return f"{self.base_url}/cashier?{urllib.parse.urlencode(params)}"

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"merchant": self.merchant_id, **payload}).encode()
        try:
            response = httpx.post(
                self.base_url + path,
                content=body,
                timeout=self.timeout,
                headers={
                    "Content-Type": "application/json",
                    "X-Signature": sign(self.secret, body),
                },
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ProviderUnavailable(f"refused: HTTP {response.status_code} {response.text[:200]}")
        result: dict[str, Any] = response.json()
        return result

    @staticmethod
    def _trade(data: dict[str, Any]) -> Trade:
        return Trade(
            order_id=str(data["order_id"]),
            status=str(data["status"]),
            trade_no=str(data.get("trade_no") or ""),
            amount_fen=int(data.get("amount_fen") or 0),
        )

    def query(self, order_id: str) -> Trade:
        return self._trade(self._post("/v1/trades/query", {"order_id": order_id}))

    def close(self, order_id: str) -> Trade:
        return self._trade(self._post("/v1/trades/close", {"order_id": order_id}))

    def refund(self, *, order_id: str, refund_id: str, amount_fen: int) -> bool:
        data = self._post(
            "/v1/refunds", {"order_id": order_id, "refund_id": refund_id, "amount_fen": amount_fen}
        )
        return data.get("status") == "REFUND_SUCCESS"

    def verify_callback(self, headers: dict[str, str], body: bytes) -> Notice:
        check(self.secret, headers.get("X-Signature", ""), body)
        try:
            data = json.loads(body)
            return Notice(
                notify_id=str(data["notify_id"])[:64],
                order_id=str(data["order_id"])[:64],
                status=str(data["status"])[:20],
                trade_no=str(data.get("trade_no") or "")[:64],
                amount_fen=int(data["amount_fen"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BadSignature("signed but malformed") from exc

    def settlement(self, day: dt.date) -> list[SettlementLine]:
        data = self._post("/v1/settlements", {"day": day.isoformat()})
        lines = []
        for row in data["csv"].splitlines()[1:]:
            kind, order_id, reference, amount = row.split(",")
            lines.append(SettlementLine(kind, order_id, reference, int(amount)))
        return lines


_provider: PaymentProvider | None = None


def get_provider() -> PaymentProvider:
    """The configured provider (``PAYMENTS_PROVIDER``: ``sim`` or a dotted path to a factory)."""
    global _provider
    if _provider is None:
        if settings.PAYMENTS_PROVIDER == "sim":
            _provider = HttpProvider(
                settings.PAYMENTS_PROVIDER_URL,
                settings.PAYMENTS_MERCHANT_ID,
                settings.PAYMENTS_PROVIDER_SECRET,
                settings.PAYMENTS_PROVIDER_TIMEOUT,
            )
        else:
            _provider = import_string(settings.PAYMENTS_PROVIDER)()
    return _provider


def reset_provider() -> None:
    """Forget the cached adapter (tests change the settings)."""
    global _provider
    _provider = None
