"""Third parties in the admin: registered through the service (validated, audited), the client
secret shown once and stored hashed, later edits limited and audited, never deleted."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from django.test import Client

from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy.demo import BANK_PURPOSES
from citizencloud.privacy.models import ThirdParty

pytestmark = pytest.mark.django_db

ADD = "/admin/privacy/thirdparty/add/"
KEY = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "chengdu-bank",
        "name": "成都示范银行",
        "kind": "bank",
        "webhook_url": "https://bank.example/webhooks/citizencloud",
        "ack_public_key": KEY,
        "privacy_contact": "privacy@bank.example",
        "redirect_uri": "https://bank.example/callback",
        "purposes_json": json.dumps(BANK_PURPOSES, ensure_ascii=False),
    }
    data.update(overrides)
    return data


def errors(html: bytes) -> str:
    return " ".join(re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', html.decode(), re.S))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("purposes_json", "{not json", "JSON"),
        ("purposes_json", json.dumps({"x": {"items": ["shoe_size"], "actions": []}}), "unknown"),
        ("purposes_json", "[]", "non-empty"),
        ("ack_public_key", "abc", "Ed25519"),
        ("redirect_uri", "not a uri", ""),
    ],
)
def test_invalid_registrations_are_refused_with_the_reason(
    admin_client: Client, field: str, value: str, message: str
) -> None:
    response = admin_client.post(ADD, form(**{field: value}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in errors(response.content)
    assert not ThirdParty.objects.exists()


def test_the_admin_pages_speak_chinese_by_default(admin_client: Client) -> None:
    page = admin_client.get(ADD).content.decode()
    for label in ("回调地址", "撤回通知回调地址", "回执验证公钥", "申报的用途", "隐私事务联系人"):
        assert label in page


def test_a_party_is_registered_and_its_secret_shown_once(
    admin_client: Client, admin_user: Any
) -> None:
    assert admin_client.get(ADD).status_code == 200
    response = admin_client.post(ADD, form())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    party = ThirdParty.objects.select_related("application").get()
    assert party.application is not None
    page = response.content.decode()
    assert party.application.client_id in page
    secret = re.findall(r"<dd><code>([^<]+)</code></dd>", page)[1]
    assert len(secret) >= 32
    assert party.application.client_secret != secret  # stored hashed
    assert (party.kind, party.purposes, party.ack_public_key) == ("bank", BANK_PURPOSES, KEY)
    assert party.privacy_contact == "privacy@bank.example"
    entry = AuditEntry.objects.get(action="privacy.party_registered")
    assert entry.actor_id == str(admin_user.public_id)  # the admin who registered it
    again = admin_client.get(f"/admin/privacy/thirdparty/{party.pk}/change/").content.decode()
    assert secret not in again


def test_later_edits_are_limited_audited_and_a_party_is_never_deleted(
    admin_client: Client,
) -> None:
    admin_client.post(ADD, form())
    party = ThirdParty.objects.get()
    change = f"/admin/privacy/thirdparty/{party.pk}/change/"
    edit = {
        "name": "成都示范银行（新）",
        "webhook_url": "https://bank.example/v2/webhooks",
        "ack_public_key": KEY,
        "privacy_contact": "dpo@bank.example",
        "code": "renamed",  # read-only: ignored
    }
    response = admin_client.post(change, edit)
    assert response.status_code == 302, errors(response.content)
    party.refresh_from_db()
    assert (party.name, party.code) == ("成都示范银行（新）", "chengdu-bank")
    assert party.purposes == BANK_PURPOSES
    changed = AuditEntry.objects.get(action="privacy.party_changed")
    assert changed.details["fields"] == ["name", "privacy_contact", "webhook_url"]
    bad = admin_client.post(change, {**edit, "ack_public_key": "short"})
    assert bad.status_code == 200
    assert admin_client.get(f"/admin/privacy/thirdparty/{party.pk}/delete/").status_code == 403


def test_the_service_refuses_a_bad_acknowledgement_key_for_the_command_too() -> None:
    from citizencloud.kernel.errors import DomainError
    from citizencloud.privacy import services

    with pytest.raises(DomainError) as refused:
        services.register_party(
            code="bad-key", name="x", kind="bank", purposes=BANK_PURPOSES,
            redirect_uri="https://x.example/cb", ack_public_key="not-a-key",
        )  # fmt: skip
    assert refused.value.code == "privacy.invalid_party"
    assert not ThirdParty.objects.filter(code="bad-key").exists()
    from oauth2_provider.models import get_application_model

    assert not get_application_model().objects.filter(name="x").exists()  # refused before
