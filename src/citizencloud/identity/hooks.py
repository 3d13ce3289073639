"""Ports that higher apps fill in from their ``AppConfig.ready()`` (identity imports none of them).

``register_authorization_guard(fn)``: before the OIDC provider releases anything to a client at
the authorization endpoint, every guard is called as ``fn(user=…, application=…, scopes=…)``; a
guard that says no raises a ``DomainError`` (``privacy`` registers its ``ConsentRequired``
check here), and the client gets the OIDC error ``consent_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["AuthorizationGuard", "check_authorization", "register_authorization_guard"]

AuthorizationGuard = Callable[..., None]
_guards: list[AuthorizationGuard] = []


def register_authorization_guard(guard: AuthorizationGuard) -> AuthorizationGuard:
    """Add ``guard`` (idempotent: registering the same function twice keeps one)."""
    if guard not in _guards:
        _guards.append(guard)
    return guard


def check_authorization(*, user: Any, application: Any, scopes: list[str]) -> None:
    """Run every guard; the first ``DomainError`` refuses the authorization."""
    for guard in list(_guards):
        guard(user=user, application=application, scopes=list(scopes))
