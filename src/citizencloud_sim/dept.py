"""Simulated department systems: seven record kinds behind one port, signed like the exchange.

Each department answers under its own prefix and signs with its own Ed25519 key (derived from
``--key-secret`` and the department's code, so a demo seeder can register the same public keys)::

    POST /<dept>/records/<kind>     {"subject": "<pseudonymous id>", "kind": "<kind>"}

Requests must carry an RFC 9421 signature by one of the platform's keys (``--platform-key``,
base64, repeatable, or fetched from ``--platform-url``/exchange/v1/keys), ``created`` within
±300 s, a matching ``Content-Digest`` and a message id never seen before; answers are signed over
``@status``, ``content-digest`` and ``cc-message-id``. Record values are deterministic from the
pseudonymous id, so tests can assert them (``records(kind, subject)``).

Switches, per department or for all (``POST /_sim/faults {"dept": "gjj", "down": true}``, or
``--slow-ms`` … on the command line): ``latency_ms`` (base latency, default 40 ± jitter),
``slow_ms`` (extra delay), ``down`` (503), ``wrong_signature`` (signed by another key),
``replay`` (answer with the previous answer, signed for another message), ``skew_seconds``
(signature time off by that much), ``tamper`` (body altered after signing), ``oversized``
(a 2 MB answer), ``malformed`` (signed, but not JSON). ``GET /_sim/stats`` counts requests;
``POST /_sim/reset`` clears faults and counters. ``POST /_sim/send`` makes the simulator call a
platform's inbound service as a peer (``{"url", "dept", "service", "purpose", "fault"}``).
"""

# ruff: noqa: E501  (record generators read best one record per line)
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import random
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DEPARTMENTS: dict[str, dict[str, Any]] = {
    "hrss": {"name": "成都市人力资源和社会保障局", "kinds": ["social_insurance"]},
    "medins": {"name": "成都市医疗保障局", "kinds": ["medical_insurance"]},
    "gjj": {"name": "成都住房公积金管理中心", "kinds": ["housing_fund"]},
    "land": {"name": "成都市不动产登记中心", "kinds": ["real_estate"]},
    "police": {"name": "成都市公安局交通管理局", "kinds": ["vehicles"]},
    "education": {"name": "成都市教育局", "kinds": ["school_places"]},
    "health": {"name": "成都市卫生健康委员会", "kinds": ["vaccinations"]},
}
REQUEST_COMPONENTS = (
    "@method", "@authority", "@path", "content-type", "content-digest",
    "cc-client", "cc-message-id", "cc-purpose", "cc-legal-basis", "cc-subject",
)  # fmt: skip
RESPONSE_COMPONENTS = ("@status", "content-digest", "cc-message-id")
SKEW = 300
MAX_BODY = 64 * 1024


# --- keys and RFC 9421 (an implementation independent of the platform's) --------------------


def dept_seed(dept: str, secret: str) -> bytes:
    return hashlib.sha256(f"citizencloud-sim dept\x00{dept}\x00{secret}".encode()).digest()


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


