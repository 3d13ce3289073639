"""A simulated partner bank that opens Class III accounts (III类账户) through citizencloud.

It is a registered third party (an OIDC client of the platform) and does what the 2021 bank did
— try to open an account for a citizen — except that now the platform refuses without consent.

* ``GET /`` — the bank's page: sign in with Citizen Cloud, open an account, the account list.
* ``GET /login`` → the platform's ``/o/authorize`` (code + PKCE S256, scope ``openid``);
  ``GET /callback`` exchanges the code (``client_secret_basic``) and keeps the pairwise ``sub``.
  Coming back from the platform's consent screen (``?consent=…``) also lands here.
* ``POST /open`` (the page's button; or JSON ``{"sub"}`` from tests) calls
  ``POST /api/v1/partners/act`` for ``open_class3_account`` and opens the account only if the
  platform answers 200; a refusal (problem+json) is kept and shown.
* ``POST /webhooks/citizencloud`` — the platform's revocation notice: its Ed25519 signature is
  checked against ``GET /api/v1/partners/signing-keys``; the account is closed and the bank
  answers 200 with a signed acknowledgement (``--ack async``: 202, then posts it to
  ``ack_url``). ``Partner-Signature: t=<unix>,sig=<base64url Ed25519("<t>." + body)>``.
* Switches (``POST /_sim/faults``): ``down`` (503 on webhooks), ``wrong_signature`` (forged
  acknowledgements), ``ack`` (``sync`` | ``async``). ``GET /_sim/state`` shows everything.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PURPOSE = "open_class3_account"
ITEMS = ["real_name", "id_number", "phone"]
PARTY = "tianfu-bank"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BankFaults:
    down: bool = False
    wrong_signature: bool = False
    ack: str = "sync"


@dataclass
class Bank:
    platform_url: str
    public_url: str
    client_id: str
    client_secret: str
    key: Ed25519PrivateKey
    faults: BankFaults
    lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    logins: dict[str, str] = field(default_factory=dict)  # state → PKCE verifier
    platform_keys: dict[str, bytes] = field(default_factory=dict)

    # --- calls to the platform ------------------------------------------------------------------
    def _basic(self) -> str:
        raw = f"{urllib.parse.quote(self.client_id)}:{urllib.parse.quote(self.client_secret)}"
        return "Basic " + base64.b64encode(raw.encode()).decode()

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 (the configured platform URL)
            self.platform_url + path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()

    def open_account(self, sub: str) -> dict[str, Any]:
        """Ask the platform for the KYC items; open the account only if it says yes."""
        body = json.dumps(
            {"sub": sub, "purpose": PURPOSE, "items": ITEMS, "action": "open_account"}
        ).encode()
        status, reply = self._post(
            "/api/v1/partners/act",
            body,
            {"Content-Type": "application/json", "Authorization": self._basic()},
        )
        data = json.loads(reply or b"{}")
        with self.lock:
            if status == 200:
                name = str(data["data"].get("real_name", ""))
                self.accounts[sub] = {
                    "sub": sub,
                    "status": "open",
                    "holder": (name[:1] + "*" * (len(name) - 1)) if name else "",
                    "consent_id": data["consent_id"],
                    "opened_at": time.time(),
                }
                outcome = {"status": "opened", "consent_id": data["consent_id"]}
            else:
                outcome = {"status": "refused", "http": status, "problem": data}
            self.attempts.append({"sub": sub, "at": time.time(), **outcome})
        return outcome

    def exchange_code(self, code: str, verifier: str) -> str:
        body = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": self.public_url + "/callback",
            }
        ).encode()
        status, reply = self._post(
            "/o/token/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": self._basic()},
        )
        if status != 200:
            raise ValueError(f"token endpoint answered {status}")
        id_token = json.loads(reply)["id_token"]
        # A simulator: the ID token came straight from the token endpoint over our own call.
        claims = json.loads(unb64(id_token.split(".")[1]))
        return str(claims["sub"])

    # --- signatures -------------------------------------------------------------------------------
    def _platform_key(self, kid: str) -> bytes | None:
        if kid not in self.platform_keys:
            url = self.platform_url + "/api/v1/partners/signing-keys"
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                for key in json.loads(response.read()):
                    self.platform_keys[key["kid"]] = unb64(key["public_key"])
        return self.platform_keys.get(kid)

    def verify_platform(self, header: str, body: bytes) -> bool:
        parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
        stamp = parts.get("t", "")
        key = self._platform_key(parts.get("kid", ""))
        if key is None or not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(
                unb64(parts.get("sig", "")), f"{stamp}.".encode() + body
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def sign(self, body: bytes) -> str:
        stamp = int(time.time())
        message = f"{stamp}.".encode() + body + (b"forged" if self.faults.wrong_signature else b"")
        return f"t={stamp},sig={b64(self.key.sign(message))}"

    def handle_notice(self, notice: dict[str, Any]) -> bytes:
        """Close the account the consent allowed; the signed acknowledgement body."""
        with self.lock:
            account = self.accounts.get(str(notice.get("sub", "")))
            if account is not None and account["status"] == "open":
                account["status"] = "closed"
                account["closed_at"] = time.time()
            self.notices.append({"at": time.time(), **notice})
        ack = {
            "notice_id": notice["notice_id"],
            "consent_id": notice["consent_id"],
            "outcome": "closed",
            "at": int(time.time()),
        }
        return json.dumps(ack, separators=(",", ":")).encode()

    def send_ack_later(self, url: str, ack: bytes) -> None:
        def run() -> None:
            time.sleep(0.3)
            request = urllib.request.Request(  # noqa: S310 (the platform's ack_url)
                url,
                data=ack,
                method="POST",
                headers={"Content-Type": "application/json", "Partner-Signature": self.sign(ack)},
            )
            # On failure the platform retries the notice; the next one is acknowledged again.
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

        threading.Thread(target=run, daemon=True).start()

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "accounts": list(self.accounts.values()),
                "attempts": list(self.attempts),
                "notices": len(self.notices),
                "faults": self.faults.__dict__,
            }


class Handler(BaseHTTPRequestHandler):
    server: BankServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def bank(self) -> Bank:
        return self.server.bank

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(
            status, json.dumps(data, ensure_ascii=False).encode(), "application/json", headers
        )

    def _redirect(self, location: str, cookie: str = "") -> None:
        headers = {"Location": location}
        if cookie:
            headers["Set-Cookie"] = cookie
        self._send(303, b"", "text/plain", headers)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _sub(self) -> str:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        return cookie["bank_sub"].value if "bank_sub" in cookie else ""

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/":
            self._send(200, self._page(query.get("msg", "")).encode(), "text/html; charset=utf-8")
        elif url.path == "/login":
            verifier = secrets.token_urlsafe(48)
            state = secrets.token_urlsafe(12)
            self.bank.logins[state] = verifier
            challenge = b64(hashlib.sha256(verifier.encode()).digest())
            params = urllib.parse.urlencode(
                {
                    "response_type": "code",
                    "client_id": self.bank.client_id,
                    "scope": "openid",
                    "redirect_uri": self.bank.public_url + "/callback",
                    "state": state,
                    "nonce": secrets.token_hex(8),
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            )
            self._redirect(f"{self.bank.platform_url}/o/authorize/?{params}")
        elif url.path == "/callback":
            if "consent" in query:
                self._redirect("/?msg=consented")
                return
            verifier = self.bank.logins.pop(query.get("state", ""), "")
            if not verifier or "code" not in query:
                self._redirect("/?msg=" + urllib.parse.quote(query.get("error", "login_failed")))
                return
            sub = self.bank.exchange_code(query["code"], verifier)
            self._redirect("/?msg=signed_in", cookie=f"bank_sub={sub}; Path=/; HttpOnly")
        elif url.path == "/_sim/state":
            self._json(200, self.bank.state())
        elif url.path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        if path == "/webhooks/citizencloud":
            self._webhook(body)
        elif path == "/open":
            sub = self._sub()
            outcome = self.bank.open_account(sub) if sub else {"status": "not_signed_in"}
            self._redirect("/?msg=" + outcome["status"])
        elif path == "/_sim/open":
            self._json(200, self.bank.open_account(json.loads(body)["sub"]))
        elif path == "/_sim/faults":
            for key, value in json.loads(body or b"{}").items():
                setattr(self.bank.faults, key, value)
            self._json(200, self.bank.faults.__dict__)
        else:
            self._json(404, {"error": "not found"})

    def _webhook(self, body: bytes) -> None:
        if self.bank.faults.down:
            self._json(503, {"error": "down"})
            return
        if not self.bank.verify_platform(self.headers.get("Citizencloud-Signature", ""), body):
            self._json(401, {"error": "bad signature"})
            return
        notice = json.loads(body)
        ack = self.bank.handle_notice(notice)
        if self.bank.faults.ack == "async":
            self.bank.send_ack_later(str(notice["ack_url"]), ack)
            self._json(202, {"status": "accepted"})
            return
        self._send(200, ack, "application/json", {"Partner-Signature": self.bank.sign(ack)})

    def _page(self, message: str) -> str:
        sub = self._sub()
        state = self.bank.state()
        grant = (
            self.bank.platform_url
            + "/me/privacy/consents/grant?"
            + urllib.parse.urlencode(
                {
                    "party": PARTY,
                    "purpose": PURPOSE,
                    "return_to": self.bank.public_url + "/callback",
                }
            )
        )
        last = state["attempts"][-1] if state["attempts"] else None
        problem = ""
        if last and last["status"] == "refused":
            detail = last["problem"].get("code", "") + " — " + last["problem"].get("detail", "")
            problem = f'<p class="refused" id="refused">平台拒绝 Refused: {html.escape(detail)}</p>'
        rows = "".join(
            f'<li class="account {a["status"]}">III类账户 · {html.escape(a["holder"])} · '
            f"{'已开立 open' if a['status'] == 'open' else '已关闭 closed'}</li>"
            for a in state["accounts"]
            if a["sub"] == sub
        )
        actions = (
            '<form method="post" action="/open"><button id="open-account" type="submit">'
            "开立III类账户 Open a Class III account</button></form>"
            f'<p><a id="give-consent" href="{html.escape(grant)}">去市民云授权 Give consent at '
            "Citizen Cloud</a></p>"
            if sub
            else '<p><a id="bank-login" href="/login">'
            "用市民云登录 Sign in with Citizen Cloud</a></p>"
        )
        return (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>天府示范银行 (simulator)</title></head><body>"
            "<h1>天府示范银行 Tianfu Demo Bank (simulator)</h1>"
            f'<p id="msg">{html.escape(message)}</p>{problem}{actions}'
            f'<ul id="accounts">{rows}</ul></body></html>'
        )


class BankServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], bank: Bank) -> None:
        super().__init__(address, Handler)
        self.bank = bank


def key_from_seed(seed_text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed_text.encode()).digest())


def main(argv: list[str]) -> None:
    import argparse

    from citizencloud_sim.serving import run_until_stopped

    parser = argparse.ArgumentParser(prog="citizencloud-sim bank", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--platform-url", default="http://127.0.0.1:8000")
    parser.add_argument("--public-url", default="", help="default http://HOST:PORT")
    parser.add_argument("--client-id", default="demo-bank")
    parser.add_argument("--client-secret", default="dev-bank-secret")
    parser.add_argument("--key-seed", default="dev-bank-key", help="derives the Ed25519 key")
    parser.add_argument("--down", action="store_true", help="answer webhooks with 503")
    parser.add_argument("--ack", choices=["sync", "async"], default="sync")
    args = parser.parse_args(argv)
    bank = Bank(
        platform_url=args.platform_url.rstrip("/"),
        public_url=(args.public_url or f"http://{args.host}:{args.port}").rstrip("/"),
        client_id=args.client_id,
        client_secret=args.client_secret,
        key=key_from_seed(args.key_seed),
        faults=BankFaults(down=args.down, ack=args.ack),
    )
    server = BankServer((args.host, args.port), bank)

    run_until_stopped(server, "bank", args.host, server.server_port)
