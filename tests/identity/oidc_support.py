"""Helpers for OIDC tests: register clients, run the authorization step as a signed-in person."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client
from oauth2_provider.models import Application

from citizencloud.identity.models import ClientProfile

REDIRECT = "https://dept.example.cn/callback"


def create_client(
    *,
    name: str = "社保局办事系统",
    redirect: str = REDIRECT,
    sector: str = "",
    jwks: dict[str, Any] | None = None,
) -> tuple[Application, str]:
    secret = secrets.token_urlsafe(24)
    app = Application.objects.create(
        name=name,
        redirect_uris=redirect,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        client_secret=secret,
    )
    ClientProfile.objects.create(application=app, sector_identifier=sector, jwks=jwks or {})
    return app, secret


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(app: Application, challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "s-" + secrets.token_hex(4),
        "nonce": "n-" + secrets.token_hex(4),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}


def consent_form(page: str) -> dict[str, str]:
    """The hidden fields of the consent form (what a browser would post back)."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in found}


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def get_code(
    client: Client, app: Application, *, scope: str = "openid profile", tick_id: bool = False
) -> tuple[str, str, dict[str, str]]:
    """Run the authorization step (consenting if asked); returns (code, verifier, params)."""
    verifier, challenge = pkce()
    params = authorize_params(app, challenge, scope=scope)
    response = client.get("/o/authorize/?" + urlencode(params))
    if response.status_code == 200:
        form = consent_form(response.content.decode())
        form["allow"] = "Authorize"
        if tick_id:
            form["share_id_number"] = "1"
        response = client.post("/o/authorize/?" + urlencode(params), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    answer = query(response["Location"])
    assert answer["state"] == params["state"], answer
    return answer["code"], verifier, params
