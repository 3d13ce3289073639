"""Moving auto-pay consents from payments into privacy keeps every row: same public id, dates
and state, and mandates point at the moved consent."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("payments", "0001_initial"), ("privacy", "0002_consents_and_third_parties")]
AFTER = [("payments", "0004_drop_payments_consent")]


@pytest.mark.django_db(transaction=True)
def test_the_consent_rows_survive_the_move() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("identity", "User").objects.create(username="u1", password="!")
    biller = old.get_model("payments", "Biller").objects.create(
        code="water", name="水司", kind="water", api_secret="s"
    )
    account = old.get_model("payments", "BillerAccount").objects.create(
        biller=biller, account_number="1", holder=user, status="confirmed"
    )
    given = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    kept_id, withdrawn_id = uuid.uuid4(), uuid.uuid4()
    consent_model = old.get_model("payments", "Consent")
    live = consent_model.objects.create(
        public_id=kept_id,
        subject=user,
        purpose="payments.autopay",
        text_version="2026-11",
        given_at=given,
    )
    consent_model.objects.create(
        public_id=withdrawn_id,
        subject=user,
        purpose="payments.autopay",
        text_version="2026-11",
        given_at=given,
        withdrawn_at=given + dt.timedelta(days=1),
    )
    old.get_model("payments", "AutoPayMandate").objects.create(
        account=account, consent=live, limit_fen=5000
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("privacy", "Consent")
    assert moved.objects.get(public_id=kept_id).granted_at == given
    assert moved.objects.get(public_id=kept_id).revoked_at is None
    assert moved.objects.get(public_id=withdrawn_id).revoked_at == given + dt.timedelta(days=1)
    mandate = new.get_model("payments", "AutoPayMandate").objects.get()
    assert moved.objects.get(pk=mandate.consent_id).public_id == kept_id
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
