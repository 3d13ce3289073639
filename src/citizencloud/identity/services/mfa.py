"""TOTP second factor (RFC 6238, 30 s, 6 digits, ±1 step, no replay) and recovery codes."""

from __future__ import annotations

import secrets

import pyotp
from django.db.models import Q
from django.utils.translation import gettext as _

from citizencloud.identity.models import Activity, RecoveryCode, TotpDevice, User, UserSession
from citizencloud.identity.services.common import Origin, audit_action, note
from citizencloud.identity.validation import FieldError, InvalidInput
from citizencloud.kernel import clock, events
from citizencloud.kernel.crypto import blind_index

ISSUER = "Citizen Cloud"
RECOVERY_CODES = 10
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def is_enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def provisioning_uri(device: TotpDevice, user: User) -> str:
    label = user.display_name or user.username
    return pyotp.TOTP(str(device.secret)).provisioning_uri(name=label, issuer_name=ISSUER)


def start_totp(*, user: User) -> TotpDevice:
    """A fresh unconfirmed secret (replacing an unconfirmed one); refused if already enrolled."""
    if is_enrolled(user):
        raise InvalidInput(
            FieldError("code", _("Two-step verification is already on."), "mfa.already_enrolled")
        )
    TotpDevice.objects.filter(user=user).delete()
    device = TotpDevice(user=user, created_at=clock.now())
    device.secret = pyotp.random_base32()
    device.save()
    return device


def _matching_counter(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    now = clock.now()
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    for step in (0, -1, 1):
        at = now.timestamp() + step * totp.interval
        if secrets.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


def _use_totp(device: TotpDevice, code: str) -> bool:
    counter = _matching_counter(str(device.secret), code)
    if counter is None:
        return False
    # One conditional update: a code (counter) is accepted at most once.
    return bool(
        TotpDevice.objects.filter(pk=device.pk, last_counter__lt=counter).update(
            last_counter=counter
        )
    )


def confirm_totp(
    *, user: User, code: str, origin: Origin, session: UserSession | None = None
) -> list[str]:
    """Turn MFA on when the first code matches; returns the recovery codes (shown once).
    The session that enrolled counts as having passed the second factor."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None or not _use_totp(device, code):
        raise InvalidInput(
            FieldError(
                "code", _("This code does not match. Check your device's clock."), "mfa.bad_code"
            )
        )
    TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=clock.now())
    codes = _new_recovery_codes(user)
    if session is not None:
        UserSession.objects.filter(pk=session.pk).update(mfa=True)
        session.mfa = True
    note(user, Activity.Kind.MFA_ENROLLED, origin)
    audit_action("identity.mfa_enrolled", origin, actor=user, target=user)
    events.emit("identity.mfa_changed", user_id=str(user.public_id), enabled=True)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=blind_index(f"{user.public_id}:{c}", "recovery"))
        for c in codes
    )
    return codes


def check_code(*, user: User, code: str, origin: Origin) -> bool:
    """A current TOTP code or an unused recovery code (which is then spent)."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    if _use_totp(device, code):
        return True
    text = (code or "").strip().lower()
    if len(text) != 11:
        return False
    spent = RecoveryCode.objects.filter(
        Q(used_at__isnull=True),
        user=user,
        code_hash=blind_index(f"{user.public_id}:{text}", "recovery"),
    ).update(used_at=clock.now())
    if spent:
        note(user, Activity.Kind.RECOVERY_CODE_USED, origin)
        audit_action("identity.recovery_code_used", origin, actor=user, target=user)
    return bool(spent)


def disable_totp(*, user: User, password: str, origin: Origin) -> None:
    """Turn MFA off (password required; staff and admins may not)."""
    if user.must_use_mfa:
        raise InvalidInput(
            FieldError(
                "password", _("Staff accounts must keep two-step verification on."), "mfa.required"
            )
        )
    if not user.check_password(password or ""):
        raise InvalidInput(FieldError("password", _("The password is wrong."), "password.wrong"))
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    note(user, Activity.Kind.MFA_DISABLED, origin)
    audit_action("identity.mfa_disabled", origin, actor=user, target=user)
    events.emit("identity.mfa_changed", user_id=str(user.public_id), enabled=False)
