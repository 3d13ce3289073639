"""PIPL rights over one's own data: export everything, erase the account while keeping what the
law requires (and saying why), and the registry through which higher apps take part.

Higher apps (payments, applications …) cannot be imported from here, so they register from
their ``AppConfig.ready()``: ``rights.register("payments", label=…, export=fn, erase=fn,
retained=fn)``. ``export(user)`` returns JSON-ready data, ``erase(user)`` removes what may go,
``retained(user)`` lists ``Retained`` rows (what stays, how many, and the law that says so).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizencloud.identity.models import (
    Activity,
    PasswordReset,
    RecoveryCode,
    TotpDevice,
    User,
    UserKind,
    UserSession,
)
from citizencloud.identity.models import Consent as SsoConsent
from citizencloud.identity.selectors import consents as sso_consents
from citizencloud.kernel import audit, clock, events
from citizencloud.kernel.errors import DomainError, PermissionDenied
from citizencloud.privacy import consents, selectors
from citizencloud.privacy.consents import ref
from citizencloud.privacy.models import Consent, DataAccess

__all__ = ["Retained", "erase_account", "export_data", "register"]


@dataclass(frozen=True)
class Retained:
    category: str
    count: int
    reason: str


@dataclass(frozen=True)
class Participant:
    label: Any
    export: Callable[[Any], Any] | None
    erase: Callable[[Any], None] | None
    retained: Callable[[Any], list[Retained]] | None


_participants: dict[str, Participant] = {}


def register(
    name: str,
    *,
    label: Any,
    export: Callable[[Any], Any] | None = None,
    erase: Callable[[Any], None] | None = None,
    retained: Callable[[Any], list[Retained]] | None = None,
) -> None:
    """Let app ``name`` contribute to export and erasure (idempotent per name)."""
    _participants[name] = Participant(label=label, export=export, erase=erase, retained=retained)


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def export_data(*, user: User, request: Any = None) -> dict[str, Any]:
    """Everything the platform holds about ``user``, in clear (it is their own copy)."""
    data: dict[str, Any] = {
        "format": "citizencloud-export/1",
        "exported_at": clock.now().isoformat(),
        "account": {
            "id": str(user.public_id),
            "login": user.username,
            "real_name": str(user.real_name or ""),
            "id_number": str(user.id_number or ""),
            "phone": str(user.phone or ""),
            "assurance": int(user.assurance),
            "joined": _iso(user.date_joined),
        },
        "sessions": [
            {
                "created": _iso(s.created_at),
                "last_seen": _iso(s.last_seen_at),
                "ip": s.ip,
                "device": s.user_agent,
                "ended": _iso(s.ended_at),
            }
            for s in UserSession.objects.filter(user=user).order_by("-created_at")
        ],
        "activity": [
            {"kind": a.kind, "at": _iso(a.at), "ip": a.ip}
            for a in Activity.objects.filter(user=user).order_by("-at")
        ],
        "consents": [
            selectors.receipt(c)
            for c in Consent.objects.filter(subject=user).select_related("party", "subject")
        ],
        "single_sign_on_apps": [
            {
                "app": str(c.application.name),
                "scopes": list(c.scopes),
                "granted": _iso(c.granted_at),
            }
            for c in sso_consents(user)
        ],
        "data_access": [
            {
                "at": _iso(a.accessed_at),
                "who": a.accessor_department or a.accessor_kind,
                "purpose": a.purpose,
                "legal_basis": a.legal_basis,
                "fields": list(a.fields),
                "channel": a.channel,
            }
            for a in selectors.accesses_for(user)
        ],
    }
    for name, part in sorted(_participants.items()):
        if part.export is not None:
            data[name] = part.export(user)
    audit.record(action="privacy.data_exported", actor=user, target=user, request=request)
    return data


def export_json(*, user: User, request: Any = None) -> bytes:
    data = export_data(user=user, request=request)
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


class ErasureRefused(DomainError):
    code = "privacy.erasure_refused"
    status = 409


LEDGER_REASON = gettext_lazy(
    "Records of who processed your data are kept for 3 years (PIPL art. 54–56); they hold "
    "field names and purposes, not your data."
)
CONSENT_REASON = gettext_lazy(
    "Consent records prove what you allowed while it was in force (PIPL art. 14); they hold "
    "no personal data."
)
AUDIT_REASON = gettext_lazy(
    "The tamper-evident audit log is kept for at least 6 months (Cybersecurity Law art. 21); "
    "it refers to you only by a random id."
)


def retained(user: User) -> list[Retained]:
    """What erasure keeps, how much of it, and why."""
    from citizencloud.kernel.models import AuditEntry

    rows = [
        Retained(
            str(_("Data-access records")),
            DataAccess.objects.filter(citizen=user).count(),
            str(LEDGER_REASON),
        ),
        Retained(
            str(_("Consent records")),
            Consent.objects.filter(subject=user).count(),
            str(CONSENT_REASON),
        ),
        Retained(
            str(_("Audit log entries")),
            AuditEntry.objects.filter(actor_id=str(user.public_id)).count(),
            str(AUDIT_REASON),
        ),
    ]
    for _name, part in sorted(_participants.items()):
        if part.retained is not None:
            rows.extend(part.retained(user))
    return [row for row in rows if row.count]


def erase_account(*, user: User, password: str, request: Any = None) -> list[Retained]:
    """Delete or anonymise ``user``: consents withdrawn (parties notified), every session and
    token ended, personal data removed; what the law requires stays, detached from identity."""
    if user.kind != UserKind.CITIZEN:
        raise ErasureRefused(_("Only citizen accounts can be erased here."))
    if not user.check_password(password):
        audit.record(action="privacy.erasure_refused", actor=user, target=user, request=request)
        raise PermissionDenied(_("The password is not right."), code="privacy.bad_password")
    for consent in Consent.objects.filter(consents.live(), subject=user):
        consents.revoke(citizen=user, consent_id=consent.public_id, request=request)
    for app in SsoConsent.objects.filter(user=user).select_related("application"):
        from citizencloud.identity.services.consent import end_app_access

        end_app_access(user=user, application=app.application)
    for _name, part in sorted(_participants.items()):
        if part.erase is not None:
            part.erase(user)
    kept = retained(user)
    session_keys = [
        k for k in UserSession.objects.filter(user=user).values_list("session_key", flat=True) if k
    ]
    Session.objects.filter(session_key__in=session_keys).delete()
    for model in (UserSession, Activity, TotpDevice, RecoveryCode, PasswordReset, SsoConsent):
        model.objects.filter(user=user).delete()
    tag = ref(str(user.public_id))
    user.username = f"erased-{tag}"
    user.display_name = ""
    user.real_name = None
    user.id_number = None
    user.phone = None
    user.is_active = False
    user.set_unusable_password()
    user.phone_verified_at = None
    user.save()
    audit.record(
        action="privacy.account_erased",
        actor=audit.Actor(id=str(user.public_id), kind="citizen"),
        target=("identity.user", str(user.public_id)),
        details={"retained": [{"category": r.category, "count": r.count} for r in kept]},
        request=request,
    )
    events.emit("privacy.account_erased", user_public_id=str(user.public_id))
    if connection.vendor == "sqlite":
        transaction.on_commit(_checkpoint_wal)
    return kept


def _checkpoint_wal() -> None:
    # Old page images of the erased rows may sit in the WAL until a checkpoint; truncate it.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
