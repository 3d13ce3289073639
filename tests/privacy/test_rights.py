"""PIPL rights: export everything (JSON and a PDF summary), erase the account keeping only what
the law requires (with reasons), and afterwards neither the raw database nor the logs hold the
citizen's personal data while ``citizencloud audit verify`` still passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from citizencloud.identity.models import User, UserSession
from citizencloud.kernel import audit
from citizencloud.kernel.models import AuditEntry
from citizencloud.notifications import services as notifications
from citizencloud.notifications.models import ContactAddress, Message
from citizencloud.payments import services as payments
from citizencloud.privacy import consents, services
from citizencloud.privacy.models import Consent, DataAccess
from tests.factories.applications import create_citizen, token_for
from tests.fixtures import LogCapture
from tests.privacy.support import basic, register_bank

NAME, ID_NUMBER, PHONE = "欧阳明月", "510104199003071234", "13912345678"
EMAIL = "ouyang.mingyue@example.cn"
KYC = ["id_number", "phone", "real_name"]


def _citizen_with_history() -> User:
    register_bank()
    citizen = create_citizen(real_name=NAME, id_number=ID_NUMBER, phone=PHONE)
    consent = consents.grant(
        citizen=citizen,
        party_code="tianfu-bank",
        purpose="open_class3_account",
        items=KYC,
        actions=["read", "open_account"],
        days=30,
    )
    body = {
        "sub": consent.subject_ref,
        "purpose": "open_class3_account",
        "items": KYC,
        "action": "open_account",
    }
    read = Client().post(
        "/api/v1/partners/act", json.dumps(body), content_type="application/json", **basic()
    )
    assert read.status_code == 200
    clerk = User.objects.create_user("clerk", "pw-123456789", kind="staff", display_name="王*")
    services.record_access(
        citizen=citizen,
        accessor=clerk,
        purpose="Housing fund case review",
        legal_basis="statutory_duty",
        fields=["real_name"],
        channel="staff_console",
    )
    payments.give_autopay_consent(user=citizen)
    # A notice whose body names the person, and a contact address (notifications' part).
    template = notifications.ensure_system_template("security.password_changed")
    Message.objects.create(
        recipient=citizen,
        template=template,
        category=template.category,
        subject_zh="密码已修改",
        subject_en="Password changed",
        body_zh=f"{NAME}，您的密码已修改。",
        body_en="Your password was changed.",
        dedupe_key=f"test:{citizen.pk}",
    )
    ContactAddress.objects.create(user=citizen, channel="email", value=EMAIL)
    return citizen


@pytest.mark.django_db
def test_export_holds_everything_as_json_and_a_readable_pdf() -> None:
    citizen = _citizen_with_history()
    auth = token_for(citizen)
    response = Client().post("/api/v1/me/export", **auth)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["account"]["real_name"] == NAME
    assert data["account"]["id_number"] == ID_NUMBER
    assert {c["services"][0]["service"] for c in data["consents"]} >= {"天府示范银行"}
    assert {row["legal_basis"] for row in data["data_access"]} == {"consent", "statutory_duty"}
    assert "payments" in data
    assert "applications" in data
    assert AuditEntry.objects.filter(action="privacy.data_exported").exists()
    client = Client()
    client.force_login(citizen)
    pdf = client.post("/me/privacy/export", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_erasure_needs_the_password_and_an_explicit_confirmation() -> None:
    citizen = create_citizen()
    auth = token_for(citizen)
    url = "/api/v1/me/deletion"
    unconfirmed = Client().post(
        url,
        {"password": "x-long-enough-password", "confirm": False},
        content_type="application/json",
        **auth,
    )
    assert unconfirmed.status_code == 409
    wrong = Client().post(
        url, {"password": "wrong", "confirm": True}, content_type="application/json", **auth
    )
    assert wrong.status_code == 403
    assert wrong["Content-Type"] == "application/problem+json"
    citizen.refresh_from_db()
    assert citizen.is_active
    assert str(citizen.real_name) == "张三"
    assert AuditEntry.objects.filter(action="privacy.erasure_refused").exists()


def _raw_database() -> bytes:
    """The database as bytes: the SQLite files themselves, or every PostgreSQL row as text."""
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (introspected names)
            chunks.extend(row[0].encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


def _stored(citizen: User) -> list[bytes]:
    """What the database stores for the citizen's personal data: ciphertexts, blind indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT real_name, id_number, phone, id_number_index, phone_index "
            "FROM identity_user WHERE id = %s",
            [citizen.pk],
        )
        row = cursor.fetchone()
    return [str(value).encode() for value in row if value]


@pytest.mark.django_db(transaction=True)
def test_after_erasure_no_pii_in_the_database_or_logs_and_the_audit_chain_verifies(
    logs: LogCapture,
) -> None:
    citizen = _citizen_with_history()
    stored = _stored(citizen)
    assert len(stored) == 5
    auth = token_for(citizen)
    raw = _raw_database()
    assert all(value in raw for value in stored)  # the search does find them before

    response = Client().post(
        "/api/v1/me/deletion",
        {"password": "x-long-enough-password", "confirm": True},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    retained = {row["category"]: row for row in response.json()["retained"]}
    assert retained  # what stays, each with the law that says so
    assert all(row["reason"] for row in retained.values())

    citizen.refresh_from_db()
    assert not citizen.is_active
    assert citizen.real_name is None
    assert not UserSession.objects.filter(user=citizen).exists()
    assert not Consent.objects.filter(consents.live(), subject=citizen).exists()
    assert DataAccess.objects.filter(citizen=citizen).count() == 2  # kept: records of processing
    assert Client().get("/api/v1/me/consents", **auth).status_code == 401

    raw = _raw_database()
    needles = [NAME.encode(), ID_NUMBER.encode(), PHONE.encode(), EMAIL.encode(), *stored]
    assert [n for n in needles if n in raw] == []
    assert [n for n in needles if n in logs.text.encode()] == []

    while audit.chain_pending(force_checkpoint=True):
        pass
    call_command("audit", "verify")
    erased = AuditEntry.objects.get(action="privacy.account_erased")
    assert NAME not in json.dumps(erased.details, ensure_ascii=False)
