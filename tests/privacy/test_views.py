"""Privacy centre pages: the grant screen ticks nothing for you, the receipt page, one-click
withdrawal, and 谁查看了我的数据 with filters, CSV export and restricted entries hidden until
their "show from" date."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.test import Client

from citizencloud.identity.models import User
from citizencloud.kernel import clock
from citizencloud.privacy import services
from citizencloud.privacy.models import Consent
from tests.factories.applications import create_citizen
from tests.privacy.support import register_bank

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_grant_screen_ticks_nothing_and_granting_needs_explicit_ticks() -> None:
    register_bank("http://bank.example")
    citizen = create_citizen()
    client = signed_in(citizen)
    url = "/me/privacy/consents/grant?party=tianfu-bank&purpose=open_class3_account"
    page = client.get(url).content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*>', page)
    assert len(boxes) == 5
    assert not any("checked" in box for box in boxes)
    refused = client.post(
        "/me/privacy/consents/grant",
        {"party": "tianfu-bank", "purpose": "open_class3_account", "days": "30"},
    )
    assert refused.status_code == 422
    assert not Consent.objects.exists()
    granted = client.post(
        "/me/privacy/consents/grant",
        {
            "party": "tianfu-bank",
            "purpose": "open_class3_account",
            "days": "30",
            "items": ["real_name", "id_number", "phone"],
            "actions": ["read", "open_account"],
            "return_to": "http://bank.example/callback",
        },
    )
    consent = Consent.objects.get()
    assert granted["Location"] == f"http://bank.example/callback?consent={consent.public_id}"
    evil = client.post(
        "/me/privacy/consents/grant",
        {
            "party": "tianfu-bank",
            "purpose": "open_class3_account",
            "days": "30",
            "items": ["phone"],
            "actions": ["read"],
            "return_to": "http://evil.example/x",
        },
    )
    assert evil["Location"].startswith("/me/privacy/consents/")  # not an open redirect


def test_receipt_page_and_one_click_withdrawal_from_the_centre() -> None:
    register_bank()
    citizen = create_citizen()
    client = signed_in(citizen)
    client.post(
        "/me/privacy/consents/grant",
        {
            "party": "tianfu-bank",
            "purpose": "open_class3_account",
            "days": "30",
            "items": ["phone"],
            "actions": ["read"],
        },
    )
    consent = Consent.objects.get()
    receipt = client.get(f"/me/privacy/consents/{consent.public_id}/").content.decode()
    assert str(consent.public_id) in receipt
    assert consent.text in receipt
    as_json = client.get(f"/me/privacy/consents/{consent.public_id}/?format=json").json()
    assert as_json["consentReceiptID"] == str(consent.public_id)
    centre = client.get("/me/privacy/").content.decode()
    assert "天府示范银行" in centre
    client.post(f"/me/privacy/consents/{consent.public_id}/revoke")
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    other = signed_in(create_citizen())
    assert other.get(f"/me/privacy/consents/{consent.public_id}/").status_code == 404


def test_who_looked_at_my_data_filters_exports_and_hides_restricted_entries() -> None:
    citizen = create_citizen()
    clerk = User.objects.create_user("clerk", "pw-123456789", kind="staff", display_name="王*")
    clerk.department = "成都市住房公积金管理中心"  # type: ignore[attr-defined]
    start = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        services.record_access(
            citizen=citizen,
            accessor=clerk,
            purpose="Case review",
            legal_basis="statutory_duty",
            fields=["real_name"],
            channel="staff_console",
        )
        advance(dt.timedelta(days=10))
        services.record_access(
            citizen=citizen,
            accessor=None,
            purpose="Bank account opening",
            legal_basis="consent",
            fields=["phone"],
            channel="api",
        )
        services.record_access(
            citizen=citizen,
            accessor=clerk,
            purpose="Investigation",
            legal_basis="other_law",
            fields=["id_number"],
            channel="staff_console",
            show_from=start + dt.timedelta(days=100),
        )
        client = signed_in(citizen)
        page = client.get("/me/privacy/data-access/").content.decode()
        assert "Case review" in page
        assert "Bank account opening" in page
        assert "成都市住房公积金管理中心" in page
        assert "Investigation" not in page
        only_june_1 = client.get(
            "/me/privacy/data-access/", {"since": "2026-06-01", "until": "2026-06-01"}
        ).content.decode()
        assert "Case review" in only_june_1
        assert "Bank account opening" not in only_june_1
        by_basis = client.get("/me/privacy/data-access/", {"legal_basis": "consent"})
        assert "Case review" not in by_basis.content.decode()
        csv = client.get("/me/privacy/data-access/", {"format": "csv"})
        assert csv["Content-Type"].startswith("text/csv")
        assert "Case review" in csv.content.decode("utf-8-sig")
        assert "Investigation" not in csv.content.decode("utf-8-sig")
        advance(dt.timedelta(days=100))
        assert "Investigation" in client.get("/me/privacy/data-access/").content.decode()
        api = client.get("/api/v1/me/data-access", {"channel": "api"}).json()
        assert [row["purpose"] for row in api["items"]] == ["Bank account opening"]


def test_correct_and_erase_pages_show_sources_and_what_is_kept() -> None:
    citizen = create_citizen()
    client = signed_in(citizen)
    assert "notifications/preferences" in client.get("/me/privacy/correct/").content.decode()
    page = client.get("/me/privacy/erase/").content.decode()
    assert 'type="checkbox" name="confirm"' in page
    assert "checked" not in page
    unticked = client.post("/me/privacy/erase/", {"password": "x-long-enough-password"})
    assert unticked.status_code == 422
    wrong = client.post("/me/privacy/erase/", {"password": "nope", "confirm": "1"})
    assert wrong.status_code == 422
    citizen.refresh_from_db()
    assert citizen.is_active
    done = client.post("/me/privacy/erase/", {"password": "x-long-enough-password", "confirm": "1"})
    assert done.status_code == 200
    citizen.refresh_from_db()
    assert not citizen.is_active
    assert citizen.real_name is None
    assert client.get("/me/privacy/").status_code == 302  # signed out


def test_operators_register_a_party_with_the_command(tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    from citizencloud.privacy.demo import BANK_PURPOSES

    purposes = tmp_path / "purposes.json"
    purposes.write_text(json.dumps(BANK_PURPOSES), encoding="utf-8")
    out = StringIO()
    call_command(
        "privacy_party",
        "add",
        "--code",
        "water-co",
        "--name",
        "自来水公司",
        "--kind",
        "utility",
        "--redirect-uri",
        "https://water.example/cb",
        "--purposes",
        str(purposes),
        stdout=out,
    )
    created = json.loads(out.getvalue())
    assert created["client_secret"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"x": {"items": ["blood_type"], "actions": ["read"]}}))
    with pytest.raises(CommandError):
        call_command(
            "privacy_party",
            "add",
            "--code",
            "bad",
            "--name",
            "Bad",
            "--redirect-uri",
            "https://bad.example/cb",
            "--purposes",
            str(bad),
        )
