"""What every identity service needs: where a request came from, hashing, activity and audit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from citizencloud.identity.models import Activity, User, UserSession
from citizencloud.kernel import audit, clock


@dataclass(frozen=True)
class Origin:
    """Where an action came from. ``request`` is passed through to the audit log only."""

    ip: str | None = None
    user_agent: str = ""
    device_id: str = ""
    request: Any = field(default=None, repr=False, compare=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def note(user: User, kind: str, origin: Origin, *, session: UserSession | None = None) -> Activity:
    """Add an entry to the account's activity page."""
    return Activity.objects.create(
        user=user,
        kind=kind,
        at=clock.now(),
        ip=origin.ip,
        user_agent=origin.user_agent[:300],
        session=session,
    )


def audit_action(
    action: str,
    origin: Origin,
    *,
    actor: Any = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the audit chain (ids only in ``details``)."""
    audit.record(action=action, actor=actor, target=target, details=details, request=origin.request)
