"""Citizen registration: details → phone code (sent after the commit) → active account (L1);
real-name verification against the population registry → L2."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from citizencloud.identity import ports, tasks, validation
from citizencloud.identity.models import Activity, Assurance, PendingRegistration, User
from citizencloud.identity.services.common import Origin, audit_action, note
from citizencloud.identity.validation import FieldError, InvalidInput
from citizencloud.kernel import clock, ratelimit
from citizencloud.kernel.crypto import blind_index
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.masking import mask_name

MAX_CODE_ATTEMPTS = 5


def register_citizen(*, name: str, id_number: str, phone: str, password: str) -> None:
    """Start a registration and queue the phone code. Answers the same whether or not the phone
    or ID number already has an account (no enumeration); the text message tells the owner."""
    problems: list[FieldError] = []
    clean: dict[str, str] = {}
    for field, check, value in (
        ("name", validation.real_name, name),
        ("id_number", validation.id_number, id_number),
        ("phone", validation.phone, phone),
    ):
        try:
            clean[field] = check(value, field=field)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    try:
        validation.password(
            password, id_number=clean.get("id_number", ""), phone=clean.get("phone", "")
        )
    except InvalidInput as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidInput(*problems)
    phone_index = blind_index(clean["phone"], "phone")
    ratelimit.check("identity.register:phone", phone_index, settings.IDENTITY_CODE_RATE)
    now = clock.now()
    PendingRegistration.objects.filter(phone_index=phone_index, used_at__isnull=True).update(
        used_at=now
    )
    _prune(now)
    pending = PendingRegistration(
        real_name=clean["name"],
        id_number=clean["id_number"],
        phone=clean["phone"],
        password=make_password(password),
        code=f"{secrets.randbelow(10**6):06d}",
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.IDENTITY_CODE_SECONDS),
    )
    pending.save()
    tasks.send_registration_code.enqueue(str(pending.public_id))


def _prune(now: dt.datetime) -> None:
    """Drop a few registrations that expired a day ago (their sealed details are of no use)."""
    stale = PendingRegistration.objects.filter(expires_at__lt=now - dt.timedelta(days=1))
    ids = list(stale.order_by("pk").values_list("pk", flat=True)[:100])
    if ids:
        PendingRegistration.objects.filter(pk__in=ids).delete()


def _bad_code() -> InvalidInput:
    return InvalidInput(
        FieldError(
            "code", _("This code is wrong or has expired. Request a new one."), "code.invalid"
        )
    )


def verify_phone(*, phone: str, code: str, origin: Origin) -> User:
    """Check the phone code (single use, 5 tries, expires) and create the account at L1."""
    clean_phone = validation.phone(phone)
    now = clock.now()
    pending = (
        PendingRegistration.objects.filter(
            phone_index=blind_index(clean_phone, "phone"), used_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if pending is None or pending.expires_at <= now or pending.attempts >= MAX_CODE_ATTEMPTS:
        raise _bad_code()
    if not hmac.compare_digest(str(pending.code), (code or "").strip()):
        PendingRegistration.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
        raise _bad_code()
    if not PendingRegistration.objects.filter(pk=pending.pk, used_at__isnull=True).update(
        used_at=now
    ):
        raise _bad_code()  # a concurrent request used it first
    return _create_citizen(pending, now, origin)


def _create_citizen(pending: PendingRegistration, now: dt.datetime, origin: Origin) -> User:
    taken = _("This ID number already has an account. Sign in, or call the hotline for help.")
    if User.objects.filter(id_number_index=blind_index(str(pending.id_number))).exists():
        raise InvalidInput(FieldError("id_number", taken, "id_number.taken"))
    user = User(
        username=f"c-{secrets.token_hex(8)}",
        display_name=mask_name(str(pending.real_name)),
        real_name=str(pending.real_name),
        id_number=str(pending.id_number),
        phone=str(pending.phone),
        password=pending.password,
        assurance=Assurance.PHONE,
        phone_verified_at=now,
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise InvalidInput(FieldError("id_number", taken, "id_number.taken")) from None
    note(user, Activity.Kind.REGISTERED, origin)
    audit_action("identity.registered", origin, actor=user, target=user)
    return user


def verify_identity(*, user: User, origin: Origin) -> User:
    """Raise the account to L2 when the population registry confirms name and ID number."""
    if user.assurance >= Assurance.IDENTITY:
        return user
    if not user.id_number or not user.real_name:
        raise DomainError(_("This account has no ID number to verify."), code="identity.no_id")
    verifier = ports.realname_verifier()
    if not verifier.verify(name=str(user.real_name), id_number=str(user.id_number)):
        audit_action("identity.realname_failed", origin, actor=user, target=user)
        raise DomainError(
            _("The population registry does not confirm this name and ID number."),
            code="identity.realname_mismatch",
            status=422,
        )
    User.objects.filter(pk=user.pk).update(
        assurance=Assurance.IDENTITY, identity_verified_at=clock.now()
    )
    user.refresh_from_db()
    audit_action("identity.realname_verified", origin, actor=user, target=user)
    return user
