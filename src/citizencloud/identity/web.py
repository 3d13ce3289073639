"""HTTP helpers shared by the API and the pages (never imported by services)."""

from __future__ import annotations

import ipaddress
import secrets

from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.http import HttpRequest, HttpResponse

from citizencloud.identity.middleware import SESSION_ID
from citizencloud.identity.services import LoginResult, Origin
from citizencloud.identity.services.sessions import bind_page_session

DEVICE_COOKIE = "cc_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600


def origin(request: HttpRequest) -> Origin:
    try:
        ip: str | None = str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        ip = None
    device = request.COOKIES.get(DEVICE_COOKIE, "") or request.headers.get("X-Device-Id", "")
    return Origin(
        ip=ip,
        user_agent=request.headers.get("User-Agent", "")[:300],
        device_id=device[:64],
        request=request,
    )


def ensure_device_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """A long-lived random id per browser, so a sign-in from a new device can be recognised."""
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )


def sign_in(request: HttpRequest, result: LoginResult) -> None:
    """Attach the new device session to a fresh page session (the id rotates)."""
    django_login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_ID] = str(result.session.public_id)
    request.session.save()
    bind_page_session(session=result.session, session_key=request.session.session_key)
    request.identity_session = result.session  # type: ignore[attr-defined]


def sign_out(request: HttpRequest) -> None:
    django_logout(request)
