"""A party's acknowledgement of a revocation notice: accepted only with its registered key's
fresh signature over this very notice; anything else is refused with problem+json and audited."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy import consents, revocations
from citizencloud.privacy.models import RevocationNotice
from tests.factories.applications import create_citizen
from tests.privacy.support import b64, bank_key, register_bank, signed_ack

pytestmark = pytest.mark.django_db


def revoked_notice() -> RevocationNotice:
    register_bank()
    citizen = create_citizen()
    consent = consents.grant(
        citizen=citizen,
        party_code="tianfu-bank",
        purpose="open_class3_account",
        items=["phone"],
        actions=["read"],
        days=10,
    )
    consents.revoke(citizen=citizen, consent_id=consent.public_id)
    return RevocationNotice.objects.select_related("consent__party").get()


def post_ack(notice: RevocationNotice, header: str, body: bytes) -> object:
    return Client().post(
        f"/api/v1/partners/revocations/{notice.public_id}/ack",
        body,
        content_type="application/json",
        HTTP_PARTNER_SIGNATURE=header,
    )


def forged(notice: RevocationNotice) -> tuple[str, bytes]:
    return signed_ack(notice, seed="someone-else")


def stale(notice: RevocationNotice) -> tuple[str, bytes]:
    _header, body = signed_ack(notice)
    stamp = int(time.time()) - 3600
    sig = bank_key().sign(f"{stamp}.".encode() + body)
    return f"t={stamp},sig={b64(sig)}", body


def tampered(notice: RevocationNotice) -> tuple[str, bytes]:
    header, body = signed_ack(notice)
    return header, body.replace(b"closed", b"kept__")


@pytest.mark.parametrize("make", [forged, stale, tampered, lambda n: ("", b"{}")])
def test_bad_acknowledgements_are_refused_and_audited(make) -> None:  # type: ignore[no-untyped-def]
    notice = revoked_notice()
    header, body = make(notice)
    response = post_ack(notice, header, body)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    assert AuditEntry.objects.filter(action="privacy.revocation_ack_rejected").count() == 1
    notice.refresh_from_db()
    assert notice.status == "pending"


def test_an_acknowledgement_of_another_notice_does_not_count() -> None:
    notice = revoked_notice()
    header, body = signed_ack(notice)
    other = RevocationNotice(consent=notice.consent)  # a different notice id
    with pytest.raises(revocations.BadAcknowledgement):
        revocations.accept_ack(notice=other, header=header, body=body)


def test_a_good_acknowledgement_confirms_once() -> None:
    notice = revoked_notice()
    header, body = signed_ack(notice)
    assert post_ack(notice, header, body).json() == {"confirmed": True}  # type: ignore[attr-defined]
    assert post_ack(notice, header, body).json() == {"confirmed": False}  # type: ignore[attr-defined]
    notice.refresh_from_db()
    assert notice.status == "confirmed"
    assert notice.outcome == "closed"
    assert AuditEntry.objects.filter(action="privacy.revocation_acknowledged").count() == 1


def test_backoff_doubles_and_is_capped(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRIVACY_NOTICE_RETRY_BASE_SECONDS = 5
    settings.PRIVACY_NOTICE_RETRY_CAP_SECONDS = 60
    assert [revocations.backoff(n) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]
