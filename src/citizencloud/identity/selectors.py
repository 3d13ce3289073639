"""Every read of the identity app; a person sees only their own account, sessions and businesses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from oauth2_provider.models import AccessToken

from citizencloud.identity import policies
from citizencloud.identity.models import (
    Activity,
    AgentGrant,
    Business,
    Consent,
    RecoveryCode,
    TotpDevice,
    User,
    UserSession,
)
from citizencloud.identity.services.sessions import is_live
from citizencloud.kernel import clock
from citizencloud.kernel.masking import mask_id_number, mask_name, mask_phone


@dataclass(frozen=True)
class Profile:
    id: str
    kind: str
    name: str
    id_number: str
    phone: str
    assurance_level: int
    mfa_enabled: bool
    recovery_codes_left: int
    acting_as: str | None


def profile(user: User, session: UserSession | None = None) -> Profile:
    """The account as its owner sees it: personal data masked."""
    return Profile(
        id=str(user.public_id),
        kind=str(user.kind),
        name=mask_name(str(user.real_name)) if user.real_name else user.display_name,
        id_number=mask_id_number(str(user.id_number)) if user.id_number else "",
        phone=mask_phone(str(user.phone)) if user.phone else "",
        assurance_level=int(user.assurance),
        mfa_enabled=TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        recovery_codes_left=RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
        acting_as=str(session.acting_as.public_id)
        if session is not None and session.acting_as is not None
        else None,
    )


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that are still usable, newest first."""
    now = clock.now()
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=now)
    return [s for s in rows.order_by("-last_seen_at") if is_live(s, now)]


def activity(user: User, limit: int = 50) -> QuerySet[Activity]:
    return Activity.objects.filter(user=user).order_by("-at", "-pk")[:limit]


def session_by_token_hash(token_hash: str) -> UserSession | None:
    session = (
        UserSession.objects.select_related("user", "acting_as")
        .filter(token_hash=token_hash)
        .first()
    )
    return session if session is not None and is_live(session) else None


def oidc_access_token(checksum: str) -> AccessToken | None:
    """A live OIDC access token by the SHA-256 of its value."""
    token = AccessToken.objects.select_related("user").filter(token_checksum=checksum).first()
    return token if token is not None and not token.is_expired() else None


def consents(user: User) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("application")
        .order_by("-granted_at")
    )


def session_by_id(public_id: str) -> UserSession | None:
    try:
        uuid.UUID(str(public_id))
    except ValueError:
        return None
    session = (
        UserSession.objects.select_related("user", "acting_as").filter(public_id=public_id).first()
    )
    return session if session is not None and is_live(session) else None


@dataclass(frozen=True)
class BusinessRole:
    business: Business
    powers: list[str]
    representative: bool


def businesses(user: User) -> list[BusinessRole]:
    """The businesses ``user`` may act for, with their powers."""
    rows = Business.objects.filter(
        Q(legal_representative=user) | Q(grants__agent=user, grants__revoked_at__isnull=True)
    ).distinct()
    return [
        BusinessRole(b, policies.powers_for(user, b), b.legal_representative_id == user.pk)
        for b in rows.order_by("name")
    ]


def grants(business: Business) -> QuerySet[AgentGrant]:
    return (
        AgentGrant.objects.filter(business=business, revoked_at__isnull=True)
        .select_related("agent")
        .order_by("granted_at")
    )
