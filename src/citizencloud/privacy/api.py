"""The privacy centre's API: my consents (grant, list, revoke, receipt), who read my data, export,
erasure — and the partner API through which a third party acts for a citizen under consent."""

import base64
import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBasicAuth, django_auth

from citizencloud.identity.auth import bearer
from citizencloud.identity.models import Consent as SsoConsent
from citizencloud.identity.services import consent as sso
from citizencloud.identity.web import origin
from citizencloud.kernel import audit, signing
from citizencloud.privacy import consents, items, revocations, rights, selectors, services
from citizencloud.privacy.models import Channel, DataAccess, LegalBasis, ThirdParty
from citizencloud.privacy.schemas import (
    AckOut,
    ActIn,
    ActOut,
    ConsentIn,
    ConsentOut,
    DataAccessListItem,
    DeletionIn,
    DeletionOut,
    RetainedOut,
    SigningKeyOut,
)

router = Router(tags=["privacy"])
# A session token (apps) or the page session cookie (CSRF-checked).
AUTH = [bearer, django_auth]


class AccessQuery(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    channel: str = ""
    legal_basis: str = ""
    who: str = ""


@router.get(
    "/me/data-access",
    response=list[DataAccessListItem],
    auth=AUTH,
    summary="Who read my personal data, newest first (filters: since, until, channel, …)",
)
@paginate(PageNumberPagination, page_size=20)
def my_data_access(request: HttpRequest, filters: Query[AccessQuery]) -> QuerySet[DataAccess]:
    return selectors.access_filters(selectors.accesses_for(request.user), **filters.dict())


@router.get("/me/consents", response=list[ConsentOut], auth=AUTH, summary="My consents")
def my_consents(request: HttpRequest) -> list[ConsentOut]:
    return selectors.consents_for(request.user)


@router.post(
    "/me/consents",
    response={201: ConsentOut},
    auth=AUTH,
    summary="Grant a consent (the consent screen's flow): party, purpose, items, actions, days",
)
def grant_consent(request: HttpRequest, body: ConsentIn) -> Status[ConsentOut]:
    consent = consents.grant(
        citizen=request.user,  # type: ignore[arg-type]
        party_code=body.party,
        purpose=body.purpose,
        items=body.items,
        actions=body.actions,
        days=body.days,
        request=request,
    )
    [row] = [c for c in selectors.consents_for(request.user) if c.id == str(consent.public_id)]
    return Status(201, row)


@router.delete(
    "/me/consents/{consent_id}",
    response={204: None},
    auth=AUTH,
    summary="Withdraw a consent: the party's tokens end at once and it is notified",
)
def revoke_consent(request: HttpRequest, consent_id: str) -> Status[None]:
    uid = selectors.as_uuid(consent_id)
    if SsoConsent.objects.filter(public_id=uid, user=request.user.pk).exists():
        sso.revoke(user=request.user, consent_id=consent_id, origin=origin(request))  # type: ignore[arg-type]
    else:
        consents.revoke(citizen=request.user, consent_id=uid, request=request)  # type: ignore[arg-type]
    return Status(204, None)


@router.get(
    "/me/consents/{consent_id}/receipt",
    response=dict[str, Any],
    auth=AUTH,
    summary="The consent receipt (Kantara Consent Receipt v1.1 fields)",
)
def consent_receipt(request: HttpRequest, consent_id: str) -> dict[str, Any]:
    return selectors.receipt(selectors.consent_of(request.user, selectors.as_uuid(consent_id)))


@router.post("/me/export", auth=AUTH, summary="Export all my data (JSON)")
def export(request: HttpRequest) -> HttpResponse:
    body = rights.export_json(user=request.user, request=request)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="citizencloud-my-data.json"'
    return response


@router.post(
    "/me/deletion",
    response=DeletionOut,
    auth=AUTH,
    summary="Erase my account (keeps only what the law requires, with the reasons)",
)
def erase(request: HttpRequest, body: DeletionIn) -> DeletionOut:
    if not body.confirm:
        raise rights.ErasureRefused("confirm must be true", code="privacy.confirm_required")
    kept = rights.erase_account(user=request.user, password=body.password, request=request)  # type: ignore[arg-type]
    return DeletionOut(
        deleted=True,
        retained=[RetainedOut(category=r.category, count=r.count, reason=r.reason) for r in kept],
    )


# --- partner API: third parties act for a citizen only under consent -----------------------------


class PartnerAuth(HttpBasicAuth):
    """``client_secret_basic``: the party's OIDC client id and secret."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> Any:
        application = sso.authenticate_client(client_id=username, client_secret=password)
        party = ThirdParty.objects.filter(application=application).first() if application else None
        if party is None:
            audit.record(
                action="privacy.partner_auth_failed",
                actor=audit.Actor(kind="anonymous"),
                target=("oauth2_provider.application", consents.ref(username)),
                request=request,
            )
            return None
        request.third_party = party  # type: ignore[attr-defined]
        return party


@router.post(
    "/partners/act",
    response=ActOut,
    auth=PartnerAuth(),
    summary="A third party acts for a citizen (e.g. reads KYC items to open an account)",
)
def partner_act(request: HttpRequest, body: ActIn) -> ActOut:
    party: ThirdParty = request.third_party  # type: ignore[attr-defined]
    consent = consents.require(
        party=party,
        subject_ref=body.sub,
        purpose=body.purpose,
        items=body.items,
        action=body.action,
        request=request,
    )
    citizen = consent.subject
    declared = party.purposes.get(body.purpose, {})
    services.record_access(
        citizen=citizen,
        accessor=audit.Actor(
            id=party.code, kind="third_party", name=party.name, department=party.name
        ),
        purpose=str(declared.get("text", body.purpose))[:200],
        legal_basis=LegalBasis.CONSENT,
        fields=sorted(set(body.items)),
        channel=Channel.API,
        request=request,
    )
    return ActOut(
        consent_id=str(consent.public_id),
        expires_at=consent.expires_at,
        data=items.values(citizen, sorted(set(body.items))),
    )


@router.get(
    "/partners/signing-keys",
    response=list[SigningKeyOut],
    summary="The platform's Ed25519 public keys that sign webhooks",
)
def signing_keys(request: HttpRequest) -> list[SigningKeyOut]:
    return [
        SigningKeyOut(
            kid=kid, alg="Ed25519", public_key=base64.urlsafe_b64encode(key).decode().rstrip("=")
        )
        for kid, key in signing.trusted_public_keys().items()
    ]


@router.post(
    "/partners/revocations/{notice_id}/ack",
    response=AckOut,
    url_name="partner_ack",
    summary="A party's signed acknowledgement of a revocation notice (after answering 202)",
)
def partner_ack(request: HttpRequest, notice_id: str) -> AckOut:
    confirmed = revocations.acknowledge(
        notice_id=selectors.as_uuid(notice_id),
        header=request.headers.get("Partner-Signature", ""),
        body=request.body,
        request=request,
    )
    return AckOut(confirmed=confirmed)
