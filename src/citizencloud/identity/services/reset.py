"""Forgotten password: a code to the account's phone sets a new one, lifts a sign-in lockout and
ends every session. Answers the same for phones with and without an account."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from citizencloud.identity import tasks, validation
from citizencloud.identity.models import Activity, PasswordReset, User
from citizencloud.identity.services import throttle
from citizencloud.identity.services.common import Origin, audit_action, note
from citizencloud.identity.services.sessions import end_all_sessions
from citizencloud.identity.services.signin import throttle_key
from citizencloud.identity.validation import FieldError, InvalidInput
from citizencloud.kernel import clock, events, ratelimit
from citizencloud.kernel.crypto import blind_index

MAX_ATTEMPTS = 5


def request_reset(*, phone: str) -> None:
    """Queue a reset code for the account with this phone, if there is one (after the commit)."""
    clean = validation.phone(phone)
    index = blind_index(clean, "phone")
    ratelimit.check("identity.reset:phone", index, settings.IDENTITY_CODE_RATE)
    now = clock.now()
    PasswordReset.objects.filter(phone_index=index, used_at__isnull=True).update(used_at=now)
    reset = PasswordReset(
        phone_index=index,
        user=User.objects.filter(phone_index=index, is_active=True).first(),
        code=f"{secrets.randbelow(10**6):06d}",
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.IDENTITY_CODE_SECONDS),
    )
    reset.save()
    tasks.send_reset_code.enqueue(str(reset.public_id))


def _bad_code() -> InvalidInput:
    return InvalidInput(
        FieldError(
            "code", _("This code is wrong or has expired. Request a new one."), "code.invalid"
        )
    )


def confirm_reset(*, phone: str, code: str, new_password: str, origin: Origin) -> User:
    """Check the code (single use, 5 tries, expires) and set the new password."""
    index = blind_index(validation.phone(phone), "phone")
    now = clock.now()
    reset = (
        PasswordReset.objects.filter(phone_index=index, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if reset is None or reset.expires_at <= now or reset.attempts >= MAX_ATTEMPTS:
        raise _bad_code()
    if reset.user is None or not hmac.compare_digest(str(reset.code), (code or "").strip()):
        PasswordReset.objects.filter(pk=reset.pk).update(attempts=F("attempts") + 1)
        raise _bad_code()
    user = reset.user
    validation.password(
        new_password,
        id_number=str(user.id_number or ""),
        phone=str(user.phone or ""),
        field="new_password",
    )
    if not PasswordReset.objects.filter(pk=reset.pk, used_at__isnull=True).update(used_at=now):
        raise _bad_code()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    for login in (str(user.phone or ""), str(user.id_number or ""), user.username):
        if login:
            throttle.unlock(throttle_key(login))
    end_all_sessions(user=user, origin=origin, keep=None, log=False)
    note(user, Activity.Kind.PASSWORD_CHANGED, origin)
    audit_action("identity.password_reset", origin, actor=user, target=user)
    events.emit("identity.password_changed", user_id=str(user.public_id))
    return user
