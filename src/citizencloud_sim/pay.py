"""A simulated payment provider that behaves like Alipay / WeChat Pay page payment.

API (what ``citizencloud.payments.providers.HttpProvider`` speaks):

* ``GET /cashier?merchant&order_id&amount_fen&subject&return_url&notify_url&expires&sig`` — the
  hosted cashier page (``sig`` = HMAC-SHA256 over the sorted query). Its form posts to
  ``/cashier/pay`` (pay or cancel), which redirects the browser back to ``return_url``.
* After a payment, ``POST notify_url`` ``{"notify_id", "order_id", "status", "trade_no",
  "amount_fen"}`` with ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``;
  retried (same ``notify_id``) until the merchant answers 2xx, at most 5 times.
* Signed merchant calls (same header over the JSON body): ``POST /v1/trades/query``,
  ``/v1/trades/close``, ``/v1/refunds`` (idempotent per ``refund_id``), ``/v1/settlements``
  (``{"day"}`` → ``{"csv"}``: ``kind,order_id,reference,amount_fen`` per line, Asia/Shanghai day).
* Switches (``POST /_sim/faults`` at run time too): ``late_ms`` (delay notifications),
  ``duplicate`` (each notice twice, plus once under a new id), ``out_of_order`` (a stale
  ``WAIT_BUYER_PAY`` after the final one), ``wrong_signature``, ``drop_notify`` (no notice at
  all: the merchant must query), ``down`` (503 on merchant calls). ``POST /_sim/pay``
  ``{"order_id"}`` pays an order opened at the cashier (tests, bench); ``POST /_sim/settlement``
  adds a line to the file (mismatch tests); ``GET /_sim/orders``; ``POST /_sim/reset``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import html
import json
import threading
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass
class PayFaults:
    latency_ms: int = 10
    callback_delay_ms: int = 100
    late_ms: int = 0
    duplicate: bool = False
    out_of_order: bool = False
    wrong_signature: bool = False
    drop_notify: bool = False
    down: bool = False


@dataclass
class PayProvider:
    merchant: str
    secret: str
    faults: PayFaults
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_lines: list[str] = field(default_factory=list)
    notices_sent: int = 0

    # --- signatures ---------------------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        stamp = int(time.time())
        secret = self.secret + ("-forged" if self.faults.wrong_signature else "")
        mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={stamp},v1={mac}"

    def verify(self, header: str, body: bytes) -> bool:
        parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
        stamp = parts.get("t", "0")
        mac = hmac.new(self.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 300
        return fresh and hmac.compare_digest(mac.hexdigest(), parts.get("v1", ""))

    def verify_query(self, params: dict[str, str]) -> bool:
        given = params.pop("sig", "")
        canonical = "&".join(f"{k}={params[k]}" for k in sorted(params))
        mac = hmac.new(self.secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(mac, given)

    # --- trades -------------------------------------------------------------------------------
    def open_order(self, params: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            order = self.orders.get(params["order_id"])
            if order is None:
                order = {
                    "order_id": params["order_id"],
                    "amount_fen": int(params["amount_fen"]),
                    "subject": params["subject"],
                    "return_url": params["return_url"],
                    "notify_url": params["notify_url"],
                    "expires": int(params["expires"]),
                    "status": "WAIT_BUYER_PAY",
                    "trade_no": "",
                    "paid_at": None,
                    "refunded": 0,
                }
                self.orders[params["order_id"]] = order
            return order

    def pay(self, order_id: str) -> dict[str, Any] | None:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None or order["status"] != "WAIT_BUYER_PAY":
                return order
            if time.time() > order["expires"]:
                order["status"] = "TRADE_CLOSED"
                return order
            order["status"] = "TRADE_SUCCESS"
            order["trade_no"] = time.strftime("%Y%m%d") + uuid.uuid4().hex[:16]
            order["paid_at"] = dt.datetime.now(dt.UTC)
        self.schedule_notices(order)
        return order

    def close(self, order_id: str) -> dict[str, Any]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return {"order_id": order_id, "status": "NOT_FOUND"}
            if order["status"] == "WAIT_BUYER_PAY":
                order["status"] = "TRADE_CLOSED"
            return order

    def refund(self, order_id: str, refund_id: str, amount_fen: int) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if refund_id in self.refunds:
                return 200, self.refunds[refund_id]
            order = self.orders.get(order_id)
            if order is None or order["status"] != "TRADE_SUCCESS":
                return 409, {"status": "REFUND_FAIL", "reason": "not paid"}
            if amount_fen <= 0 or order["refunded"] + amount_fen > order["amount_fen"]:
                return 409, {"status": "REFUND_FAIL", "reason": "exceeds paid amount"}
            order["refunded"] += amount_fen
            record = {
                "refund_id": refund_id,
                "order_id": order_id,
                "amount_fen": amount_fen,
                "status": "REFUND_SUCCESS",
                "at": dt.datetime.now(dt.UTC),
            }
            self.refunds[refund_id] = record
            return 200, record

    def settlement(self, day: str) -> str:
        lines = ["kind,order_id,reference,amount_fen"]
        with self.lock:
            for order in self.orders.values():
                if (
                    order["paid_at"]
                    and order["paid_at"].astimezone(LOCAL).date().isoformat() == day
                ):
                    lines.append(
                        f"payment,{order['order_id']},{order['trade_no']},{order['amount_fen']}"
                    )
            for refund in self.refunds.values():
                if refund["at"].astimezone(LOCAL).date().isoformat() == day:
                    lines.append(
                        f"refund,{refund['order_id']},{refund['refund_id']},{refund['amount_fen']}"
                    )
            lines.extend(self.extra_lines)
        return "\n".join(lines) + "\n"

    # --- notifications ------------------------------------------------------------------------
    def schedule_notices(self, order: dict[str, Any]) -> None:
        if self.faults.drop_notify:
            return
        notices = [self._notice(order, order["status"])]
        if self.faults.duplicate:
            notices += [notices[0], self._notice(order, order["status"])]
        if self.faults.out_of_order:
            notices.append(self._notice(order, "WAIT_BUYER_PAY"))
        delay = (self.faults.callback_delay_ms + self.faults.late_ms) / 1000
        thread = threading.Thread(
            target=self._deliver_all, args=(order["notify_url"], notices, delay), daemon=True
        )
        thread.start()

    @staticmethod
    def _notice(order: dict[str, Any], status: str) -> dict[str, Any]:
        return {
            "notify_id": uuid.uuid4().hex,
            "order_id": order["order_id"],
            "status": status,
            "trade_no": order["trade_no"],
            "amount_fen": order["amount_fen"],
        }

    def _deliver_all(self, url: str, notices: list[dict[str, Any]], delay: float) -> None:
        time.sleep(delay)
        for notice in notices:
            self._deliver(url, notice)

    def _deliver(self, url: str, notice: dict[str, Any]) -> None:
        body = json.dumps(notice).encode()
        for attempt in range(5):
            request = urllib.request.Request(  # noqa: S310 (the merchant's notify_url)
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "X-Signature": self.sign(body)},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    if 200 <= response.status < 300:
                        with self.lock:
                            self.notices_sent += 1
                        return
            except Exception:  # noqa: BLE001, S110  (the merchant is down or said no: retry)
                pass
            time.sleep(0.2 * 2**attempt)


def _public(order: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in order.items()}


CASHIER = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>模拟收银台 Simulated cashier</title></head><body>
<main><h1>模拟收银台 · Simulated cashier</h1>
<p>商户 Merchant: {merchant}</p><p>商品 Subject: {subject}</p>
<p>金额 Amount: <strong id="amount">¥{yuan}</strong></p><p>订单 Order: {order_id}</p>
<form method="post" action="/cashier/pay">
<input type="hidden" name="order_id" value="{order_id}">
<button type="submit" name="action" value="pay" id="pay">确认支付 Pay</button>
<button type="submit" name="action" value="cancel" id="cancel">取消 Cancel</button>
</form></main></body></html>"""


