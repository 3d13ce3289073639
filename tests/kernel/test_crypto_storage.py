"""What reaches the disk and the logs, and key rotation while the platform keeps serving."""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection

from citizencloud.identity.models import User
from citizencloud.kernel import audit, crypto, keys
from citizencloud.kernel.logging import get_logger
from citizencloud.kernel.models import DataKey
from citizencloud.privacy import services as privacy
from tests.kernel.crypto_support import Sample, _sample_schema, sample_table

__all__ = ["_sample_schema", "sample_table"]

ID_NUMBER = "51010519900101123X"
PHONE = "13812345678"


@pytest.fixture
def captured_logs() -> object:
    """Every log record at DEBUG, rendered exactly as the production handler renders it."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(root.handlers[0].formatter)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="reads the SQLite file")
@pytest.mark.django_db(transaction=True)
def test_id_number_and_phone_never_reach_the_database_file_or_the_logs_in_clear(
    sample_table: type[Sample], captured_logs: io.StringIO
) -> None:
    row = Sample.objects.create(label="citizen", national_id=ID_NUMBER, phone=PHONE)
    citizen = User.objects.create_user("citizen-1", "pw-123456789")
    staff = User.objects.create_user("staff-1", "pw-123456789", kind="staff", display_name="王小明")
    privacy.record_access(
        citizen=citizen,
        accessor=staff,
        purpose="Verify identity at the counter",
        legal_basis="statutory_duty",
        fields=["national_id", "phone"],
        channel="counter",
    )
    audit.record(action="identity.verified", actor=staff, target=citizen, details={"row": row.pk})
    audit.chain_pending(force_checkpoint=True)
    log = get_logger("citizencloud.test")
    log.info("citizen.updated", phone=PHONE, note=f"called {PHONE} about {ID_NUMBER}")
    log.warning("lookup failed for %s", ID_NUMBER)
    assert Sample.objects.get(pk=row.pk).national_id == ID_NUMBER
    connection.close()  # let SQLite write what it holds

    database = Path(connection.settings_dict["NAME"])
    files = [database, Path(f"{database}-wal")]
    stored = b"".join(path.read_bytes() for path in files if path.exists())
    logs = captured_logs.getvalue().encode()
    assert b"citizen.updated" in logs
    assert b"citizen-1" in stored  # the search does see what was written in clear
    for secret in (ID_NUMBER, ID_NUMBER.lower(), PHONE):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in stored, f"{secret} in the database file"
            assert secret.encode(encoding) not in logs, f"{secret} in the logs"


@pytest.mark.django_db(transaction=True)
def test_rotation_re_encrypts_in_batches_while_reads_keep_succeeding(
    sample_table: type[Sample],
) -> None:
    rows = [
        Sample.objects.create(national_id=f"5101051990010{i:04d}X", phone=f"1380000{i:04d}")
        for i in range(60)
    ]
    expected = {r.pk: (r.national_id, r.phone) for r in rows}
    old_key = crypto.key_id_of(Sample.objects.values_list("national_id", flat=True)[0].token)
    stop, failures, reads = threading.Event(), [], [0]

    def reader() -> None:
        try:
            while not stop.is_set():
                for row in Sample.objects.all():
                    if (row.national_id, row.phone) != expected[row.pk]:
                        failures.append(f"row {row.pk} read wrong")
                reads[0] += 1
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            failures.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    out = io.StringIO()
    try:
        call_command("keys", "rotate", "--batch", "7", stdout=out)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert reads[0] >= 1
    new_key = keys.primary()[0]
    assert new_key != old_key
    tokens = list(Sample.objects.values_list("national_id", "phone"))
    assert {crypto.key_id_of(v.token) for pair in tokens for v in pair} == {new_key}
    assert DataKey.objects.get(key_id=old_key).state == DataKey.State.RETIRED
    assert {(r.national_id, r.phone) for r in Sample.objects.all()} == set(expected.values())
    assert "older keys retired" in out.getvalue()
    # A rerun resumes: nothing left to move, nothing changes.
    call_command("keys", "rotate", "--resume", stdout=io.StringIO())
    after = {v.token for v in Sample.objects.values_list("national_id", flat=True)}
    assert after == {v.token for v, _ in tokens}


@pytest.mark.django_db
def test_keys_list_shows_the_data_keys(sample_table: type[Sample]) -> None:
    Sample.objects.create(national_id=ID_NUMBER)
    out = io.StringIO()
    call_command("keys", "list", stdout=out)
    assert keys.primary()[0] in out.getvalue()
