"""Field encryption, envelope keys and blind indexes (kernel.crypto, kernel.keys)."""

from __future__ import annotations

import base64
import logging
import os

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from citizencloud.kernel import config, crypto, keys
from citizencloud.kernel.crypto import EncryptedField, IntegrityFailure, blind_index
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.models import DataKey
from tests.kernel.crypto_support import Sample, _sample_schema, sample_table

__all__ = ["_sample_schema", "sample_table"]

ID_NUMBER = "51010519900101123X"
PHONE = "13812345678"
CONTEXT = ("some_table", "some_column", "0f8fad5b-d9cb-469f-a165-70867728950e")


def raw_column(row: Sample, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM crypto_tests_sample WHERE id = %s", [row.pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def write_column(row: Sample, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE crypto_tests_sample SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, row.pk],
        )


# --- the primitive ------------------------------------------------------------------------------


@pytest.mark.django_db
@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_encrypt_then_decrypt_gives_the_text_back(text: str) -> None:
    token = crypto.encrypt(text, context=CONTEXT)
    assert crypto.decrypt(token, context=CONTEXT) == text


@pytest.mark.django_db
def test_the_stored_form_names_version_algorithm_key_nonce_and_sealed_bytes() -> None:
    version, algorithm, key_id, nonce, sealed = crypto.encrypt("x", context=CONTEXT).split(":")
    assert (version, algorithm) == ("v1", "aes256gcm")
    assert DataKey.objects.filter(key_id=key_id).exists()
    assert len(base64.urlsafe_b64decode(nonce + "==")) == 12  # 96-bit nonce
    assert len(base64.urlsafe_b64decode(sealed + "==")) == 1 + 16  # ciphertext + GCM tag


@pytest.mark.django_db
def test_equal_plaintexts_give_different_ciphertexts() -> None:
    tokens = {crypto.encrypt(ID_NUMBER, context=CONTEXT) for _ in range(50)}
    assert len(tokens) == 50


@pytest.mark.django_db
@pytest.mark.parametrize("position", ["table", "column", "row"])
def test_a_ciphertext_moved_to_another_context_does_not_decrypt(position: str) -> None:
    token = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    moved = list(CONTEXT)
    moved[["table", "column", "row"].index(position)] = "elsewhere"
    with pytest.raises(IntegrityFailure):
        crypto.decrypt(token, context=tuple(moved))  # type: ignore[arg-type]


def _flip_last_bit(part: str) -> str:
    """The same base64url part with one bit of its last byte changed: always an edit (replacing
    characters could leave the text unchanged when it already ended with them)."""
    raw = bytearray(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    raw[-1] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.django_db
@pytest.mark.parametrize("part", [1, 2, 3, 4])
def test_any_edited_part_of_the_stored_form_is_rejected(part: int) -> None:
    parts = crypto.encrypt(ID_NUMBER, context=CONTEXT).split(":")
    parts[part] = {1: "sm4gcm", 2: "deadbeef", 3: "A" * 16, 4: _flip_last_bit(parts[4])}[part]
    with pytest.raises(IntegrityFailure):
        crypto.decrypt(":".join(parts), context=CONTEXT)


@pytest.mark.django_db
@hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=100))
def test_sm4_gcm_profile_round_trips(text: str) -> None:
    from django.test import override_settings

    with override_settings(CRYPTO_PROFILE="sm4-gcm"):
        token = crypto.encrypt(text, context=CONTEXT)
        assert token.split(":")[1] == "sm4gcm"
        assert crypto.decrypt(token, context=CONTEXT) == text


# --- the model field ----------------------------------------------------------------------------


@pytest.mark.django_db
@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(id_number=st.text(min_size=1, max_size=40), phone=st.none() | st.text(max_size=20))
def test_the_field_round_trips_through_the_database(
    sample_table: type[Sample], id_number: str, phone: str | None
) -> None:
    Sample.objects.all().delete()
    row = Sample.objects.create(national_id=id_number, phone=phone)
    again = Sample.objects.get(pk=row.pk)
    assert again.national_id == id_number
    assert again.phone == phone
    assert raw_column(row, "national_id").startswith("v1:aes256gcm:")


