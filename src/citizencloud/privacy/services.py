"""Writes of the privacy app."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from citizencloud.kernel import audit, clock
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.logging import mask_text
from citizencloud.privacy.models import Channel, DataAccess, LegalBasis

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
