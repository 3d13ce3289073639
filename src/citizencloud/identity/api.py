"""The identity API: registration, sessions (bearer tokens), the account, MFA, businesses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from citizencloud.identity import qr, schemas, selectors, services, web
from citizencloud.identity.auth import AUTH
from citizencloud.identity.models import Business, User, UserSession
from citizencloud.kernel.errors import NotFound, PermissionDenied

router = Router(tags=["identity"])


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _session(request: HttpRequest) -> UserSession:
    session: UserSession | None = getattr(request, "identity_session", None)
    if session is None:  # an OIDC access token reaches only GET /me (see auth.py)
        raise PermissionDenied(code="identity.session_required")
    return session


@router.post("/citizens", response={202: schemas.AcceptedOut}, summary="Register a citizen")
def register(request: HttpRequest, body: schemas.CitizenIn) -> Status[schemas.AcceptedOut]:
    services.register_citizen(
        name=body.name, id_number=body.id_number, phone=body.phone, password=body.password
    )
    detail = _("If the details are right, a code is on its way to the phone.")
    return Status(202, schemas.AcceptedOut(status="code_sent", detail=detail))


@router.post("/citizens/verify-phone", response=schemas.AccountOut, summary="Prove the phone")
def verify_phone(request: HttpRequest, body: schemas.VerifyPhoneIn) -> schemas.AccountOut:
    user = services.verify_phone(phone=body.phone, code=body.code, origin=web.origin(request))
    return schemas.AccountOut(
        id=str(user.public_id), status="active", assurance_level=int(user.assurance)
    )


@router.post("/password-reset", response={202: schemas.AcceptedOut}, summary="Forgot password")
def request_reset(request: HttpRequest, body: schemas.ResetIn) -> Status[schemas.AcceptedOut]:
    services.request_reset(phone=body.phone)
    detail = _("If this phone number has an account, a code is on its way to it.")
    return Status(202, schemas.AcceptedOut(status="code_sent", detail=detail))


@router.post(
    "/password-reset/confirm", response={204: None}, summary="Set a new password with the code"
)
def confirm_reset(request: HttpRequest, body: schemas.ResetConfirmIn) -> Status[None]:
    services.confirm_reset(
        phone=body.phone,
        code=body.code,
        new_password=body.new_password,
        origin=web.origin(request),
    )
    return Status(204, None)


@router.post("/session", response=schemas.TokenOut, summary="Sign in")
def create_session(request: HttpRequest, body: schemas.SessionIn) -> schemas.TokenOut:
    result = services.login(
        login=body.login, password=body.password, otp=body.otp, origin=web.origin(request)
    )
    web.sign_in(request, result)
    return schemas.TokenOut(
        token=result.token,
        expires_at=result.session.expires_at,
        session_id=str(result.session.public_id),
    )


@router.delete("/session", response={204: None}, auth=AUTH, summary="Sign out")
def delete_session(request: HttpRequest) -> Status[None]:
    services.end_session(
        user=_user(request),
        session_id=str(_session(request).public_id),
        origin=web.origin(request),
        logout=True,
    )
    web.sign_out(request)
    return Status(204, None)


@router.get("/me", response=schemas.MeOut, auth=AUTH, summary="My account (masked)")
def me(request: HttpRequest) -> Any:
    return selectors.profile(_user(request), getattr(request, "identity_session", None))


@router.post("/me/verify-identity", response=schemas.MeOut, auth=AUTH, summary="Real-name L2")
def verify_identity(request: HttpRequest) -> Any:
    user = services.verify_identity(user=_user(request), origin=web.origin(request))
    return selectors.profile(user, _session(request))


@router.post("/me/password", response={204: None}, auth=AUTH, summary="Change my password")
def change_password(request: HttpRequest, body: schemas.PasswordChangeIn) -> Status[None]:
    services.change_password(
        user=_user(request),
        current=body.current_password,
        new=body.new_password,
        origin=web.origin(request),
    )
    return Status(204, None)


@router.get("/me/sessions", response=list[schemas.SessionOut], auth=AUTH, summary="My devices")
def my_sessions(request: HttpRequest) -> list[schemas.SessionOut]:
    current = _session(request).pk
    return [
        schemas.SessionOut(
            id=str(s.public_id),
            current=s.pk == current,
            user_agent=s.user_agent,
            ip=s.ip,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=s.expires_at,
            mfa=s.mfa,
        )
        for s in selectors.live_sessions(_user(request))
    ]


@router.delete("/me/sessions/{session_id}", response={204: None}, auth=AUTH, summary="End one")
def end_session(request: HttpRequest, session_id: str) -> Status[None]:
    services.end_session(user=_user(request), session_id=session_id, origin=web.origin(request))
    return Status(204, None)


@router.delete("/me/sessions", response={204: None}, auth=AUTH, summary="Sign out everywhere")
def end_all(request: HttpRequest) -> Status[None]:
    services.end_all_sessions(user=_user(request), origin=web.origin(request), keep=None)
    web.sign_out(request)
    return Status(204, None)


@router.get("/me/activity", response=list[schemas.ActivityOut], auth=AUTH, summary="Activity")
def my_activity(request: HttpRequest) -> list[schemas.ActivityOut]:
    return [
        schemas.ActivityOut(
            id=str(a.public_id),
            kind=a.kind,
            at=a.at,
            ip=a.ip,
            user_agent=a.user_agent,
            reported=a.reported,
        )
        for a in selectors.activity(_user(request))
    ]


@router.post(
    "/me/activity/{activity_id}/not-me", response={204: None}, auth=AUTH, summary="This wasn't me"
)
def not_me(request: HttpRequest, activity_id: str) -> Status[None]:
    services.report_not_me(user=_user(request), activity_id=activity_id, origin=web.origin(request))
    return Status(204, None)


@router.post("/me/mfa/totp", response=schemas.TotpStartOut, auth=AUTH, summary="Start TOTP")
def start_totp(request: HttpRequest) -> schemas.TotpStartOut:
    user = _user(request)
    device = services.start_totp(user=user)
    uri = services.mfa.provisioning_uri(device, user)
    return schemas.TotpStartOut(
        secret=str(device.secret), otpauth_uri=uri, qr_svg_data_uri=qr.svg_data_uri(uri)
    )


@router.post(
    "/me/mfa/totp/confirm",
    response=schemas.RecoveryCodesOut,
    auth=AUTH,
    summary="Confirm TOTP; returns recovery codes once",
)
def confirm_totp(request: HttpRequest, body: schemas.CodeIn) -> schemas.RecoveryCodesOut:
    codes = services.confirm_totp(
        user=_user(request), code=body.code, origin=web.origin(request), session=_session(request)
    )
    return schemas.RecoveryCodesOut(recovery_codes=codes)


@router.delete("/me/mfa/totp", response={204: None}, auth=AUTH, summary="Turn TOTP off")
def disable_totp(request: HttpRequest, body: schemas.PasswordIn) -> Status[None]:
    services.disable_totp(user=_user(request), password=body.password, origin=web.origin(request))
    return Status(204, None)


def _business_out(role: selectors.BusinessRole) -> schemas.BusinessOut:
    return schemas.BusinessOut(
        id=str(role.business.public_id),
        name=role.business.name,
        uscc=role.business.uscc,
        representative=role.representative,
        powers=role.powers,
    )


@router.get(
    "/me/businesses",
    response=list[schemas.BusinessOut],
    auth=AUTH,
    summary="Businesses I may act for",
)
def my_businesses(request: HttpRequest) -> list[schemas.BusinessOut]:
    return [_business_out(role) for role in selectors.businesses(_user(request))]


@router.post(
    "/businesses",
    response={201: schemas.BusinessOut},
    auth=AUTH,
    summary="Register a business (as its legal representative)",
)
def register_business(request: HttpRequest, body: schemas.BusinessIn) -> Any:
    business = services.register_business(
        representative=_user(request), name=body.name, uscc=body.uscc, origin=web.origin(request)
    )
    return Status(
        201, _business_out(selectors.BusinessRole(business, ["apply", "pay", "view"], True))
    )


def _managed(request: HttpRequest, business_id: str) -> Business:
    business = Business.objects.filter(public_id=business_id).first()
    if business is None or business.legal_representative_id != _user(request).pk:
        raise NotFound()
    return business


@router.get(
    "/businesses/{business_id}/agents",
    response=list[schemas.AgentOut],
    auth=AUTH,
    summary="Agents of a business",
)
def agents(request: HttpRequest, business_id: str) -> list[schemas.AgentOut]:
    business = _managed(request, business_id)
    return [
        schemas.AgentOut(
            id=str(g.public_id),
            agent=g.agent.display_name,
            powers=g.powers,
            granted_at=g.granted_at,
        )
        for g in selectors.grants(business)
    ]


@router.post(
    "/businesses/{business_id}/agents",
    response={201: schemas.AgentOut},
    auth=AUTH,
    summary="Grant an agent powers",
)
def grant_agent(request: HttpRequest, business_id: str, body: schemas.AgentIn) -> Any:
    grant = services.grant_agent(
        user=_user(request),
        business_id=business_id,
        agent_phone=body.agent_phone,
        powers=body.powers,
        origin=web.origin(request),
    )
    return Status(
        201,
        schemas.AgentOut(
            id=str(grant.public_id),
            agent=grant.agent.display_name,
            powers=grant.powers,
            granted_at=grant.granted_at,
        ),
    )


@router.delete(
    "/businesses/{business_id}/agents/{grant_id}",
    response={204: None},
    auth=AUTH,
    summary="Revoke an agent",
)
def revoke_agent(request: HttpRequest, business_id: str, grant_id: str) -> Status[None]:
    services.revoke_agent(
        user=_user(request), business_id=business_id, grant_id=grant_id, origin=web.origin(request)
    )
    return Status(204, None)


@router.put(
    "/me/acting-as",
    response=schemas.MeOut,
    auth=AUTH,
    summary="Act as myself (null) or as a business",
)
def acting_as(request: HttpRequest, body: schemas.ActingAsIn) -> Any:
    services.act_as(
        user=_user(request),
        session=_session(request),
        business_id=body.business_id,
        origin=web.origin(request),
    )
    return selectors.profile(_user(request), _session(request))


# /me/consents (single-sign-on apps too) is served by the privacy app's router.


def _profile_out(user: User) -> schemas.ProfileOut:
    shown = selectors.profile(user)
    return schemas.ProfileOut(display_name=user.display_name, phone=shown.phone)


@router.patch("/me/profile", response=schemas.ProfileOut, auth=AUTH, summary="Correct my name")
def update_profile(request: HttpRequest, body: schemas.ProfileIn) -> schemas.ProfileOut:
    user = services.change_display_name(
        user=_user(request), display_name=body.display_name, origin=web.origin(request)
    )
    return _profile_out(user)


@router.post(
    "/me/phone", response={202: schemas.AcceptedOut}, auth=AUTH, summary="Start a number change"
)
def start_phone_change(
    request: HttpRequest, body: schemas.PhoneChangeIn
) -> Status[schemas.AcceptedOut]:
    services.start_phone_change(user=_user(request), phone=body.phone, origin=web.origin(request))
    detail = _("A code is on its way to the new number. It expires in 10 minutes.")
    return Status(202, schemas.AcceptedOut(status="code_sent", detail=detail))


@router.post(
    "/me/phone/confirm", response=schemas.ProfileOut, auth=AUTH, summary="Confirm a number change"
)
def confirm_phone_change(request: HttpRequest, body: schemas.PhoneConfirmIn) -> schemas.ProfileOut:
    user = services.confirm_phone_change(
        user=_user(request), code=body.code, password=body.password, origin=web.origin(request)
    )
    return _profile_out(user)
