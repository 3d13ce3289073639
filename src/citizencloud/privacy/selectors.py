"""Reads of the privacy app."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from citizencloud.identity import selectors as identity
from citizencloud.kernel import clock, signing
from citizencloud.kernel.errors import NotFound
from citizencloud.privacy.items import items_for_scopes
from citizencloud.privacy.models import Consent, DataAccess, NoticeStatus
from citizencloud.privacy.schemas import ConsentOut

SHANGHAI = ZoneInfo("Asia/Shanghai")


def accesses_for(citizen: Any) -> QuerySet[DataAccess]:
    """The accesses ``citizen`` may see now (restricted ones once shown), newest first."""
    return (
        DataAccess.objects.filter(citizen=citizen)
        .filter(Q(show_from__isnull=True) | Q(show_from__lte=clock.now()))
        .order_by("-accessed_at", "-id")
    )


def access_filters(
    qs: QuerySet[DataAccess],
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    channel: str = "",
    legal_basis: str = "",
    who: str = "",
) -> QuerySet[DataAccess]:
    """Narrow the ledger by day range (Asia/Shanghai), channel, legal basis, department/system."""
    if since:
        qs = qs.filter(accessed_at__gte=_local_midnight(since))
    if until:
        qs = qs.filter(accessed_at__lt=_local_midnight(until + dt.timedelta(days=1)))
    if channel:
        qs = qs.filter(channel=channel)
    if legal_basis:
        qs = qs.filter(legal_basis=legal_basis)
    if who:
        qs = qs.filter(Q(accessor_department__icontains=who) | Q(purpose__icontains=who))
    return qs


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


def consent_status(consent: Consent, now: dt.datetime | None = None) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    if consent.expires_at is not None and consent.expires_at <= (now or clock.now()):
        return "expired"
    return "active"


def party_confirmed(consent: Consent) -> bool | None:
    notice = getattr(consent, "notice", None) if consent.revoked_at else None
    if notice is None:
        return None
    return bool(notice.status == NoticeStatus.CONFIRMED)


def consents_for(citizen: Any) -> list[ConsentOut]:
    """Every consent of ``citizen``: third parties and the platform's own purposes (all, with
    their state), and single-sign-on apps still authorised."""
    rows: list[ConsentOut] = []
    mine = (
        Consent.objects.filter(subject=citizen)
        .select_related("party", "notice", "party__application")
        .order_by("-granted_at")
    )
    for consent in mine:
        party = consent.party
        rows.append(
            ConsentOut(
                id=str(consent.public_id),
                kind="third_party" if party else "platform",
                party=party.code if party else "",
                party_name=party.name if party else "",
                client_id=str(party.application.client_id) if party and party.application else "",
                purpose=consent.purpose,
                purpose_text=str(
                    (party.purposes.get(consent.purpose) or {}).get("text", consent.purpose)
                    if party
                    else consent.purpose
                ),
                items=list(consent.items),
                actions=list(consent.actions),
                granted_at=consent.granted_at,
                expires_at=consent.expires_at,
                revoked_at=consent.revoked_at,
                status=consent_status(consent),
                party_confirmed=party_confirmed(consent),
                receipt_url=reverse("privacy:receipt", kwargs={"consent_id": consent.public_id}),
            )
        )
    for app in identity.consents(citizen):
        rows.append(
            ConsentOut(
                id=str(app.public_id),
                kind="sso",
                party=str(app.application.client_id),
                party_name=str(app.application.name),
                client_id=str(app.application.client_id),
                purpose="sign_in",
                items=items_for_scopes(list(app.scopes)),
                actions=["read"],
                scopes=list(app.scopes),
                granted_at=app.granted_at,
                status="active",
            )
        )
    return rows


def consent_of(citizen: Any, consent_id: Any) -> Consent:
    consent = (
        Consent.objects.filter(subject=citizen, public_id=consent_id)
        .select_related("party", "notice")
        .first()
    )
    if consent is None:
        raise NotFound()
    return consent


def receipt(consent: Consent) -> dict[str, Any]:
    """The consent receipt in the Kantara Initiative Consent Receipt v1.1 field set."""
    party = consent.party
    controller = {
        "piiController": settings.PRIVACY_CONTROLLER_NAME,
        "contact": settings.PRIVACY_CONTROLLER_CONTACT,
        "address": settings.PRIVACY_CONTROLLER_ADDRESS,
        "email": settings.PRIVACY_CONTROLLER_EMAIL,
        "phone": settings.PRIVACY_CONTROLLER_PHONE,
        "piiControllerUrl": settings.PRIVACY_PUBLIC_BASE_URL,
    }
    return {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "CN",
        "consentTimestamp": int(consent.granted_at.timestamp()),
        "collectionMethod": consent.collection_method,
        "consentReceiptID": str(consent.public_id),
        "publicKey": signing.current().public_key.hex(),
        "language": consent.language,
        "piiPrincipalId": consent.subject_ref or str(consent.subject.public_id),
        "piiControllers": [controller],
        "policyUrl": settings.PRIVACY_PUBLIC_BASE_URL.rstrip("/") + reverse("privacy:centre"),
        "services": [
            {
                "service": party.name if party else settings.PRIVACY_CONTROLLER_NAME,
                "purposes": [
                    {
                        "purpose": consent.purpose,
                        "purposeCategory": [consent.purpose],
                        "consentType": "EXPLICIT",
                        "piiCategory": list(consent.items),
                        "primaryPurpose": True,
                        "termination": consent.expires_at.isoformat()
                        if consent.expires_at
                        else "until withdrawn",
                        "thirdPartyDisclosure": party is not None,
                        "thirdPartyName": party.name if party else "",
                    }
                ],
            }
        ],
        "sensitive": "id_number" in consent.items,
        "spiCat": ["id_number"] if "id_number" in consent.items else [],
        # Beyond the Kantara fields: what exactly was shown and allowed, and its state now.
        "consentText": consent.text,
        "textVersion": consent.text_version,
        "actions": list(consent.actions),
        "revokedAt": consent.revoked_at.isoformat() if consent.revoked_at else None,
    }


def as_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None