@pytest.mark.django_db
def test_reading_and_assigning_are_transparent(sample_table: type[Sample]) -> None:
    row = Sample.objects.create(national_id=ID_NUMBER, phone=PHONE)
    stored = raw_column(row, "national_id")
    assert stored.startswith("v1:aes256gcm:")
    assert ID_NUMBER not in stored
    loaded = Sample.objects.get(pk=row.pk)
    loaded.label = "renamed"
    loaded.save()
    assert raw_column(row, "national_id") == stored  # unchanged values are not re-encrypted
    loaded.phone = "13900001111"
    loaded.save()
    assert Sample.objects.get(pk=row.pk).phone == "13900001111"
    assert Sample.objects.only("id").get(pk=row.pk).national_id == ID_NUMBER  # deferred load


@pytest.mark.django_db
def test_an_encrypted_field_cannot_be_filtered_or_bulk_updated_in_clear(
    sample_table: type[Sample],
) -> None:
    Sample.objects.create(national_id=ID_NUMBER)
    with pytest.raises(FieldError):
        list(Sample.objects.filter(national_id=ID_NUMBER))
    with pytest.raises(TypeError), transaction.atomic():
        Sample.objects.update(national_id="clear text")
    row = Sample.objects.get()
    row.national_id = "another"
    with pytest.raises(TypeError), transaction.atomic():
        Sample.objects.bulk_update([row], ["national_id"])
    assert Sample.objects.filter(phone__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_tampered_value_is_a_clean_domain_error_and_a_security_event(
    sample_table: type[Sample], caplog: pytest.LogCaptureFixture
) -> None:
    row = Sample.objects.create(national_id=ID_NUMBER)
    token = raw_column(row, "national_id")
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    write_column(row, "national_id", flipped)
    caplog.set_level(logging.ERROR, logger="citizencloud.security")
    with pytest.raises(DomainError) as caught:
        _ = Sample.objects.get(pk=row.pk).national_id
    assert caught.value.code == "crypto.integrity_failed"
    assert ID_NUMBER not in str(caught.value.message)
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    assert any(
        e["event"] == "security.ciphertext_rejected" and e["reason"] == "authentication_failed"
        for e in events  # type: ignore[index]
    )


@pytest.mark.django_db
def test_a_value_swapped_between_rows_or_columns_is_rejected(sample_table: type[Sample]) -> None:
    alice = Sample.objects.create(national_id=ID_NUMBER, phone=PHONE)
    bob = Sample.objects.create(national_id="110101199003077777", phone="13700000000")
    write_column(bob, "national_id", raw_column(alice, "national_id"))
    with pytest.raises(IntegrityFailure):
        _ = Sample.objects.get(pk=bob.pk).national_id
    write_column(alice, "phone", raw_column(alice, "national_id"))
    with pytest.raises(IntegrityFailure):
        _ = Sample.objects.get(pk=alice.pk).phone


@pytest.mark.django_db
def test_a_value_whose_key_is_gone_is_rejected(sample_table: type[Sample]) -> None:
    row = Sample.objects.create(national_id=ID_NUMBER)
    DataKey.objects.all().delete()
    keys.clear_cache()
    with pytest.raises(IntegrityFailure):
        _ = Sample.objects.get(pk=row.pk).national_id


# --- blind index --------------------------------------------------------------------------------

VARIANTS = [
    "51010519900101123X",
    "51010519900101123x",
    " 510105 19900101 123x ",
    "５１０１０５１９９００１０１１２３Ｘ",  # full-width digits and letter
    "５１０１０５１９９００１０１１２３ｘ",
    "510105\u300019900101123X",  # ideographic space
]


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_blind_index_is_equal_for_normalized_variants(variant: str) -> None:
    assert blind_index(variant, kind="id_number") == blind_index(ID_NUMBER, kind="id_number")


@pytest.mark.django_db
def test_blind_index_of_phones_ignores_country_code_and_separators() -> None:
    expected = blind_index(PHONE, kind="phone")
    for variant in [
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        "１３８１２３４５６７８",
        "8613812345678",
    ]:
        assert blind_index(variant, kind="phone") == expected
    assert blind_index("13812345679", kind="phone") != expected
    assert blind_index(PHONE, kind="id_number") != expected  # kinds are domain-separated


@pytest.mark.django_db
@given(value=st.text(min_size=1, max_size=30))
@hsettings(max_examples=50, deadline=None)
def test_blind_index_is_a_keyed_hash_not_the_value(value: str) -> None:
    index = blind_index(value, kind="id_number")
    assert len(index) == 64
    assert int(index, 16) >= 0
    assert index == blind_index(crypto.normalize(value, "id_number"), kind="id_number")


@pytest.mark.django_db
def test_blind_index_field_finds_the_row_and_enforces_uniqueness(
    sample_table: type[Sample],
) -> None:
    from django.db import IntegrityError

    row = Sample.objects.create(national_id=ID_NUMBER, phone=PHONE)
    found = Sample.objects.get(national_id_index=blind_index("51010519900101123x"))
    assert found.pk == row.pk
    assert Sample.objects.get(phone_index=blind_index("+8613812345678", kind="phone")).pk == row.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.create(national_id="５１０１０５１９９００１０１１２３ｘ")


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_development_keys_are_created_once_with_mode_0600(settings: object) -> None:
    crypto.encrypt("x", context=CONTEXT)
    blind_index("x")
    keys_dir = settings.KEYS_DIR  # type: ignore[attr-defined]
    for name in ("master.key", "blind-index.key"):
        path = keys_dir / name
        assert path.exists()
        assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_production_refuses_generated_trust_keys(tmp_path: object) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        config.refuse_unsafe_production(
            environment="production",
            debug=False,
            secret_from_env=True,
            allowed_hosts=["city.example"],
            secure_cookies=True,
            keys_dir=tmp_path,  # type: ignore[arg-type]
            trust_keys_from_env={
                "MASTER_KEY": False,
                "BLIND_INDEX_KEY": True,
                "SIGNING_KEY": False,
            },
            audit_retention_days=30,
        )
    message = str(refused.value)
    assert "CITIZENCLOUD_MASTER_KEY" in message
    assert "CITIZENCLOUD_SIGNING_KEY" in message
    assert "BLIND_INDEX_KEY" not in message
    assert "AUDIT_RETENTION_DAYS" in message


def test_production_never_generates_a_key_file(settings: object) -> None:
    settings.ENVIRONMENT = "production"  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured, match="MASTER_KEY is required"):
        keys.load_secret("MASTER_KEY", "")
    with pytest.raises(ImproperlyConfigured, match="32 random bytes"):
        keys.load_secret("MASTER_KEY", "too-short")


