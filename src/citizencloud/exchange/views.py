"""The exchange's HTTP face for peers: inbound services and the platform's public keys."""

from __future__ import annotations

import base64

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from citizencloud.exchange import inbound
from citizencloud.kernel import signing


@csrf_exempt
@require_POST
def receive(request: HttpRequest, service: str) -> HttpResponse:
    """A signed request from a peer (machine-to-machine: no session, no CSRF)."""
    return inbound.receive(request, service)


@require_GET
def keys(request: HttpRequest) -> JsonResponse:
    """The public keys peers verify our signatures with (current first)."""
    ring = {
        kid: base64.b64encode(raw).decode() for kid, raw in signing.trusted_public_keys().items()
    }
    return JsonResponse({"client": settings.EXCHANGE_SELF_ID, "alg": "ed25519", "keys": ring})
