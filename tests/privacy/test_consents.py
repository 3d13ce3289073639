"""Consent rules: no third-party action without a live consent covering party, purpose, items,
action and time; explicit grant of declared items only; one-click revoke ends the party's
tokens; someone else's consent cannot be revoked; every refusal is audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy import consents
from citizencloud.privacy.models import Consent, DataAccess, RevocationNotice
from tests.factories.applications import create_citizen, token_for
from tests.privacy.support import basic, register_bank

pytestmark = pytest.mark.django_db
KYC = ["id_number", "phone", "real_name"]


def grant(citizen, **overrides):  # type: ignore[no-untyped-def]
    args = {
        "party_code": "tianfu-bank",
        "purpose": "open_class3_account",
        "items": KYC,
        "actions": ["read", "open_account"],
        "days": 30,
    }
    args.update(overrides)
    return consents.grant(citizen=citizen, **args)


def act(sub: str, **overrides: object) -> object:
    body = {"sub": sub, "purpose": "open_class3_account", "items": KYC, "action": "open_account"}
    body.update(overrides)
    return Client().post(
        "/api/v1/partners/act", json.dumps(body), content_type="application/json", **basic()
    )


def test_the_partner_api_refuses_without_consent_with_problem_json_and_audits() -> None:
    party = register_bank()
    citizen = create_citizen()
    response = act(consents.subject_ref_for(party, citizen))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "privacy.consent_required"
    assert AuditEntry.objects.filter(action="privacy.consent_refused").count() == 1
    assert not DataAccess.objects.exists()


def test_with_consent_the_party_gets_exactly_the_items_and_the_read_is_in_the_ledger() -> None:
    party = register_bank()
    citizen = create_citizen(real_name="李四")
    consent = grant(citizen)
    response = act(consent.subject_ref)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["real_name"] == "李四"
    [access] = DataAccess.objects.filter(citizen=citizen)
    assert access.legal_basis == "consent"
    assert access.channel == "api"
    assert access.accessor_department == party.name
    assert sorted(access.fields) == KYC


@pytest.mark.parametrize(
    "change",
    [
        {"items": [*KYC, "assurance"]},  # an item the consent does not name
        {"action": "pay"},  # an action it does not allow
        {"purpose": "sign_in"},  # another purpose
    ],
)
def test_a_consent_covers_only_its_purpose_items_and_actions(change: dict[str, object]) -> None:
    register_bank()
    consent = grant(create_citizen())
    assert act(consent.subject_ref, **change).status_code == 403


def test_an_expired_or_withdrawn_consent_does_not_count() -> None:
    register_bank()
    citizen = create_citizen()
    start = clock.now()
    with clock.frozen(start) as advance:
        consent = grant(citizen, days=1)
        assert act(consent.subject_ref).status_code == 200
        advance(dt.timedelta(days=1, seconds=1))
        assert act(consent.subject_ref).status_code == 403
    second = grant(citizen)
    consents.revoke(citizen=citizen, consent_id=second.public_id)
    assert act(second.subject_ref).status_code == 403


def test_a_wrong_client_secret_is_refused_and_audited() -> None:
    register_bank()
    response = Client().post(
        "/api/v1/partners/act",
        "{}",
        content_type="application/json",
        **basic(secret="wrong"),
    )
    assert response.status_code == 401
    assert AuditEntry.objects.filter(action="privacy.partner_auth_failed").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"items": [*KYC, "assurance"]},  # declared for sign_in, not for this purpose
        {"actions": ["pay"]},
        {"items": []},
        {"days": 400},
        {"purpose": "marketing"},
    ],
)
def test_a_consent_for_undeclared_items_is_refused_and_audited(change: dict[str, object]) -> None:
    register_bank()
    citizen = create_citizen()
    with pytest.raises(DomainError) as refused:
        grant(citizen, **change)
    assert refused.value.code == "privacy.undeclared_items"
    assert not Consent.objects.exists()
    assert AuditEntry.objects.filter(action="privacy.consent_grant_refused").count() == 1


def test_grant_list_receipt_and_revoke_through_the_api() -> None:
    register_bank()
    citizen = create_citizen()
    auth = token_for(citizen)
    body = {
        "party": "tianfu-bank",
        "purpose": "open_class3_account",
        "items": KYC,
        "actions": ["read", "open_account"],
        "days": 90,
    }
    created = Client().post("/api/v1/me/consents", body, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    consent_id = created.json()["id"]
    [row] = Client().get("/api/v1/me/consents", **auth).json()
    assert row["status"] == "active"
    assert row["party"] == "tianfu-bank"
    receipt = Client().get(f"/api/v1/me/consents/{consent_id}/receipt", **auth).json()
    for field in (
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "publicKey",
        "language",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
    ):
        assert field in receipt
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["consentType"] == "EXPLICIT"
    assert purpose["thirdPartyDisclosure"] is True
    assert receipt["sensitive"] is True  # the ID number
    assert Client().delete(f"/api/v1/me/consents/{consent_id}", **auth).status_code == 204
    [row] = Client().get("/api/v1/me/consents", **auth).json()
    assert row["status"] == "revoked"
    assert row["party_confirmed"] is False
    assert RevocationNotice.objects.get().status == "pending"


def test_revoking_someone_elses_consent_is_refused_and_audited() -> None:
    register_bank()
    owner, other = create_citizen(), create_citizen()
    consent = grant(owner)
    response = Client().delete(f"/api/v1/me/consents/{consent.public_id}", **token_for(other))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    consent.refresh_from_db()
    assert consent.revoked_at is None
    entry = AuditEntry.objects.get(action="privacy.consent_revoke_refused")
    assert entry.details["reason"] == "not_owner"


def test_revoking_ends_the_partys_tokens_at_once() -> None:
    party = register_bank()
    citizen = create_citizen()
    consent = grant(citizen)
    AccessToken.objects.create(
        user=citizen,
        application=party.application,
        token="t-" + "x" * 30,
        expires=clock.now() + dt.timedelta(hours=1),
        scope="openid",
    )
    consents.revoke(citizen=citizen, consent_id=consent.public_id)
    assert not AccessToken.objects.filter(user=citizen, application=party.application).exists()
    revoked = AuditEntry.objects.get(action="privacy.consent_revoked")
    assert revoked.details["grants_ended"] == 1
