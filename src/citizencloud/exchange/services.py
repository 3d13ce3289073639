"""Writes of the exchange: the peer registry, outbound calls with their log, pseudonyms."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from citizencloud.exchange import client, selectors
from citizencloud.exchange import errors as ex
from citizencloud.exchange.models import Direction, Message, Peer
from citizencloud.kernel import audit, crypto
from citizencloud.kernel.logging import get_logger

__all__ = [
    "Request",
    "call",
    "call_many",
    "log_message",
    "prepare",
    "pseudonym",
    "record",
    "register_peer",
    "send_all",
]

log = get_logger("citizencloud.exchange")


def pseudonym(citizen: Any, peer_code: str) -> str:
    """The citizen's pseudonymous id at ``peer_code``: a keyed hash, different for each peer."""
    return crypto.blind_index(str(citizen.public_id), kind=f"exchange:{peer_code}")[:32]


def register_peer(
    *,
    code: str,
    name: str,
    endpoint: str,
    public_keys: dict[str, str],
    purposes: Sequence[str],
    department_code: str = "",
    rate: str = "600/m",
    actor: Any = None,
) -> Peer:
    """Create or update the peer ``code`` (keys by key id, base64 raw Ed25519); audited."""
    peer, created = Peer.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "endpoint": endpoint,
            "public_keys": dict(public_keys),
            "purposes": list(purposes),
            "department_code": department_code,
            "rate": rate,
            "active": True,
        },
    )
    audit.record(
        action="exchange.peer_registered" if created else "exchange.peer_updated",
        actor=actor,
        target=peer,
        details={"code": code, "key_ids": sorted(public_keys), "purposes": list(purposes)},
    )
    return peer


def log_message(
    *,
    direction: Direction | str,
    message_id: str,
    peer_code: str,
    outcome: str,
    purpose: str = "",
    legal_basis: str = "",
    method: str = "POST",
    path: str = "",
    request_digest: str = "",
    response_digest: str = "",
    status: int | None = None,
    attempts: int = 1,
    duration_ms: int = 0,
) -> Message:
    """One row of the message log and its audit entry (digests, never contents)."""
    message = Message(
        message_id=message_id[:64],
        direction=Direction(direction).value,
        peer_code=peer_code[:40],
        purpose=purpose[:120],
        legal_basis=legal_basis[:32],
        method=method[:8],
        path=path[:200],
        request_digest=request_digest,
        response_digest=response_digest,
        status=status,
        outcome=outcome[:48],
        attempts=attempts,
        duration_ms=duration_ms,
    )
    entry = audit.record(
        action="exchange.message_sent"
        if direction == Direction.OUT
        else "exchange.message_received",
        target=("exchange.message", str(message.public_id)),
        # Ids and paths may come from a peer: only their fingerprints enter the audit details
        # (which refuse anything that looks like personal data, ADR 0009).
        details={
            "message_sha256": client.fingerprint(message.message_id.encode()),
            "path_sha256": client.fingerprint(message.path.encode()),
            "peer": message.peer_code,
            "outcome": message.outcome,
            "status": status,
            "request_sha256": request_digest,
            "response_sha256": response_digest,
        },
    )
    message.audit_entry_id = entry.pk
    message.save()
    if outcome == "exchange.circuit_open":  # expected while a peer is down: no alarm per call
        log.info("exchange.skipped", peer=peer_code, code=outcome)
    elif outcome != "ok":
        log.warning("exchange.refused", direction=message.direction, peer=peer_code, code=outcome)
    return message


@dataclass(frozen=True)
class Request:
    """An outbound call to make: to ``peer_code`` at ``path`` about ``subject``."""

    peer_code: str
    path: str
    body: dict[str, Any]
    purpose: str
    legal_basis: str
    subject: str = ""
    timeout: float | None = None  # seconds; at most EXCHANGE_TIMEOUT_SECONDS


def _prepare(request: Request) -> client.Call | ex.ExchangeError:
    peer = selectors.peer(request.peer_code)
    if peer is None or not peer.endpoint:
        return ex.UnknownPeer(_("This department system is not registered."))
    if request.purpose not in (peer.purposes or []):
        return ex.PurposeNotAllowed(_("This purpose is not allowed with this department."))
    return client.Call(
        peer=selectors.peer_info(peer),
        path=request.path,
        body=request.body,
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        subject=request.subject,
        timeout=request.timeout,
    )


def prepare(requests: Sequence[Request]) -> list[client.Call | ex.ExchangeError]:
    """Look the peers up (reads only): a call to make, or why it cannot be made."""
    return [_prepare(r) for r in requests]


def send_all(prepared: Sequence[client.Call | ex.ExchangeError]) -> list[client.Result]:
    """Make the prepared calls in parallel, each within its timeout. No database access: call
    it outside any transaction, so no lock is held while departments answer."""
    calls = [p for p in prepared if isinstance(p, client.Call)]
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(calls)))) as pool:
        sent = iter(list(pool.map(client.send, calls)))
    results = []
    for item in prepared:
        if isinstance(item, client.Call):
            results.append(next(sent))
        else:
            stub = client.PeerInfo(code="", endpoint="", public_keys={}, rate="")
            call = client.Call(stub, "", {}, "", "", "")
            results.append(client.Result(call=call, error=item, attempts=0))
    return results


def record(requests: Sequence[Request], results: Sequence[client.Result]) -> None:
    """Write the message log (and its audit entries) of calls made by ``send_all``."""
    for request, result in zip(requests, results, strict=True):
        log_message(
            direction=Direction.OUT,
            message_id=result.call.message_id,
            peer_code=request.peer_code,
            outcome="ok" if result.error is None else result.error.code,
            purpose=request.purpose,
            legal_basis=request.legal_basis,
            path=request.path,
            request_digest=result.request_digest,
            response_digest=result.response_digest,
            status=result.status,
            attempts=result.attempts,
            duration_ms=result.duration_ms,
        )


def call_many(requests: Sequence[Request]) -> list[client.Result]:
    """``prepare``, ``send_all`` and ``record`` in one go; never raises for a peer's fault."""
    results = send_all(prepare(requests))
    record(requests, results)
    return results


def call(request: Request) -> client.Result:
    """One outbound call (see ``call_many``)."""
    return call_many([request])[0]
