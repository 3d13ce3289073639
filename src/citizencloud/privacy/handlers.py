"""Reactions to other apps' events that belong in the citizen's data-access ledger."""

from __future__ import annotations

from citizencloud.identity.models import User
from citizencloud.kernel import events
from citizencloud.privacy import services
from citizencloud.privacy.models import Channel, LegalBasis

CLAIM_FIELDS = {"name": "real_name", "phone_number": "phone", "id_number": "id_number"}


@events.subscribe("identity.claims_released")
def record_claims_release(event: events.Event) -> None:
    """A single-sign-on client received personal claims: the citizen consented; record it."""
    payload = event.payload
    citizen = User.objects.filter(public_id=payload["user_public_id"]).first()
    if citizen is None:
        return
    services.record_access(
        citizen=citizen,
        accessor=None,
        purpose=f"Single sign-on: {payload['client_name']} ({payload['client_id']})",
        legal_basis=LegalBasis.CONSENT,
        fields=[CLAIM_FIELDS[claim] for claim in payload["claims"] if claim in CLAIM_FIELDS],
        channel=Channel.API,
    )
