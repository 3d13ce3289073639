"""Inbound requests from peers: verification, replay refusal, guards, services, signed answers.

A peer calls ``POST /exchange/v1/<service>`` signed like our own outbound calls
(``client.REQUEST_COMPONENTS``). Checks, in order: the signature names a key of a registered,
active peer; it verifies; ``created`` is within ±``EXCHANGE_CLOCK_SKEW_SECONDS``; ``cc-client``
is that peer; the body matches ``Content-Digest``; the purpose is one the peer is allowed; the
peer is within its rate; the message id was never seen from that peer (a unique row); every
registered guard agrees. Any refusal is logged and answered as a signed problem document.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from citizencloud.exchange import client, guards, httpsig, selectors, services
from citizencloud.exchange import errors as ex
from citizencloud.exchange.models import Direction, Peer, SeenMessage
from citizencloud.kernel import clock, ratelimit, signing
from citizencloud.kernel.errors import DomainError

__all__ = ["Service", "receive", "service", "signed_response", "verify"]

Handler = Callable[[guards.Inbound, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Service:
    name: str
    items: tuple[str, ...]
    handler: Handler


_services: dict[str, Service] = {}


def service(name: str, *, items: tuple[str, ...]) -> Callable[[Handler], Handler]:
    """Offer ``name`` to peers; ``items`` names the data items it reads or changes (guards)."""

    def decorator(fn: Handler) -> Handler:
        _services[name] = Service(name=name, items=items, handler=fn)
        return fn

    return decorator


@service("ping", items=())
def _ping(inbound: guards.Inbound, body: dict[str, Any]) -> dict[str, Any]:
    return {"pong": True, "client": settings.EXCHANGE_SELF_ID}


def verify(request: HttpRequest, body: bytes) -> tuple[Peer, httpsig.ParsedSignature]:
    """Verify an inbound request's signature, time, client and digest; return its peer."""
    try:
        parsed = httpsig.parse(
            request.headers.get("signature-input", ""), request.headers.get("signature", "")
        )
        created = parsed.created
    except httpsig.Malformed as error:
        raise ex.BadSignature(_("The request is not signed.")) from error
    peer = selectors.peer_by_key(parsed.key_id)
    if peer is None:
        raise ex.UnknownPeer(_("The request is signed by a key no registered peer holds."))
    if not set(client.REQUEST_COMPONENTS) <= set(parsed.names):
        raise ex.BadSignature(_("The signature does not cover the whole request."))
    values = {name: request.headers.get(name, "") for name in parsed.names if name[0] != "@"}
    values |= {
        "@method": request.method or "",
        "@authority": request.get_host().lower(),
        "@path": request.path,
    }
    try:
        base = httpsig.signature_base(values, parsed.names, parsed.params_text)
    except httpsig.Malformed as error:
        raise ex.BadSignature(_("The signature does not cover the whole request.")) from error
    public = base64.b64decode(peer.public_keys[parsed.key_id])
    if not signing.verify(public, parsed.signature, base):
        raise ex.BadSignature(_("The signature does not verify."))
    if abs(clock.now().timestamp() - created) > settings.EXCHANGE_CLOCK_SKEW_SECONDS:
        raise ex.ClockSkew(_("The request's time is outside the accepted window."))
    if values["cc-client"] != peer.code:
        raise ex.UnknownPeer(_("The request names another client than its key's peer."))
    if not httpsig.digest_matches(values["content-digest"], body):
        raise ex.BadDigest(_("The body does not match its digest."))
    message_id = values["cc-message-id"]
    if not message_id or len(message_id) > 64 or parsed.params.get("nonce") != message_id:
        raise ex.Malformed(_("The message id is missing or does not match the nonce."))
    if values["cc-purpose"] not in (peer.purposes or []):
        raise ex.PurposeNotAllowed(_("This purpose is not allowed for this peer."))
    return peer, parsed


def _remember(peer: Peer, message_id: str) -> None:
    try:
        with transaction.atomic():
            SeenMessage.objects.create(
                peer_code=peer.code, message_id=message_id, seen_at=clock.now()
            )
    except IntegrityError as error:
        raise ex.Replayed(_("This message id was already received.")) from error


def signed_response(status: int, data: dict[str, Any], message_id: str) -> HttpResponse:
    """A JSON answer signed over its status, digest and the message id it answers."""
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    digest = httpsig.content_digest(body)
    key = signing.current()
    params = httpsig.params_text(
        client.RESPONSE_COMPONENTS, created=int(clock.now().timestamp()), key_id=key.key_id
    )
    values = {"@status": str(status), "content-digest": digest, "cc-message-id": message_id}
    signature = key.sign(httpsig.signature_base(values, client.RESPONSE_COMPONENTS, params))
    kind = "application/json" if status < 400 else "application/problem+json"
    response = HttpResponse(body, status=status, content_type=kind)
    response["Content-Digest"] = digest
    response["CC-Message-Id"] = message_id
    response["Signature-Input"] = f"sig1={params}"
    response["Signature"] = f"sig1=:{base64.b64encode(signature).decode()}:"
    return response


def _handle(request: HttpRequest, name: str, body: bytes) -> tuple[str, dict[str, Any]]:
    found = _services.get(name)
    if found is None:
        raise ex.NoSuchService(_("No such service."))
    peer, _parsed = verify(request, body)
    ratelimit.check("exchange.in", peer.code, peer.rate)
    message_id = request.headers.get("cc-message-id", "")
    _remember(peer, message_id)
    try:
        payload = json.loads(body or b"{}")
    except ValueError as error:
        raise ex.Malformed(_("The body is not valid JSON.")) from error
    if not isinstance(payload, dict):
        raise ex.Malformed(_("The body is not a JSON object."))
    inbound = guards.Inbound(
        peer_code=peer.code,
        purpose=request.headers.get("cc-purpose", ""),
        legal_basis=request.headers.get("cc-legal-basis", ""),
        subject=request.headers.get("cc-subject", ""),
        service=found.name,
        items=found.items,
        message_id=message_id,
    )
    with transaction.atomic():  # a refusal undoes the service's writes, not the seen id
        guards.run(inbound)
        return peer.code, found.handler(inbound, payload)


def receive(request: HttpRequest, name: str) -> HttpResponse:
    """Answer one inbound request; refusals are logged (committed) and answered, never raised."""
    started = time.monotonic()
    body = request.body
    message_id = request.headers.get("cc-message-id", "")[:64]
    peer_code, status = "", 200
    try:
        peer_code, data = _handle(request, name, body)
        outcome = "ok"
    except DomainError as error:
        status, outcome = error.status, error.code
        data = {"code": error.code, "status": error.status, "detail": str(error.message)}
        if peer_code == "":
            key_peer = selectors.peer_by_key(_key_id(request))
            peer_code = key_peer.code if key_peer else ""
    services.log_message(
        direction=Direction.IN,
        message_id=message_id,
        peer_code=peer_code,
        outcome=outcome,
        purpose=request.headers.get("cc-purpose", "")[:120],
        legal_basis=request.headers.get("cc-legal-basis", "")[:32],
        path=request.path,
        request_digest=client.fingerprint(body),
        response_digest=client.fingerprint(json.dumps(data, sort_keys=True).encode()),
        status=status,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return signed_response(status, data, message_id)


def _key_id(request: HttpRequest) -> str:
    try:
        return httpsig.parse(
            request.headers.get("signature-input", ""), request.headers.get("signature", "")
        ).key_id
    except httpsig.Malformed:
        return ""
