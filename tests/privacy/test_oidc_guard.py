"""The ConsentRequired check in the OIDC path: a registered third party's sign-in that would
release personal claims is refused (OIDC ``consent_required``) unless a privacy consent names
those items; ``openid`` alone (an ID only that party sees) needs none."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from citizencloud.identity.models import User
from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy import consents, services
from citizencloud.privacy.demo import BANK_PURPOSES
from citizencloud.privacy.models import ThirdParty
from tests.identity.oidc_support import REDIRECT, authorize_params, consent_form, pkce, query
from tests.identity.test_oidc import person  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def bank() -> ThirdParty:
    party, _ = services.register_party(
        code="tianfu-bank",
        name="天府示范银行",
        kind="bank",
        purposes=BANK_PURPOSES,
        redirect_uri=REDIRECT,
        client_id="oidc-bank",
        client_secret="oidc-bank-secret",
    )
    return party


def authorize(client: Client, party: ThirdParty, scope: str) -> dict[str, str]:
    _, challenge = pkce()
    params = authorize_params(party.application, challenge, scope=scope)  # type: ignore[arg-type]
    response = client.get("/o/authorize/?" + urlencode(params))
    if response.status_code == 200:
        form = consent_form(response.content.decode())
        form["allow"] = "Authorize"
        response = client.post("/o/authorize/?" + urlencode(params), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return query(response["Location"])


def test_personal_claims_need_a_privacy_consent(person: Client) -> None:  # noqa: F811
    party = bank()
    answer = authorize(person, party, "openid profile phone")
    assert answer["error"] == "consent_required"
    assert "code" not in answer
    assert AuditEntry.objects.filter(action="privacy.consent_refused").exists()


def test_openid_alone_needs_none_and_a_consent_lets_the_claims_through(
    person: Client,  # noqa: F811
) -> None:
    party = bank()
    assert "code" in authorize(person, party, "openid")
    citizen = User.objects.get(kind="citizen")
    consents.grant(
        citizen=citizen,
        party_code=party.code,
        purpose="sign_in",
        items=["real_name", "assurance", "phone"],
        actions=["read"],
        days=30,
    )
    assert "code" in authorize(person, party, "openid profile phone")


def test_department_apps_that_are_not_third_parties_are_unaffected(
    person: Client,  # noqa: F811
) -> None:
    from tests.identity.oidc_support import create_client

    app, _ = create_client()
    _, challenge = pkce()
    params = authorize_params(app, challenge, scope="openid profile")
    response = person.get("/o/authorize/?" + urlencode(params))
    assert response.status_code == 200
    assert consent_form(response.content.decode())
