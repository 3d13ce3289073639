"""Who is calling the API: ``Authorization: Bearer <token>`` (a session token, later an OIDC
access token too) or the page session cookie (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from citizencloud.identity import selectors
from citizencloud.identity.models import User
from citizencloud.identity.services import touch_session
from citizencloud.identity.services.common import sha256


class Bearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        session = selectors.session_by_token_hash(sha256(token))
        if session is None or not session.user.is_active:
            return None
        touch_session(session)
        request.user = session.user
        request.identity_session = session  # type: ignore[attr-defined]
        return session.user


class PageSession(APIKeyCookie):
    """The page session (set by the identity middleware), CSRF-checked like a form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if getattr(request, "identity_session", None) is not None and request.user.is_authenticated:
            return request.user
        return None


bearer = Bearer()
page_session = PageSession()
AUTH = [bearer, page_session]
