"""Consent to department apps: remembered per app, widened when an app asks for more, revocable
(which also revokes the app's tokens)."""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import AccessToken, RefreshToken

from citizencloud.identity.models import Consent, User
from citizencloud.identity.services.common import Origin, audit_action
from citizencloud.kernel import clock
from citizencloud.kernel.errors import NotFound


def covers(*, user: User, application: Any, scopes: list[str]) -> bool:
    """Whether a remembered consent already covers ``scopes``."""
    consent = Consent.objects.filter(
        user=user, application=application, revoked_at__isnull=True
    ).first()
    return consent is not None and set(scopes) <= set(consent.scopes)


def grant(*, user: User, application: Any, scopes: list[str], origin: Origin) -> Consent:
    """Remember that ``user`` lets ``application`` receive ``scopes`` (added to earlier ones)."""
    consent = Consent.objects.filter(
        user=user, application=application, revoked_at__isnull=True
    ).first()
    if consent is None:
        consent = Consent(user=user, application=application, scopes=[], granted_at=clock.now())
    consent.scopes = sorted(set(consent.scopes) | set(scopes))
    consent.granted_at = clock.now()
    consent.save()
    audit_action(
        "identity.consent_granted",
        origin,
        actor=user,
        target=consent,
        details={"client_id": str(application.client_id), "scopes": consent.scopes},
    )
    return consent


def revoke(*, user: User, consent_id: str, origin: Origin) -> None:
    """Withdraw a consent and every token the app holds for this person."""
    consent = Consent.objects.filter(
        user=user, public_id=consent_id, revoked_at__isnull=True
    ).first()
    if consent is None:
        raise NotFound()
    Consent.objects.filter(pk=consent.pk).update(revoked_at=clock.now())
    for refresh in RefreshToken.objects.filter(user=user, application=consent.application):
        refresh.revoke()
    AccessToken.objects.filter(user=user, application=consent.application).delete()
    audit_action(
        "identity.consent_revoked",
        origin,
        actor=user,
        target=consent,
        details={"client_id": str(consent.application.client_id)},
    )


def end_app_access(*, user: User, application: Any, origin: Origin | None = None) -> int:
    """End everything ``application`` holds for ``user`` at once: its tokens, pending codes and
    the remembered sign-in consent (the next sign-in asks again). Returns the tokens ended."""
    from oauth2_provider.models import Grant

    ended = 0
    for refresh in RefreshToken.objects.filter(
        user=user, application=application, revoked__isnull=True
    ):
        refresh.revoke()
        ended += 1
    ended += int(AccessToken.objects.filter(user=user, application=application).delete()[0])
    Grant.objects.filter(user=user, application=application).delete()
    Consent.objects.filter(user=user, application=application, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    if origin is not None:
        audit_action(
            "identity.app_access_ended",
            origin,
            actor=user,
            target=("oauth2_provider.application", str(application.client_id)),
            details={"client_id": str(application.client_id), "grants_ended": ended},
        )
    return ended


def authenticate_client(*, client_id: str, client_secret: str) -> Any:
    """The confidential OIDC client with these credentials (``client_secret_basic``), or None."""
    from django.contrib.auth.hashers import check_password, identify_hasher
    from django.utils.crypto import constant_time_compare
    from oauth2_provider.models import get_application_model

    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None or not client_secret:
        return None
    stored = str(application.client_secret)
    try:
        identify_hasher(stored)
        good = check_password(client_secret, stored)
    except ValueError:
        good = constant_time_compare(client_secret, stored)
    return application if good else None