@dataclass(frozen=True)
class Key:
    private: Ed25519PrivateKey
    public: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> Key:
        private = Ed25519PrivateKey.from_private_bytes(seed)
        return cls(private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    @property
    def kid(self) -> str:
        return key_id(self.public)


def public_key_b64(dept: str, secret: str) -> tuple[str, str]:
    """(key id, base64 public key) of a department: what a peer registry needs."""
    key = Key.from_seed(dept_seed(dept, secret))
    return key.kid, base64.b64encode(key.public).decode()


def digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def base(values: dict[str, str], names: tuple[str, ...] | list[str], params: str) -> bytes:
    lines = [f'"{n}": {values[n]}' for n in names]
    return "\n".join([*lines, f'"@signature-params": {params}']).encode()


def sign(key: Key, values: dict[str, str], names: tuple[str, ...], *, created: int,
         nonce: str | None = None, signing_key: Key | None = None) -> dict[str, str]:  # fmt: skip
    params = "(" + " ".join(f'"{n}"' for n in names) + f');created={created};keyid="{key.kid}"'
    params += ';alg="ed25519"' + (f';nonce="{nonce}"' if nonce else "")
    signature = (signing_key or key).private.sign(base(values, names, params))
    return {
        "Signature-Input": f"sig1={params}",
        "Signature": "sig1=:" + base64.b64encode(signature).decode() + ":",
    }


_INPUT = re.compile(r'^sig1=\(([^)]*)\)((?:;[a-z]+=(?:"[^"]*"|\d+))*)$')


def parse(signature_input: str, signature: str) -> tuple[list[str], dict[str, str], str, bytes]:
    found = _INPUT.match(signature_input.strip())
    value = re.match(r"^sig1=:([A-Za-z0-9+/=]+):$", signature.strip())
    if not found or not value:
        raise ValueError("malformed signature")
    names = [n.strip('"') for n in found.group(1).split()]
    params = {k: v.strip('"') for k, v in re.findall(r';([a-z]+)=("[^"]*"|\d+)', found.group(2))}
    return names, params, signature_input.strip()[5:], base64.b64decode(value.group(1))


# --- deterministic records ----------------------------------------------------------------


def _rng(kind: str, subject: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{kind}:{subject}".encode()).hexdigest(), 16))  # noqa: S311


def _months(n: int, *, until: dt.date) -> list[str]:
    out, year, month = [], until.year, until.month
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


TODAY = dt.date(2026, 11, 1)  # the records' "current month" (fixed, so values never drift)
STREETS = ["天府大道北段", "人民南路四段", "蜀汉路", "建设路", "光华大道", "剑南大道中段", "府青路"]
DISTRICTS = ["武侯区", "锦江区", "青羊区", "金牛区", "成华区", "高新区"]


def records(kind: str, subject: str) -> dict[str, Any]:
    """The record of ``kind`` for ``subject``: always the same for the same pseudonymous id."""
    r = _rng(kind, subject)
    months = _months(6, until=TODAY)
    if kind == "social_insurance":
        wage_base = r.randrange(4000, 20000, 100) * 100
        return {
            "status": "正常参保",
            "insured_since": f"{r.randint(2005, 2020)}-{r.randint(1, 12):02d}",
            "paid_months": r.randint(36, 240),
            "pension_account_fen": r.randrange(2_000_000, 20_000_000),
            "monthly": [
                {"month": m, "base_fen": wage_base, "pension_fen": wage_base * 8 // 100,
                 "medical_fen": wage_base * 2 // 100, "unemployment_fen": wage_base * 4 // 1000}
                for m in months
            ],
        }  # fmt: skip
    if kind == "medical_insurance":
        return {
            "category": r.choice(["职工医保", "城乡居民医保"]),
            "balance_fen": r.randrange(50_000, 3_000_000),
            "reimbursements": [
                {"date": f"{m}-{r.randint(1, 28):02d}", "hospital": r.choice(
                    ["四川大学华西医院", "四川省人民医院", "成都市第三人民医院"]),
                 "total_fen": (t := r.randrange(20_000, 800_000)), "reimbursed_fen": t * 7 // 10}
                for m in months[: r.randint(1, 3)]
            ],
        }  # fmt: skip
    if kind == "housing_fund":
        deposit = r.randrange(400, 6000, 10) * 100
        loan = None
        if r.random() < 0.4:
            principal = r.randrange(300_000, 1_200_000, 1000) * 100
            loan = {"principal_fen": principal, "remaining_fen": principal * r.randint(40, 95) // 100,
                    "monthly_payment_fen": principal // 240, "ends": f"{r.randint(2035, 2050)}-06"}  # fmt: skip
        return {
            "account_number": "".join(str(r.randint(0, 9)) for _ in range(12)),
            "status": "正常缴存",
            "balance_fen": r.randrange(1_000_000, 30_000_000, 100),
            "monthly_deposit_fen": deposit,
            "bank_card": "6217" + "".join(str(r.randint(0, 9)) for _ in range(15)),
            "deposits": [{"month": m, "amount_fen": deposit} for m in months],
            "loan": loan,
        }
    if kind == "real_estate":
        count = r.choice([0, 1, 1, 1, 2])
        return {
            "properties": [
                {"certificate_no": f"川({r.randint(2010, 2025)})成都市不动产权第{r.randint(1, 999999):07d}号",
                 "address": f"成都市{r.choice(DISTRICTS)}{r.choice(STREETS)}{r.randint(1, 999)}号"
                            f"{r.randint(1, 12)}栋{r.randint(1, 4)}单元{r.randint(1, 33)}{r.randint(1, 8):02d}室",
                 "area_m2": round(r.uniform(45, 180), 2), "use": "住宅",
                 "registered": f"{r.randint(2010, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
                 "mortgaged": r.random() < 0.5}
                for _ in range(count)
            ]
        }  # fmt: skip
    if kind == "vehicles":
        return {
            "licence": {"class": r.choice(["C1", "C2", "B2"]), "status": "正常",
                        "points_deducted": r.choice([0, 0, 1, 3, 6]),
                        "valid_until": f"{r.randint(2027, 2036)}-{r.randint(1, 12):02d}-01"},
            "vehicles": [
                {"plate": f"川A·{r.choice('BCDEFGHJK')}{r.randint(1000, 9999)}",
                 "model": r.choice(["比亚迪 秦PLUS", "大众 朗逸", "丰田 卡罗拉", "吉利 帝豪"]),
                 "inspection_due": f"{r.randint(2026, 2030)}-{r.randint(1, 12):02d}"}
                for _ in range(r.choice([0, 1, 1, 2]))
            ],
            "violations": [
                {"date": f"{m}-{r.randint(1, 28):02d}", "place": f"{r.choice(STREETS)}与{r.choice(STREETS)}交叉口",
                 "act": r.choice(["违反禁止标线指示", "超速行驶（未达20%）", "不按导向车道行驶"]),
                 "points": r.choice([0, 1, 3]), "fine_fen": r.choice([5000, 10000, 20000]),
                 "handled": r.random() < 0.6}
                for m in months[: r.choice([0, 0, 1, 2])]
            ],
        }  # fmt: skip
    if kind == "school_places":
        return {
            "children": [
                {"child": f"{r.choice('张王李刘陈杨赵黄周吴')}*", "school": f"成都市{r.choice(DISTRICTS)}"
                 f"{r.choice(['实验小学', '第一小学', '外国语学校', '师范附属小学'])}",
                 "grade": r.choice(["一年级", "三年级", "五年级", "初一"]),
                 "enrolled": f"{r.randint(2019, 2025)}-09"}
                for _ in range(r.choice([0, 1, 1, 2]))
            ]
        }  # fmt: skip
    if kind == "vaccinations":
        vaccines = ["乙肝疫苗", "流感疫苗（四价）", "新冠病毒疫苗（Vero细胞）", "HPV疫苗（九价）"]
        return {
            "records": sorted([
                {"vaccine": r.choice(vaccines), "dose": r.randint(1, 3),
                 "date": f"{r.randint(2015, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
                 "site": f"{r.choice(DISTRICTS)}社区卫生服务中心"}
                for _ in range(r.randint(1, 5))
            ], key=lambda shot: str(shot["date"]), reverse=True)
        }  # fmt: skip
    raise KeyError(kind)


# --- the server ---------------------------------------------------------------------------


@dataclass
class Faults:
    latency_ms: int = 40
    slow_ms: int = 0
    down: bool = False
    wrong_signature: bool = False
    replay: bool = False
    skew_seconds: int = 0
    tamper: bool = False
    oversized: bool = False
    malformed: bool = False


@dataclass
class Departments:
    secret: str
    platform_keys: dict[str, bytes]
    platform_url: str = ""
    base_latency_ms: int = 40
    faults: dict[str, Faults] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    last_answer: dict[str, tuple[dict[str, str], bytes]] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.keys = {d: Key.from_seed(dept_seed(d, self.secret)) for d in DEPARTMENTS}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.faults = {d: Faults(latency_ms=self.base_latency_ms) for d in DEPARTMENTS}
            self.seen.clear()
            self.last_answer.clear()
            self.stats.clear()

    def count(self, name: str) -> None:
        with self.lock:
            self.stats[name] = self.stats.get(name, 0) + 1

    def platform_key(self, kid: str) -> bytes | None:
        if kid not in self.platform_keys and self.platform_url:
            try:
                with urllib.request.urlopen(self.platform_url.rstrip("/") + "/exchange/v1/keys",  # noqa: S310
                                            timeout=2) as response:  # fmt: skip
                    ring = json.loads(response.read())["keys"]
                self.platform_keys.update({k: base64.b64decode(v) for k, v in ring.items()})
            except Exception:  # noqa: BLE001, S110  (the platform is not up: unknown key)
                pass
        return self.platform_keys.get(kid)

    def remember(self, message_id: str) -> bool:
        """False when ``message_id`` was seen in the last 15 minutes (a replay)."""
        now = time.time()
        with self.lock:
            for old in [m for m, t in self.seen.items() if now - t > 900]:
                del self.seen[old]
            if message_id in self.seen:
                return False
            self.seen[message_id] = now
            return True


class DeptHandler(BaseHTTPRequestHandler):
    server: DeptServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _plain(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        sim = self.server.sim
        path = urllib.parse.urlsplit(self.path).path
        if path == "/healthz":
            self._plain(200, {"status": "ok"})
        elif path == "/_sim/stats":
            with sim.lock:
                self._plain(200, dict(sim.stats))
        elif path == "/_sim/keys":
            self._plain(200, {d: dict(zip(("kid", "public_key"), public_key_b64(d, sim.secret),
                                          strict=True)) for d in DEPARTMENTS})  # fmt: skip
        else:
            self._plain(404, {"error": "not found"})

    def do_POST(self) -> None:
        sim = self.server.sim
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._plain(413, {"error": "too large"})
            return
        raw = self.rfile.read(length)
        if path.startswith("/_sim/"):
            self._sim(path, json.loads(raw or b"{}"))
            return
        match = re.match(r"^/([a-z]+)/records/([a-z_]+)$", path)
        if not match or match.group(1) not in DEPARTMENTS:
            self._plain(404, {"error": "not found"})
            return
        dept, kind = match.groups()
        faults = sim.faults[dept]
        sim.count(f"{dept}.requests")
        jitter = random.uniform(0.7, 1.3)  # noqa: S311
        time.sleep((faults.latency_ms * jitter + faults.slow_ms) / 1000)
        if faults.down:
            sim.count(f"{dept}.down")
            self._plain(503, {"error": "down"})
            return
        message_id = self.headers.get("cc-message-id", "")
        problem = self._check(raw, kind, dept)
        if problem:
            sim.count(f"{dept}.refused")
            self._signed(dept, problem[0], {"code": problem[1]}, message_id)
            return
        subject = str(json.loads(raw).get("subject", ""))
        answer = {
            "kind": kind,
            "subject": subject,
            "department": DEPARTMENTS[dept]["name"],
            "as_of": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "data": records(kind, subject),
        }
        if faults.oversized:
            answer["padding"] = "x" * (2 * 1024 * 1024)
        sim.count(f"{dept}.answered")
        self._signed(dept, 200, answer, message_id)

    def _check(self, raw: bytes, kind: str, dept: str) -> tuple[int, str] | None:
        sim = self.server.sim
        try:
            names, params, params_raw, signature = parse(
                self.headers.get("Signature-Input", ""), self.headers.get("Signature", "")
            )
        except ValueError:
            return 401, "unsigned"
        public = sim.platform_key(params.get("keyid", ""))
        if public is None:
            return 401, "unknown_key"
        if not set(REQUEST_COMPONENTS) <= set(names):
            return 401, "incomplete_signature"
        values = {n: self.headers.get(n, "") for n in names if not n.startswith("@")}
        values.update({"@method": "POST", "@authority": (self.headers.get("Host") or "").lower(),
                       "@path": urllib.parse.urlsplit(self.path).path})  # fmt: skip
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(
                signature, base(values, names, params_raw)
            )
        except (InvalidSignature, KeyError, ValueError):
            return 401, "bad_signature"
        if abs(time.time() - int(params.get("created", "0"))) > SKEW:
            return 401, "clock_skew"
        if values["content-digest"] != digest(raw):
            return 400, "bad_digest"
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, "malformed"
        if not isinstance(body, dict):
            return 400, "malformed"
        if body.get("kind") != kind or body.get("subject") != values["cc-subject"]:
            return 400, "wrong_subject"
        if kind not in DEPARTMENTS[dept]["kinds"]:
            return 404, "no_such_kind"
        if not values["cc-message-id"] or not sim.remember(values["cc-message-id"]):
            return 409, "replayed"
        return None

    def _signed(self, dept: str, status: int, answer: dict[str, Any], message_id: str) -> None:
        sim = self.server.sim
        faults = sim.faults[dept]
        if faults.replay and dept in sim.last_answer:
            headers, body = sim.last_answer[dept]  # an earlier, genuinely signed answer
        else:
            body = (
                b"{not json"
                if faults.malformed
                else json.dumps(answer, ensure_ascii=False).encode()
            )
            headers = {"Content-Type": "application/json", "Content-Digest": digest(body),
                       "CC-Message-Id": message_id}  # fmt: skip
            values = {"@status": str(status), "content-digest": headers["Content-Digest"],
                      "cc-message-id": message_id}  # fmt: skip
            forger = Key.from_seed(hashlib.sha256(b"forger" + dept.encode()).digest())
            headers |= sign(sim.keys[dept], values, RESPONSE_COMPONENTS,
                            created=int(time.time()) + faults.skew_seconds,
                            signing_key=forger if faults.wrong_signature else None)  # fmt: skip
            if status == 200 and not faults.malformed:
                sim.last_answer[dept] = (headers, body)
            if faults.tamper:
                body = body[:-1] + b', "tampered": true}'
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _sim(self, path: str, body: dict[str, Any]) -> None:
        sim = self.server.sim
        if path == "/_sim/faults":
            targets = [body.pop("dept")] if "dept" in body else list(DEPARTMENTS)
            with sim.lock:
                for dept in targets:
                    for key, value in body.items():
                        if hasattr(sim.faults[dept], key):
                            setattr(sim.faults[dept], key, value)
            self._plain(200, {d: dataclasses.asdict(f) for d, f in sim.faults.items()})
        elif path == "/_sim/reset":
            sim.reset()
            self._plain(200, {"ok": True})
        elif path == "/_sim/send":
            self._plain(200, send_to_platform(sim, body))
        else:
            self._plain(404, {"error": "not found"})


def send_to_platform(sim: Departments, spec: dict[str, Any]) -> dict[str, Any]:
    """Act as department ``spec["dept"]`` calling the platform's inbound ``spec["service"]``.

    ``fault``: "" | "wrong_signature" | "skew" | "replay" (send the same message twice) |
    "tamper" | "unknown_key"."""
    dept, fault = str(spec.get("dept", "gjj")), str(spec.get("fault", ""))
    url = str(spec["url"]).rstrip("/") + "/exchange/v1/" + str(spec.get("service", "ping"))
    parts = urllib.parse.urlsplit(url)
    body = json.dumps(spec.get("body", {})).encode()
    message_id = str(uuid.uuid4())
    headers = {"content-type": "application/json", "content-digest": digest(body),
               "cc-client": f"dept-{dept}", "cc-message-id": message_id,
               "cc-purpose": str(spec.get("purpose", "connectivity")),
               "cc-legal-basis": "statutory_duty", "cc-subject": str(spec.get("subject", ""))}  # fmt: skip
    values = {**headers, "@method": "POST", "@authority": parts.netloc.lower(), "@path": parts.path}
    key = Key.from_seed(b"u" * 32) if fault == "unknown_key" else sim.keys[dept]
    forger = Key.from_seed(hashlib.sha256(b"forger" + dept.encode()).digest())
    headers |= sign(key, values, REQUEST_COMPONENTS, nonce=message_id,
                    created=int(time.time()) - (900 if fault == "skew" else 0),
                    signing_key=forger if fault == "wrong_signature" else None)  # fmt: skip
    if fault == "tamper":
        body = body + b" "
    answers = []
    for _ in range(2 if fault == "replay" else 1):
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                answers.append({"status": response.status, "body": json.loads(response.read())})
        except urllib.error.HTTPError as error:
            answers.append({"status": error.code, "body": json.loads(error.read() or b"{}")})
    return {"message_id": message_id, "answers": answers}


class DeptServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], sim: Departments) -> None:
        super().__init__(address, DeptHandler)
        self.sim = sim


def main(argv: list[str]) -> None:
    """``citizencloud-sim dept [--port 8040] [--platform-key B64 …] [--slow-ms 3000] …``"""
    import argparse

    from citizencloud_sim.serving import run_until_stopped

    parser = argparse.ArgumentParser(prog="citizencloud-sim dept", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8040)
    parser.add_argument("--key-secret", default="dev-dept-secret", help="derives the dept keys")
    parser.add_argument("--platform-key", action="append", default=[], help="base64 Ed25519")
    parser.add_argument("--platform-url", default="", help="fetch keys from <url>/exchange/v1/keys")
    parser.add_argument("--latency-ms", type=int, default=40)
    parser.add_argument("--slow-ms", type=int, default=0)
    parser.add_argument("--down", action="store_true")
    parser.add_argument("--wrong-signature", action="store_true")
    parser.add_argument("--replay", action="store_true")
    parser.add_argument("--dept", default="", help="apply the switches to this department only")
    args = parser.parse_args(argv)
    keys = {key_id(raw): raw for raw in (base64.b64decode(k) for k in args.platform_key)}
    sim = Departments(args.key_secret, keys, args.platform_url, base_latency_ms=args.latency_ms)
    for dept in [args.dept] if args.dept else list(DEPARTMENTS):
        faults = sim.faults[dept]
        faults.slow_ms, faults.down = args.slow_ms, args.down
        faults.wrong_signature, faults.replay = args.wrong_signature, args.replay
    server = DeptServer((args.host, args.port), sim)

    run_until_stopped(server, "dept", args.host, server.server_port)
