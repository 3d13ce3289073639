"""Ties the page session to a live device session: ended, idle or expired sessions sign out;
staff and admins are held at MFA enrolment until they have a second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from citizencloud.identity import selectors
from citizencloud.identity.services import touch_session

SESSION_ID = "identity_session"
MFA_EXEMPT = ("/account/", "/static/", "/i18n/", "/api/", "/healthz", "/readyz", "/favicon")


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.identity_session = None  # type: ignore[attr-defined]
        session_id = request.session.get(SESSION_ID) if request.user.is_authenticated else None
        # A page session without a device session is one Django's own login() made (tests'
        # force_login); every sign-in of ours binds one, and /admin/login/ goes through ours.
        if session_id:
            session = selectors.session_by_id(session_id)
            if session is None or session.user_id != request.user.pk:
                logout(request)
            else:
                touch_session(session)
                request.identity_session = session  # type: ignore[attr-defined]
                if (
                    session.user.must_use_mfa
                    and not session.mfa
                    and not request.path.startswith(MFA_EXEMPT)
                ):
                    return redirect("identity:mfa")
        return self.get_response(request)
