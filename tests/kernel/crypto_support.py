"""A model with encrypted fields for the trust-kernel tests (an app label that is not installed,
so migrations never see it; the ``sample_table`` fixture creates and empties its table)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.db import connection, models

from citizencloud.kernel import crypto
from citizencloud.kernel.crypto import BlindIndexField, EncryptedField


class Sample(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    label = models.CharField(max_length=50, blank=True)
    national_id = EncryptedField()
    national_id_index = BlindIndexField(source="national_id", kind="id_number", unique=True)
    phone = EncryptedField(null=True, blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", null=True, db_index=True)

    class Meta:
        app_label = "crypto_tests"
        db_table = "crypto_tests_sample"

    def __str__(self) -> str:
        return self.label


@pytest.fixture(scope="session")
def _sample_schema(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if Sample._meta.db_table in connection.introspection.table_names():
            return  # imported by several modules: each gets its own session fixture
        with connection.schema_editor() as editor:
            editor.create_model(Sample)


@pytest.fixture
def sample_table(
    _sample_schema: None,
    django_db_blocker: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[type[Sample]]:
    """The Sample table, empty, and registered as an encrypted model for ``keys rotate``."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        Sample.objects.all().delete()  # transactional tests leave rows: the app is not flushed
    found = crypto.encrypted_columns
    monkeypatch.setattr(
        crypto,
        "encrypted_columns",
        lambda: [
            *found(),
            (Sample, [Sample._meta.get_field("national_id"), Sample._meta.get_field("phone")]),
        ],
    )
    return Sample
