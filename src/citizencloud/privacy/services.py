"""Writes of the privacy app."""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from citizencloud.kernel import audit, clock
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.logging import mask_text
from citizencloud.privacy import items
from citizencloud.privacy.models import Channel, DataAccess, LegalBasis, ThirdParty

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


class InvalidAccessRecord(DomainError):
    code = "privacy.invalid_access_record"
    status = 400


def record_access(
    *,
    citizen: Any,
    accessor: Any,
    purpose: str,
    legal_basis: LegalBasis | str,
    fields: Sequence[str],
    channel: Channel | str,
    show_from: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> DataAccess:
    """Record that ``accessor`` (a user, an ``audit.Actor`` or None for the system) read
    ``fields`` (field names, never values) of ``citizen``; also appends ``privacy.data_accessed``
    to the audit log. ``show_from`` hides a restricted entry from the citizen until then."""
    names = [str(name) for name in fields]
    if not names or not all(_FIELD_NAME.match(name) for name in names):
        raise InvalidAccessRecord("fields must be a non-empty list of field names")
    if not purpose.strip():
        raise InvalidAccessRecord("a purpose is required")
    if mask_text(purpose) != purpose:
        raise InvalidAccessRecord("the purpose must not contain an ID or phone number")
    basis, via = LegalBasis(legal_basis), Channel(channel)
    who = audit.Actor.of(accessor)
    access = DataAccess(
        citizen=citizen,
        accessed_at=clock.now(),
        accessor_id=who.id,
        accessor_kind=who.kind,
        accessor_name=who.name[:150],
        accessor_department=who.department[:150],
        purpose=purpose.strip()[:200],
        legal_basis=basis.value,
        fields=names,
        channel=via.value,
        show_from=show_from,
    )
    entry = audit.record(
        action="privacy.data_accessed",
        actor=who,
        target=citizen,
        details={
            "access_id": str(access.public_id),
            "fields": names,
            "purpose": access.purpose,
            "legal_basis": basis.value,
            "channel": via.value,
            "restricted_until": show_from.isoformat() if show_from else None,
        },
        request=request,
    )
    access.audit_entry_id = entry.pk
    access.save()
    return access


def validate_purposes(purposes: Any) -> None:
    """What a third party declares: ``{"purpose": {"text", "items": [...], "actions": [...],
    "max_days"}}`` with items and actions the platform knows; else DomainError."""
    if not isinstance(purposes, dict) or not purposes:
        raise DomainError("purposes must be a non-empty JSON object", code="privacy.invalid_party")
    for item_set in purposes.values():
        if not isinstance(item_set, dict):
            raise DomainError("each purpose must be a JSON object", code="privacy.invalid_party")
        unknown = set(item_set.get("items", [])) - set(items.ITEMS)
        if unknown or not set(item_set.get("actions", [])) <= set(items.ACTIONS):
            raise DomainError(
                f"unknown items or actions: {sorted(unknown)}", code="privacy.invalid_party"
            )


def validate_ack_key(value: str) -> str:
    """Empty, or a base64url Ed25519 public key (32 bytes) — what verifies a party's signed
    acknowledgements; else DomainError."""
    value = value.strip()
    if not value:
        return ""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise DomainError(
            "the acknowledgement key must be 32 bytes of Ed25519 public key in base64url",
            code="privacy.invalid_party",
        )
    return value


def register_party(
    *,
    code: str,
    name: str,
    kind: str,
    purposes: dict[str, Any],
    redirect_uri: str,
    webhook_url: str = "",
    ack_public_key: str = "",
    client_id: str = "",
    client_secret: str = "",
    privacy_contact: str = "",
    actor: Any = None,
    request: Any = None,
) -> tuple[ThirdParty, str]:
    """Register (or update) a third party as a confidential OIDC client with its declared
    purposes; returns it and its client secret (shown once; empty if it already existed)."""
    from oauth2_provider.models import get_application_model

    from citizencloud.identity.models import ClientProfile

    validate_purposes(purposes)  # before anything is created
    ack_public_key = validate_ack_key(ack_public_key)
    model = get_application_model()
    party = ThirdParty.objects.filter(code=code).select_related("application").first()
    secret = ""
    if party is None or party.application is None:
        secret = client_secret or secrets.token_urlsafe(32)
        extra = {"client_id": client_id} if client_id else {}
        application = model.objects.create(
            name=name,
            redirect_uris=redirect_uri,
            client_type=model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
            algorithm=model.RS256_ALGORITHM,
            client_secret=secret,
            hash_client_secret=True,
            **extra,
        )
        ClientProfile.objects.create(application=application, owner=name)
        party = party or ThirdParty(code=code)
        party.application = application
    party.name, party.kind, party.purposes = name, kind, purposes
    party.webhook_url, party.ack_public_key = webhook_url, ack_public_key
    if privacy_contact:
        party.privacy_contact = privacy_contact
    party.save()
    audit.record(
        action="privacy.party_registered",
        target=party,
        details={"code": code},
        actor=actor,
        request=request,
    )
    return party, secret
