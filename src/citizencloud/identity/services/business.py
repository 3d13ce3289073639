"""Businesses: registered by their legal representative, who grants agents scoped, revocable
powers; a person switches "acting as" between themself and the businesses they represent."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from citizencloud.identity import policies, validation
from citizencloud.identity.models import AgentGrant, AgentPower, Business, User, UserSession
from citizencloud.identity.services.common import Origin, audit_action
from citizencloud.identity.validation import FieldError, InvalidInput
from citizencloud.kernel import clock
from citizencloud.kernel.crypto import blind_index
from citizencloud.kernel.errors import Conflict, NotFound, PermissionDenied


def register_business(*, representative: User, name: str, uscc: str, origin: Origin) -> Business:
    """Register a business with ``representative`` as its legal representative (needs L2)."""
    if not policies.may_represent_business(representative):
        raise PermissionDenied(
            _("Verify your identity (L2) before registering a business."),
            code="identity.assurance_too_low",
        )
    code = validation.credit_code(uscc)
    clean_name = " ".join((name or "").split())
    if not 2 <= len(clean_name) <= 200:
        raise InvalidInput(FieldError("name", _("Enter the business name."), "name.format"))
    try:
        with transaction.atomic():
            business = Business.objects.create(
                name=clean_name, uscc=code, legal_representative=representative
            )
    except IntegrityError:
        raise Conflict(
            _("This credit code is already registered."), code="identity.business_exists"
        ) from None
    audit_action("identity.business_registered", origin, actor=representative, target=business)
    return business


def _own_business(user: User, business_id: str) -> Business:
    business = Business.objects.filter(public_id=business_id).first()
    if business is None or not policies.may_manage_agents(user, business):
        raise NotFound()
    return business


def grant_agent(
    *, user: User, business_id: str, agent_phone: str, powers: list[str], origin: Origin
) -> AgentGrant:
    """The legal representative grants a registered person powers to act for the business."""
    business = _own_business(user, business_id)
    wanted = sorted(set(powers))
    if not wanted or any(p not in AgentPower.values for p in wanted):
        raise InvalidInput(FieldError("powers", _("Choose at least one power."), "powers.invalid"))
    phone = validation.phone(agent_phone, field="agent_phone")
    agent = User.objects.filter(phone_index=blind_index(phone, "phone"), is_active=True).first()
    if agent is None:
        raise InvalidInput(
            FieldError(
                "agent_phone", _("No registered citizen has this phone number."), "agent.unknown"
            )
        )
    now = clock.now()
    AgentGrant.objects.filter(business=business, agent=agent, revoked_at__isnull=True).update(
        revoked_at=now
    )
    grant = AgentGrant.objects.create(
        business=business, agent=agent, powers=wanted, granted_by=user, granted_at=now
    )
    audit_action(
        "identity.agent_granted",
        origin,
        actor=user,
        target=grant,
        details={
            "business": str(business.public_id),
            "agent": str(agent.public_id),
            "powers": wanted,
        },
    )
    return grant


def revoke_agent(*, user: User, business_id: str, grant_id: str, origin: Origin) -> None:
    """Withdraw an agent's powers; sessions acting for the business as that agent stop doing so."""
    business = _own_business(user, business_id)
    grant = AgentGrant.objects.filter(
        business=business, public_id=grant_id, revoked_at__isnull=True
    ).first()
    if grant is None:
        raise NotFound()
    AgentGrant.objects.filter(pk=grant.pk).update(revoked_at=clock.now())
    UserSession.objects.filter(user=grant.agent, acting_as=business).update(acting_as=None)
    audit_action("identity.agent_revoked", origin, actor=user, target=grant)


def act_as(*, user: User, session: UserSession, business_id: str | None, origin: Origin) -> None:
    """Switch the session between acting as oneself (None) and as a represented business."""
    business = None
    if business_id:
        business = Business.objects.filter(public_id=business_id).first()
        if business is None or not policies.powers_for(user, business):
            raise NotFound()
    UserSession.objects.filter(pk=session.pk).update(acting_as=business)
    session.acting_as = business
    audit_action(
        "identity.acting_as",
        origin,
        actor=user,
        target=business or user,
    )
