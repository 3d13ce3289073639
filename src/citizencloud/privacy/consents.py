"""Consents: the only way a third party acts for a citizen, and the platform's own opt-ins.

``require(party=…, citizen=…|subject_ref=…, purpose=…, items=…, action=…)`` is the one check
that every third-party path calls — the partner API, the OIDC authorization endpoint (through
``identity.hooks``) and the exchange's inbound requests (``exchange_guard``, through
``exchange.guards``). It
raises :class:`ConsentRequired` (403, audited) unless a live consent covers the purpose, every
item and the action. ``grant`` refuses items or actions the party never declared; ``revoke``
ends the party's tokens and sessions at once and queues the signed revocation notice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from citizencloud.exchange import guards as exchange_guards
from citizencloud.exchange import services as exchange
from citizencloud.identity.models import User
from citizencloud.identity.services import consent as sso
from citizencloud.identity.services.common import Origin
from citizencloud.kernel import audit, clock
from citizencloud.kernel.crypto import blind_index
from citizencloud.kernel.errors import DomainError, NotFound
from citizencloud.privacy import items as catalogue
from citizencloud.privacy.models import Consent, PartyKind, RevocationNotice, ThirdParty

__all__ = [
    "ConsentRequired",
    "exchange_guard",
    "grant",
    "grant_first_party",
    "live",
    "live_first_party",
    "oidc_guard",
    "ref",
    "require",
    "revoke",
    "subject_ref_for",
]

TEXT_VERSION = "2026-11"


class ConsentRequired(DomainError):
    code = "privacy.consent_required"
    status = 403


class UndeclaredItems(DomainError):
    code = "privacy.undeclared_items"
    status = 422


def ref(text: str) -> str:
    """A short, letters-and-2–7 reference to ``text`` for the audit log (never digit runs)."""
    return base64.b32encode(hashlib.sha256(text.encode()).digest()[:10]).decode().lower()


def subject_ref_for(party: ThirdParty, citizen: User) -> str:
    """How ``party`` names ``citizen``: the OIDC pairwise ``sub`` if it is a client, the
    exchange pseudonym if it is an exchange peer (the ``cc-subject`` it sends)."""
    if party.application is not None:
        from citizencloud.identity.oidc import pairwise_sub

        return pairwise_sub(citizen, party.application)
    if party.kind == PartyKind.PEER:
        return exchange.pseudonym(citizen, party.code)
    return blind_index(f"party:{party.code}|{citizen.public_id}", "oidc_sub")


def live(at: dt.datetime | None = None) -> Q:
    now = at or clock.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def _origin_request(request: Any) -> Any:
    return request.request if isinstance(request, Origin) else request


def require(
    *,
    party: ThirdParty | str,
    purpose: str,
    items: Sequence[str],
    action: str,
    citizen: User | None = None,
    subject_ref: str = "",
    request: Any = None,
) -> Consent:
    """The live consent letting ``party`` do ``action`` with ``items`` for ``purpose`` on the
    citizen (given as ``citizen`` or the party's ``subject_ref``); else ConsentRequired."""
    party_obj = party if isinstance(party, ThirdParty) else ThirdParty.objects.get(code=party)
    wanted = sorted(set(items))
    found = Consent.objects.filter(live(), party=party_obj, purpose=purpose)
    found = found.filter(subject=citizen) if citizen is not None else found
    found = found.filter(subject_ref=subject_ref) if citizen is None else found
    for consent in found.select_related("subject").order_by("-granted_at"):
        if set(wanted) <= set(consent.items) and action in consent.actions:
            Consent.objects.filter(pk=consent.pk).update(last_used_at=clock.now())
            return consent
    audit.record(
        action="privacy.consent_refused",
        actor=audit.Actor(id=party_obj.code, kind="third_party", name=party_obj.name),
        target=("identity.user", str(citizen.public_id))
        if citizen is not None
        else ("privacy.subject_ref", ref(subject_ref)),
        details={"purpose": purpose[:60], "items": wanted, "action": action[:40]},
        request=_origin_request(request),
    )
    raise ConsentRequired(
        _("%(party)s has no consent from this person for this purpose, data and action.")
        % {"party": party_obj.name},
        extra={"party": party_obj.code, "purpose": purpose, "items": wanted, "action": action},
    )


def oidc_guard(*, user: Any, application: Any, scopes: list[str]) -> None:
    """Registered with identity: a third party's sign-in may release personal claims only
    under a live consent naming those items (purpose ``sign_in``)."""
    party = ThirdParty.objects.filter(application=application).first()
    wanted = catalogue.items_for_scopes(scopes)
    if party is None or not wanted:
        return
    require(party=party, citizen=user, purpose="sign_in", items=wanted, action="read")


def exchange_guard(inbound: exchange_guards.Inbound) -> None:
    """Registered with exchange: a peer that is a third party (not a department acting under
    law) is answered only under a live consent of the citizen it names for that purpose, for the
    data items the inbound service touches, the service being the action."""
    if not inbound.items:
        return
    party = ThirdParty.objects.filter(code=inbound.peer_code, kind=PartyKind.PEER).first()
    if party is None:
        return
    require(
        party=party,
        subject_ref=inbound.subject or "-",
        purpose=inbound.purpose,
        items=inbound.items,
        action=inbound.service,
    )


def _declared(party: ThirdParty, purpose: str) -> dict[str, Any]:
    declared = party.purposes.get(purpose)
    if not isinstance(declared, dict):
        raise UndeclaredItems(_("The party did not declare this purpose."))
    return declared


def consent_text(
    party: ThirdParty, purpose: str, items: list[str], actions: list[str], days: int
) -> str:
    """The plain-language text the citizen sees and the receipt keeps, word for word."""
    declared = _declared(party, purpose)
    return _(
        "I allow %(party)s, for the purpose “%(purpose)s”, to use my %(items)s and to "
        "%(actions)s, for %(days)s days from today. I can withdraw this at any time with one "
        "click in the privacy centre; %(party)s will be told at once and must confirm."
    ) % {
        "party": party.name,
        "purpose": declared.get("text", purpose),
        "items": "、".join(catalogue.label(i) for i in items),
        "actions": "、".join(catalogue.action_label(a) for a in actions),
        "days": days,
    }


def grant(
    *,
    citizen: User,
    party_code: str,
    purpose: str,
    items: Sequence[str],
    actions: Sequence[str],
    days: int,
    request: Any = None,
) -> Consent:
    """Record an explicit consent; items or actions the party never declared are refused."""
    party = ThirdParty.objects.filter(code=party_code).first()
    if party is None:
        raise NotFound(_("No such third party."))
    wanted, acts = sorted(set(items)), sorted(set(actions))
    declared = party.purposes.get(purpose) if isinstance(party.purposes, dict) else None
    bad = (
        declared is None
        or not wanted
        or not acts
        or not set(wanted) <= set(declared.get("items", []))
        or not set(acts) <= set(declared.get("actions", []))
        or not 1 <= days <= int(declared.get("max_days", 365))
    )
    if bad:
        audit.record(
            action="privacy.consent_grant_refused",
            actor=citizen,
            target=party,
            details={"purpose": purpose[:60], "items": wanted[:20], "actions": acts[:20]},
            request=_origin_request(request),
        )
        raise UndeclaredItems(
            _("The party asked for data items, actions or a duration it did not declare.")
        )
    now = clock.now()
    superseded = Consent.objects.filter(live(now), subject=citizen, party=party, purpose=purpose)
    superseded.update(revoked_at=now)
    consent = Consent.objects.create(
        subject=citizen,
        party=party,
        subject_ref=subject_ref_for(party, citizen),
        purpose=purpose,
        items=wanted,
        actions=acts,
        text=consent_text(party, purpose, wanted, acts, days),
        text_version=TEXT_VERSION,
        granted_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit.record(
        action="privacy.consent_granted",
        actor=citizen,
        target=consent,
        details={"party": party.code, "purpose": purpose, "items": wanted, "actions": acts},
        request=_origin_request(request),
    )
    return consent


def grant_first_party(
    *, citizen: Any, purpose: str, text: str, text_version: str, request: Any = None
) -> Consent:
    """The platform's own purposes (auto-pay): no third party, still explicit and revocable."""
    consent = Consent.objects.create(
        subject=citizen, purpose=purpose, text=text, text_version=text_version
    )
    audit.record(
        action="privacy.consent_granted",
        actor=citizen,
        target=consent,
        details={"purpose": purpose},
        request=_origin_request(request),
    )
    return consent


def live_first_party(*, citizen: Any, consent_id: Any, purpose: str) -> Consent | None:
    """The citizen's own live consent ``consent_id`` for ``purpose``, if any."""
    return Consent.objects.filter(
        live(), public_id=consent_id, subject=citizen, purpose=purpose, party__isnull=True
    ).first()


def mine(citizen: Any) -> QuerySet[Consent]:
    return Consent.objects.filter(subject=citizen).select_related("party", "notice")


def revoke(*, citizen: User, consent_id: Any, request: Any = None) -> Consent:
    """Withdraw a consent in one step: a third party's tokens and sessions end at once and a
    signed notice is queued (retried until the party acknowledges). Someone else's consent is
    refused as not found, and the attempt is audited."""
    from citizencloud.privacy import tasks

    consent = Consent.objects.filter(public_id=consent_id).select_related("party").first()
    origin = request if isinstance(request, Origin) else Origin(request=request)
    if consent is None or consent.subject_id != citizen.pk:
        audit.record(
            action="privacy.consent_revoke_refused",
            actor=citizen,
            target=("privacy.consent", str(consent_id)[:64]),
            details={"reason": "not_found" if consent is None else "not_owner"},
            request=origin.request,
        )
        raise NotFound(_("No such consent."))
    if consent.revoked_at is not None:
        return consent
    consent.revoked_at = clock.now()
    Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
        revoked_at=consent.revoked_at
    )
    party = consent.party
    tokens = 0
    if party is not None and party.application is not None:
        tokens = sso.end_app_access(user=citizen, application=party.application, origin=origin)
    audit.record(
        action="privacy.consent_revoked",
        actor=citizen,
        target=consent,
        details={
            "party": party.code if party else "",
            "purpose": consent.purpose,
            "grants_ended": tokens,
        },
        request=origin.request,
    )
    if party is not None and party.webhook_url:
        notice = RevocationNotice.objects.create(consent=consent)
        tasks.send_revocation_notice.enqueue(notice.pk)
    return consent
