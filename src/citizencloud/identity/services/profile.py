"""Correcting what the platform itself holds about a person: the display name, and the mobile
number (a code to the NEW number, then the code and the password move the account). The real
name and ID number come from the population registry and are not ours to change."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from citizencloud.identity import tasks, validation
from citizencloud.identity.models import Activity, PhoneChange, User
from citizencloud.identity.services.common import Origin, audit_action, note
from citizencloud.identity.validation import FieldError, InvalidInput
from citizencloud.kernel import clock, events, ratelimit
from citizencloud.kernel.crypto import blind_index

DISPLAY_NAME_MIN = 1
DISPLAY_NAME_MAX = 50
MAX_ATTEMPTS = 5


def _taken() -> InvalidInput:
    return InvalidInput(
        FieldError(
            "phone",
            _(
                "This number is already used by another account. Use a different number, or "
                "call the hotline if it is yours."
            ),
            "phone.taken",
        )
    )


def _bad_code() -> InvalidInput:
    return InvalidInput(
        FieldError(
            "code", _("This code is wrong or has expired. Request a new one."), "code.invalid"
        )
    )


def change_display_name(*, user: User, display_name: str, origin: Origin) -> User:
    """Set the name shown in the header and on receipts (1–50 characters, spaces folded)."""
    text = " ".join((display_name or "").split())
    if not DISPLAY_NAME_MIN <= len(text) <= DISPLAY_NAME_MAX or not text.isprintable():
        raise InvalidInput(
            FieldError(
                "display_name",
                _("A display name has 1 to %(max)d characters.") % {"max": DISPLAY_NAME_MAX},
                "display_name.length",
            )
        )
    if text == user.display_name:
        return user
    User.objects.filter(pk=user.pk).update(display_name=text)
    user.display_name = text
    note(user, Activity.Kind.DISPLAY_NAME_CHANGED, origin)
    audit_action("identity.display_name_changed", origin, actor=user, target=user)
    return user


def start_phone_change(*, user: User, phone: str, origin: Origin) -> PhoneChange:
    """Queue a code to the new number (sent after the commit). A number of another account is
    refused without saying whose; the same number as now is refused as no change."""
    clean = validation.phone(phone)
    index = blind_index(clean, "phone")
    if index == user.phone_index:
        raise InvalidInput(
            FieldError("phone", _("This is already your mobile number."), "phone.same")
        )
    ratelimit.check("identity.phone_change:user", str(user.public_id), settings.IDENTITY_CODE_RATE)
    ratelimit.check("identity.phone_change:phone", index, settings.IDENTITY_CODE_RATE)
    if User.objects.filter(phone_index=index).exclude(pk=user.pk).exists():
        raise _taken()
    now = clock.now()
    PhoneChange.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    change = PhoneChange(
        user=user,
        phone=clean,
        old_phone=str(user.phone) if user.phone else None,
        code=f"{secrets.randbelow(10**6):06d}",
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.IDENTITY_CODE_SECONDS),
    )
    change.save()
    tasks.send_phone_change_code.enqueue(str(change.public_id))
    return change


def confirm_phone_change(*, user: User, code: str, password: str, origin: Origin) -> User:
    """Move the account to the new number: the code (single use, 5 tries, expires) and the
    current password are both required. Audited without the digits; the old number is told."""
    if not password:
        raise InvalidInput(
            FieldError("password", _("Enter your password to confirm."), "password.required")
        )
    now = clock.now()
    change = (
        PhoneChange.objects.filter(user=user, used_at__isnull=True).order_by("-created_at").first()
    )
    if change is None or change.expires_at <= now or change.attempts >= MAX_ATTEMPTS:
        raise _bad_code()
    if not user.check_password(password):
        PhoneChange.objects.filter(pk=change.pk).update(attempts=F("attempts") + 1)
        raise InvalidInput(FieldError("password", _("The password is wrong."), "password.wrong"))
    if not hmac.compare_digest(str(change.code), (code or "").strip()):
        PhoneChange.objects.filter(pk=change.pk).update(attempts=F("attempts") + 1)
        raise _bad_code()
    if not PhoneChange.objects.filter(pk=change.pk, used_at__isnull=True).update(used_at=now):
        raise _bad_code()  # a concurrent request used it first
    if User.objects.filter(phone_index=change.phone_index).exclude(pk=user.pk).exists():
        raise _taken()
    user.phone = str(change.phone)
    user.phone_verified_at = now
    try:
        with transaction.atomic():
            user.save(update_fields=["phone", "phone_index", "phone_verified_at"])
    except IntegrityError:
        raise _taken() from None
    note(user, Activity.Kind.PHONE_CHANGED, origin)
    audit_action("identity.phone_changed", origin, actor=user, target=user)
    events.emit("identity.phone_changed", user_id=str(user.public_id))
    if change.old_phone:
        tasks.send_phone_changed_notice.enqueue(str(change.public_id))
    return user
