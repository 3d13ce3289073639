"""After a registration and a sign-in, neither the database (its raw file on SQLite, every row on
any engine) nor the logs hold the ID number or the phone number in clear text."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from tests.fixtures import LogCapture
from tests.identity.support import ZHANG, bearer, register, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SECRETS = (ZHANG["id_number"], ZHANG["phone"])


def _every_row_as_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (model table names)
            chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks)


def test_no_clear_id_number_or_phone_in_the_database_or_the_logs(logs: LogCapture) -> None:
    client = Client()
    register(client)
    token = sign_in(client, ZHANG["phone"])
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 200
    Client().post(
        "/api/v1/session",
        {"login": ZHANG["id_number"], "password": "wrong-one"},
        content_type="application/json",
    )
    rows = _every_row_as_text()
    assert "张*" in rows  # the dump did read the tables
    for secret in SECRETS:
        assert secret not in rows
        assert secret not in logs.text
    if connection.vendor == "sqlite":
        connection.close()  # checkpoint nothing away: read the file and its WAL as they are
        name = Path(str(connection.settings_dict["NAME"]))
        raw = b"".join(p.read_bytes() for p in name.parent.glob(name.name + "*"))
        assert raw, "the database file was found"
        for secret in SECRETS:
            assert secret.encode() not in raw
            assert secret.encode("utf-16-le") not in raw
