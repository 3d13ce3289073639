"""PURE-ish decisions: may this person do this to this account or business?"""

from __future__ import annotations

from citizencloud.identity.models import AgentGrant, AgentPower, Assurance, Business, User


def may_represent_business(user: User) -> bool:
    return user.is_active and user.assurance >= Assurance.IDENTITY


def may_manage_agents(user: User, business: Business) -> bool:
    return business.legal_representative_id == user.pk


def powers_for(user: User, business: Business) -> list[str]:
    """What ``user`` may do for ``business``: everything as its representative, else the grant."""
    if business.legal_representative_id == user.pk:
        return list(AgentPower.values)
    grant = AgentGrant.objects.filter(
        business=business, agent=user, revoked_at__isnull=True
    ).first()
    return list(grant.powers) if grant else []