class PayHandler(BaseHTTPRequestHandler):
    server: PaySimServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self.send_response(303)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _raw(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        provider = self.server.provider
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/healthz":
            self._answer(200, {"status": "ok"})
        elif url.path == "/favicon.ico":
            self._answer(200, b"", "image/x-icon")
        elif url.path == "/_sim/orders":
            with provider.lock:
                orders = [_public(o) for o in provider.orders.values()]
            self._answer(200, {"orders": orders, "notices_sent": provider.notices_sent})
        elif url.path == "/cashier":
            self._cashier(dict(urllib.parse.parse_qsl(url.query)))
        else:
            self._answer(404, {"error": "not found"})

    def _cashier(self, params: dict[str, str]) -> None:
        provider = self.server.provider
        needed = {
            "merchant",
            "order_id",
            "amount_fen",
            "subject",
            "return_url",
            "notify_url",
            "expires",
            "sig",
        }
        if not needed <= params.keys() or not provider.verify_query(dict(params)):
            self._answer(400, "签名错误 Bad signature".encode(), "text/plain; charset=utf-8")
            return
        order = provider.open_order(params)
        if order["status"] != "WAIT_BUYER_PAY":
            self._redirect(order["return_url"])
            return
        fen = order["amount_fen"]
        page = CASHIER.format(
            merchant=html.escape(params["merchant"]),
            subject=html.escape(order["subject"]),
            yuan=f"{fen // 100}.{fen % 100:02d}",
            order_id=html.escape(order["order_id"]),
        )
        self._answer(200, page.encode(), "text/html; charset=utf-8")

    def do_POST(self) -> None:
        provider = self.server.provider
        path = urllib.parse.urlsplit(self.path).path
        raw = self._raw()
        if path == "/cashier/pay":
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            order = provider.orders.get(form.get("order_id", ""))
            if order is None:
                self._answer(404, {"error": "no such order"})
                return
            if form.get("action") == "pay":
                provider.pay(order["order_id"])
            self._redirect(order["return_url"])
            return
        if path.startswith("/_sim/"):
            self._sim(path, json.loads(raw or b"{}"))
            return
        if provider.faults.down:
            self._answer(503, {"error": "down"})
            return
        if not provider.verify(self.headers.get("X-Signature", ""), raw):
            self._answer(401, {"error": "bad signature"})
            return
        time.sleep(provider.faults.latency_ms / 1000)
        self._merchant_call(path, json.loads(raw))

    def _merchant_call(self, path: str, body: dict[str, Any]) -> None:
        provider = self.server.provider
        if path == "/v1/trades/query":
            order = provider.orders.get(str(body.get("order_id")))
            self._answer(
                200,
                _public(order)
                if order
                else {"order_id": body.get("order_id"), "status": "NOT_FOUND"},
            )
        elif path == "/v1/trades/close":
            self._answer(200, _public(provider.close(str(body.get("order_id")))))
        elif path == "/v1/refunds":
            status, record = provider.refund(
                str(body["order_id"]), str(body["refund_id"]), int(body["amount_fen"])
            )
            self._answer(status, _public(record))
        elif path == "/v1/settlements":
            self._answer(200, {"csv": provider.settlement(str(body["day"]))})
        else:
            self._answer(404, {"error": "not found"})

    def _sim(self, path: str, body: dict[str, Any]) -> None:
        provider = self.server.provider
        if path == "/_sim/faults":
            for key, value in body.items():
                if hasattr(provider.faults, key):
                    setattr(provider.faults, key, value)
            self._answer(200, dataclasses.asdict(provider.faults))
        elif path == "/_sim/pay":
            order = provider.pay(str(body.get("order_id")))
            self._answer(200 if order else 404, _public(order) if order else {})
        elif path == "/_sim/settlement":
            with provider.lock:
                provider.extra_lines.append(str(body["line"]))
            self._answer(200, {"ok": True})
        elif path == "/_sim/reset":
            with provider.lock:
                provider.orders.clear()
                provider.refunds.clear()
                provider.extra_lines.clear()
            self._answer(200, {"ok": True})
        else:
            self._answer(404, {"error": "not found"})


class PaySimServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], provider: PayProvider) -> None:
        super().__init__(address, PayHandler)
        self.provider = provider


