"""Audit details refuse personal data but accept ids, even a UUID with a phone-like digit run."""

from __future__ import annotations

import pytest

from citizencloud.kernel import audit

pytestmark = pytest.mark.django_db


def test_a_uuid_holding_eleven_digits_is_an_id_not_a_phone_number() -> None:
    entry = audit.record(
        action="test.recorded", details={"access_id": "0f1e2d3c-4b5a-4978-8a6b-a13812345678"}
    )
    assert entry.details["access_id"].endswith("13812345678")


def test_a_phone_number_is_still_refused() -> None:
    with pytest.raises(ValueError, match="personal data"):
        audit.record(action="test.recorded", details={"note": "call 13812345678"})
    with pytest.raises(ValueError, match="personal data"):
        audit.record(action="test.recorded", details={"id": "a13812345678"})