@pytest.mark.django_db
def test_master_key_rotation_rewraps_data_keys_only(
    sample_table: type[Sample], settings: object
) -> None:
    old = base64.b64encode(os.urandom(32)).decode()
    new = base64.b64encode(os.urandom(32)).decode()
    settings.MASTER_KEY = old  # type: ignore[attr-defined]
    keys.clear_cache()
    row = Sample.objects.create(national_id=ID_NUMBER)
    stored = raw_column(row, "national_id")
    settings.MASTER_KEY, settings.MASTER_KEYS_PREVIOUS = new, [old]  # type: ignore[attr-defined]
    keys.clear_cache()
    rewrapped, _ = keys.rewrap_all()
    assert rewrapped >= 1
    settings.MASTER_KEYS_PREVIOUS = []  # type: ignore[attr-defined]
    keys.clear_cache()
    assert Sample.objects.get(pk=row.pk).national_id == ID_NUMBER
    assert raw_column(row, "national_id") == stored  # values untouched
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {
        keys.kek_id(base64.b64decode(new))
    }
    keys.clear_cache()


@pytest.mark.django_db
def test_a_missing_public_id_is_a_configuration_error() -> None:
    class NoUuid:
        _meta = Sample._meta
        public_id = None

    with pytest.raises(ImproperlyConfigured):
        Sample._meta.get_field("national_id").context(NoUuid())  # type: ignore[arg-type, attr-defined]


def test_system_checks_catch_a_model_without_public_id_or_an_indexed_field() -> None:
    from django.db import models

    class Careless(models.Model):
        secret = EncryptedField(unique=True)

        class Meta:
            app_label = "crypto_tests"

        def __str__(self) -> str:
            return "careless"

    ids = {message.id for message in Careless._meta.get_field("secret").check()}
    assert ids == {"kernel.E001", "kernel.E002"}
    assert Sample._meta.get_field("national_id").check() == []