def serve(*, host: str, port: int, merchant: str, secret: str, faults: PayFaults) -> PaySimServer:
    return PaySimServer((host, port), PayProvider(merchant=merchant, secret=secret, faults=faults))


def main(argv: list[str]) -> None:
    """``citizencloud-sim pay [--port 8030] [--secret …] [--duplicate] …``"""
    import argparse

    from citizencloud_sim.serving import run_until_stopped

    parser = argparse.ArgumentParser(prog="citizencloud-sim pay", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8030)
    parser.add_argument("--merchant", default="citizencloud")
    parser.add_argument("--secret", default="dev-pay-secret")
    parser.add_argument("--latency-ms", type=int, default=10)
    parser.add_argument("--callback-delay-ms", type=int, default=100)
    parser.add_argument("--late-ms", type=int, default=0, help="extra delay of notifications")
    parser.add_argument("--duplicate", action="store_true", help="send each notice again")
    parser.add_argument("--out-of-order", action="store_true", help="stale notice after final")
    parser.add_argument("--wrong-signature", action="store_true")
    parser.add_argument("--drop-notify", action="store_true", help="never notify: query instead")
    parser.add_argument("--down", action="store_true", help="503 on every merchant call")
    args = parser.parse_args(argv)
    faults = PayFaults(
        latency_ms=args.latency_ms,
        callback_delay_ms=args.callback_delay_ms,
        late_ms=args.late_ms,
        duplicate=args.duplicate,
        out_of_order=args.out_of_order,
        wrong_signature=args.wrong_signature,
        drop_notify=args.drop_notify,
        down=args.down,
    )
    server = serve(
        host=args.host, port=args.port, merchant=args.merchant, secret=args.secret, faults=faults
    )

    run_until_stopped(server, "pay", args.host, server.server_port)
