"""The OIDC provider in-process: discovery, code + PKCE S256, RS256 ID tokens checked against the
JWKS, pairwise subjects, consent (remembered, revocable, the ID number only when ticked), and the
abuse cases: no or plain PKCE, a foreign redirect, code replay, bad client assertions."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from jwcrypto import jwk, jwt

from citizencloud.identity.models import Consent
from tests.identity.oidc_support import (
    REDIRECT,
    authorize_params,
    consent_form,
    create_client,
    get_code,
    pkce,
    query,
)
from tests.identity.support import PASSWORD, ZHANG, bearer, register

pytestmark = pytest.mark.django_db
ISSUER = "http://testserver"


@pytest.fixture
def person() -> Client:
    register(Client())
    client = Client()
    response = client.post("/account/login/", {"login": ZHANG["phone"], "password": PASSWORD})
    assert response.status_code == 302
    return client


def basic(app_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{app_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


def exchange(code: str, verifier: str, client_id: str, secret: str, **extra: str) -> Any:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **extra,
    }
    return Client().post("/o/token/", body, **basic(client_id, secret))


def verified_claims(id_token: str, audience: str) -> dict[str, Any]:
    keys = jwk.JWKSet.from_json(Client().get("/.well-known/jwks.json").content.decode())
    token = jwt.JWT(
        jwt=id_token,
        key=keys,
        algs=["RS256"],
        check_claims={"iss": ISSUER, "aud": audience, "exp": None},
    )
    claims: dict[str, Any] = json.loads(token.claims)
    return claims


def test_discovery_names_the_endpoints_and_the_rules() -> None:
    doc = Client().get("/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == ISSUER + "/o/authorize/"
    assert doc["token_endpoint"] == ISSUER + "/o/token/"
    assert doc["jwks_uri"] == ISSUER + "/.well-known/jwks.json"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["subject_types_supported"] == ["pairwise"]
    assert "private_key_jwt" in doc["token_endpoint_auth_methods_supported"]
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    jwks = Client().get("/.well-known/jwks.json").json()
    assert jwks["keys"][0]["kid"]
    assert jwks["keys"][0]["alg"] == "RS256"


def test_code_flow_gives_a_signed_id_token_with_a_pairwise_subject(person: Client) -> None:
    app, secret = create_client()
    code, verifier, params = get_code(person, app)
    response = exchange(code, verifier, app.client_id, secret)
    assert response.status_code == 200, response.content
    tokens = response.json()
    claims = verified_claims(tokens["id_token"], app.client_id)
    assert claims["nonce"] == params["nonce"]
    assert claims["name"] == "张三"
    assert claims["assurance_level"] == 1
    assert "id_number" not in claims
    assert "phone_number" not in claims
    assert len(claims["sub"]) == 64
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer " + tokens["access_token"])
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"]
    me = Client().get("/api/v1/me", **bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["id_number"] == "5101**********1682"
    assert Client().get("/api/v1/me/sessions", **bearer(tokens["access_token"])).status_code == 401


def test_subjects_differ_across_sectors_and_match_within_one(person: Client) -> None:
    subs = []
    for name, sector in (("A", "shebao.example"), ("B", "shebao.example"), ("C", "gjj.example")):
        app, secret = create_client(name=name, sector=sector)
        code, verifier, _ = get_code(person, app)
        tokens = exchange(code, verifier, app.client_id, secret).json()
        subs.append(verified_claims(tokens["id_token"], app.client_id)["sub"])
    assert subs[0] == subs[1]
    assert subs[0] != subs[2]


def test_consent_is_remembered_and_lists_claims_in_chinese(person: Client) -> None:
    app, _ = create_client()
    _, challenge = pkce()
    page = person.get("/o/authorize/?" + urlencode(authorize_params(app, challenge)))
    assert page.status_code == 200
    html = page.content.decode()
    assert "社保局办事系统" in html
    assert "真实姓名" in html
    get_code(person, app)
    again = person.get("/o/authorize/?" + urlencode(authorize_params(app, pkce()[1])))
    assert again.status_code == 302  # remembered: no second screen
    wider = person.get(
        "/o/authorize/?" + urlencode(authorize_params(app, pkce()[1], scope="openid phone"))
    )
    assert wider.status_code == 200  # a new claim asks again


def test_the_id_number_is_released_only_when_ticked(person: Client) -> None:
    app, secret = create_client()
    code, verifier, _ = get_code(person, app, scope="openid id_number")
    claims = verified_claims(
        exchange(code, verifier, app.client_id, secret).json()["id_token"], app.client_id
    )
    assert "id_number" not in claims
    assert Consent.objects.get().scopes == ["openid"]
    code, verifier, _ = get_code(person, app, scope="openid id_number", tick_id=True)
    claims = verified_claims(
        exchange(code, verifier, app.client_id, secret).json()["id_token"], app.client_id
    )
    assert claims["id_number"] == ZHANG["id_number"]


def test_refusing_consent_sends_access_denied(person: Client) -> None:
    app, _ = create_client()
    params = authorize_params(app, pkce()[1])
    page = person.get("/o/authorize/?" + urlencode(params))
    form = consent_form(page.content.decode())
    response = person.post("/o/authorize/?" + urlencode(params), form)
    assert query(response["Location"])["error"] == "access_denied"


def test_revoking_consent_revokes_the_apps_tokens(person: Client) -> None:
    app, secret = create_client()
    code, verifier, _ = get_code(person, app)
    access = exchange(code, verifier, app.client_id, secret).json()["access_token"]
    token = (
        Client()
        .post(
            "/api/v1/session",
            {"login": ZHANG["phone"], "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    [consent] = Client().get("/api/v1/me/consents", **bearer(token)).json()
    assert consent["scopes"] == ["openid", "profile"]
    assert (
        Client().delete(f"/api/v1/me/consents/{consent['id']}", **bearer(token)).status_code == 204
    )
    assert Client().get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer " + access).status_code == 401


# --- abuse ---------------------------------------------------------------------------------


def test_missing_pkce_is_refused(person: Client) -> None:
    app, _ = create_client()
    params = authorize_params(app, "", code_challenge_method="")
    response = person.get("/o/authorize/?" + urlencode(params))
    assert response.status_code == 302
    assert query(response["Location"])["error"] == "invalid_request"


def test_plain_pkce_is_refused(person: Client) -> None:
    app, _ = create_client()
    verifier, _ = pkce()
    params = authorize_params(app, verifier, code_challenge_method="plain")
    response = person.get("/o/authorize/?" + urlencode(params))
    assert response.status_code == 302
    assert query(response["Location"])["error"] == "invalid_request"


def test_a_redirect_uri_not_registered_exactly_is_never_followed(person: Client) -> None:
    app, _ = create_client()
    for uri in (REDIRECT + "/evil", "https://evil.example/callback", REDIRECT + "?x=1"):
        params = authorize_params(app, pkce()[1], redirect_uri=uri)
        response = person.get("/o/authorize/?" + urlencode(params))
        assert response.status_code in (200, 400)
        assert "Location" not in response
        assert (
            "invalid_request" in response.content.decode()
            or "redirect" in response.content.decode().lower()
        )


def test_the_verifier_must_match(person: Client) -> None:
    app, secret = create_client()
    code, _, _ = get_code(person, app)
    response = exchange(code, pkce()[0], app.client_id, secret)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_replayed_code_is_refused_and_revokes_its_tokens(person: Client) -> None:
    app, secret = create_client()
    code, verifier, _ = get_code(person, app)
    first = exchange(code, verifier, app.client_id, secret)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert Client().get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer " + access).status_code == 200
    replay = exchange(code, verifier, app.client_id, secret)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert Client().get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer " + access).status_code == 401


def test_a_wrong_client_secret_is_refused(person: Client) -> None:
    app, _ = create_client()
    code, verifier, _ = get_code(person, app)
    response = exchange(code, verifier, app.client_id, "not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# --- private_key_jwt ------------------------------------------------------------------------


def _assertion(
    key: jwk.JWK,
    client_id: str,
    *,
    alg: str = "RS256",
    aud: str = ISSUER + "/o/token/",
    jti: str | None = None,
    exp_in: int = 60,
) -> str:
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "jti": jti or uuid.uuid4().hex,
        "exp": int(time.time()) + exp_in,
        "iat": int(time.time()),
    }
    if alg == "none":
        header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{body}."
    token = jwt.JWT(header={"alg": alg, "kid": key.key_id}, claims=claims)
    token.make_signed_token(key)
    return str(token.serialize())


def _assertion_exchange(code: str, verifier: str, assertion: str) -> Any:
    return Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )


@pytest.fixture
def jwt_client() -> tuple[Any, jwk.JWK]:
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="dept-key-1")
    app, _ = create_client(jwks={"keys": [json.loads(key.export_public())]})
    return app, key


def test_private_key_jwt_authenticates_a_client(
    person: Client, jwt_client: tuple[Any, jwk.JWK]
) -> None:
    app, key = jwt_client
    code, verifier, _ = get_code(person, app)
    response = _assertion_exchange(code, verifier, _assertion(key, app.client_id))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "bad",
    [
        {"alg": "none"},
        {"aud": "https://someone-else.example/token"},
        {"exp_in": 7200},
        {"other_key": True},
    ],
)
def test_bad_client_assertions_are_refused(
    person: Client, jwt_client: tuple[Any, jwk.JWK], bad: dict[str, Any]
) -> None:
    app, key = jwt_client
    code, verifier, _ = get_code(person, app)
    signer = (
        jwk.JWK.generate(kty="RSA", size=2048, kid="dept-key-1")
        if bad.pop("other_key", False)
        else key
    )
    response = _assertion_exchange(code, verifier, _assertion(signer, app.client_id, **bad))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_client_assertion_works_once(person: Client, jwt_client: tuple[Any, jwk.JWK]) -> None:
    app, key = jwt_client
    assertion = _assertion(key, app.client_id, jti="same-jti")
    code, verifier, _ = get_code(person, app)
    assert _assertion_exchange(code, verifier, assertion).status_code == 200
    code, verifier, _ = get_code(person, app)
    assert _assertion_exchange(code, verifier, assertion).status_code == 401


def test_releasing_the_id_number_to_an_app_is_in_the_citizens_ledger(person: Client) -> None:
    from django_tasks_db.models import DBTaskResult

    from citizencloud.identity.models import User
    from citizencloud.kernel.events import deliver
    from citizencloud.privacy.models import DataAccess

    app, secret = create_client()
    code, verifier, _ = get_code(person, app, scope="openid id_number", tick_id=True)
    exchange(code, verifier, app.client_id, secret)
    # The release is an event (a task written with the token); run its delivery as a worker would.
    (task,) = DBTaskResult.objects.filter(args_kwargs__args__1="identity.claims_released")
    deliver.call(*task.args_kwargs["args"])
    (entry,) = DataAccess.objects.filter(citizen=User.objects.get(kind="citizen"))
    assert entry.fields == ["id_number"]  # only what the scopes released
    assert entry.legal_basis == "consent"
    assert entry.channel == "api"
    assert app.client_id in entry.purpose
