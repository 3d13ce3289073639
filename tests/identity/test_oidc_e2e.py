"""A real OIDC client library (Authlib) against the real server (granian + Django): discovery,
authorization code + PKCE S256 with a person signing in and consenting, the ID token's RS256
signature checked through the JWKS, userinfo; then private_key_jwt, and the abuse cases."""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, JsonWebToken, jwt
from authlib.jose.errors import JoseError
from authlib.oauth2.rfc7523 import PrivateKeyJWT

from citizencloud.identity.demo import seed
from tests.fixtures import LiveServer
from tests.identity.oidc_support import REDIRECT, create_client

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
PHONE, PASSWORD = "13800000001", "Citizen-Demo-2026"  # the demo citizen 张三 (L2)


@pytest.fixture(autouse=True)
def _real_hashes(settings: Any) -> None:
    """The server process checks passwords with the production hashers."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def browser(live_server_process: LiveServer) -> Iterator[httpx.Client]:
    """A person's browser: signed in on the live server."""
    seed()
    with httpx.Client(base_url=live_server_process.url, timeout=30) as client:
        page = client.get("/account/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf is not None
        signed_in = client.post(
            "/account/login/",
            data={"login": PHONE, "password": PASSWORD, "csrfmiddlewaretoken": csrf.group(1)},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        yield client


def consent(browser: httpx.Client, url: str, *, allow: bool = True) -> httpx.Response:
    """Open the authorization URL and answer the consent screen; the redirect comes back."""
    page = browser.get(url)
    if page.status_code != 200:
        return page
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
        )
    }
    if allow:
        fields["allow"] = "Authorize"
    return browser.post(url, data=fields)


def discovery(base: str) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(base + "/.well-known/openid-configuration").json()
    return doc


def test_authlib_runs_the_code_flow_and_validates_the_id_token(
    live_server_process: LiveServer, browser: httpx.Client
) -> None:
    base = live_server_process.url
    app, secret = create_client()
    meta = discovery(base)
    assert meta["issuer"] == base
    client = OAuth2Client(
        client_id=app.client_id,
        client_secret=secret,
        redirect_uri=REDIRECT,
        scope="openid profile phone",
        code_challenge_method="S256",
    )
    verifier, nonce = generate_token(48), generate_token(16)
    url, _state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    back = consent(browser, url)
    assert back.status_code == 302, back.text[:500]
    callback = back.headers["Location"]
    assert callback.startswith(REDIRECT)
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    jwks = JsonWebKey.import_key_set(httpx.get(meta["jwks_uri"]).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": app.client_id},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    assert claims["name"] == "张三"
    assert claims["phone_number"] == "+8613800000001"
    assert claims["assurance_level"] == 2
    with OAuth2Client(token=token) as api:
        info = api.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    with pytest.raises(JoseError):  # another app's audience
        JsonWebToken(["RS256"]).decode(
            token["id_token"], jwks, claims_options={"aud": {"essential": True, "value": "x"}}
        ).validate()
    # the code was single use: a replay is refused and revokes what it bought
    replay = httpx.post(
        meta["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": parse_qs(urlsplit(callback).query)["code"][0],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(app.client_id, secret),
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    revoked = httpx.get(
        meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert revoked.status_code == 401


def test_authlib_private_key_jwt(live_server_process: LiveServer, browser: httpx.Client) -> None:
    base = live_server_process.url
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "dept-1"})
    app, _ = create_client(jwks={"keys": [key.as_dict(is_private=False)]})
    meta = discovery(base)
    client = OAuth2Client(
        client_id=app.client_id,
        client_secret=key.as_pem(is_private=True).decode(),
        token_endpoint_auth_method=PrivateKeyJWT(meta["token_endpoint"]),
        redirect_uri=REDIRECT,
        scope="openid",
        code_challenge_method="S256",
    )
    client.register_client_auth_method(PrivateKeyJWT(meta["token_endpoint"]))
    verifier = generate_token(48)
    url, _ = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
    callback = consent(browser, url).headers["Location"]
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert token["id_token"]

    def assertion(**changes: Any) -> str:
        claims = {
            "iss": app.client_id,
            "sub": app.client_id,
            "aud": meta["token_endpoint"],
            "jti": uuid.uuid4().hex,
            "exp": int(time.time()) + 60,
        }
        claims.update(changes.pop("claims", {}))
        header = {"alg": "RS256", "kid": "dept-1", **changes}
        return jwt.encode(header, claims, key).decode()

    def none_alg() -> str:
        import base64

        enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
        claims = {
            "iss": app.client_id,
            "sub": app.client_id,
            "aud": meta["token_endpoint"],
            "jti": uuid.uuid4().hex,
            "exp": int(time.time()) + 60,
        }
        return enc({"alg": "none"}) + "." + enc(claims) + "."

    for bad in (none_alg(), assertion(claims={"aud": "https://other.example/token"})):
        verifier = generate_token(48)
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier
        )
        code = parse_qs(urlsplit(consent(browser, url).headers["Location"]).query)["code"][0]
        refused = httpx.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": bad,
            },
        )
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"] == "invalid_client"


def test_the_live_server_refuses_weak_or_foreign_requests(
    live_server_process: LiveServer, browser: httpx.Client
) -> None:
    meta = discovery(live_server_process.url)
    app, _ = create_client()
    client = OAuth2Client(client_id=app.client_id, redirect_uri=REDIRECT, scope="openid")
    no_pkce, _ = client.create_authorization_url(meta["authorization_endpoint"])
    answer = browser.get(no_pkce)
    assert answer.status_code == 302
    assert "error=invalid_request" in answer.headers["Location"]
    plain = OAuth2Client(
        client_id=app.client_id,
        redirect_uri=REDIRECT,
        scope="openid",
        code_challenge_method="plain",
    )
    url, _ = plain.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=generate_token(48)
    )
    answer = browser.get(url)
    assert answer.status_code == 302
    assert "error=invalid_request" in answer.headers["Location"]
    foreign = OAuth2Client(
        client_id=app.client_id,
        redirect_uri="https://evil.example/cb",
        scope="openid",
        code_challenge_method="S256",
    )
    url, _ = foreign.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=generate_token(48)
    )
    answer = browser.get(url)
    assert "Location" not in answer.headers
    assert answer.status_code in (200, 400)
