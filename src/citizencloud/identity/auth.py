"""Who is calling the API: ``Authorization: Bearer <token>`` (a session token, later an OIDC
access token too) or the page session cookie (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from citizencloud.identity import selectors
from citizencloud.identity.models import User, UserSession
from citizencloud.identity.services import touch_session
from citizencloud.identity.services.common import sha256
from citizencloud.kernel.errors import PermissionDenied


def _hold_at_enrolment(request: HttpRequest, session: UserSession) -> None:
    """Staff and admins without a second factor may only reach their account and MFA."""
    if session.user.must_use_mfa and not session.mfa:
        path = request.path
        if not (path == "/api/v1/me" or path.startswith(("/api/v1/me/mfa", "/api/v1/session"))):
            raise PermissionDenied(
                _("Staff accounts must turn on two-step verification first."),
                code="identity.mfa_enrolment_required",
            )


def _oidc_user(request: HttpRequest, token: str) -> User | None:
    """An OIDC access token is a bearer token too, for reading the masked profile
    (``GET /api/v1/me``); everything else about the account needs the person's own session."""
    if request.method != "GET" or request.path != "/api/v1/me":
        return None
    access = selectors.oidc_access_token(sha256(token))
    if access is None or access.user is None or not access.user.is_active:
        return None
    request.user = access.user
    request.identity_session = None  # type: ignore[attr-defined]
    request.oidc_token = access  # type: ignore[attr-defined]
    user: User = access.user
    return user


class Bearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        session = selectors.session_by_token_hash(sha256(token))
        if session is None:
            return _oidc_user(request, token)
        if not session.user.is_active:
            return None
        touch_session(session)
        _hold_at_enrolment(request, session)
        request.user = session.user
        request.identity_session = session  # type: ignore[attr-defined]
        return session.user


class PageSession(APIKeyCookie):
    """The page session (set by the identity middleware), CSRF-checked like a form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        session = getattr(request, "identity_session", None)
        if session is not None and request.user.is_authenticated:
            _hold_at_enrolment(request, session)
            return request.user
        return None


bearer = Bearer()
page_session = PageSession()
AUTH = [bearer, page_session]
