"""Signing in with phone or ID number (or a staff login name) + password (+ TOTP), and
changing the password. Unknown and known accounts take the same path and the same time."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.utils.translation import gettext as _

from citizencloud.identity import validation
from citizencloud.identity.models import Activity, LoginThrottle, User, UserSession
from citizencloud.identity.services import mfa, throttle
from citizencloud.identity.services.common import Origin, audit_action, note
from citizencloud.identity.services.sessions import end_all_sessions, start_session
from citizencloud.identity.validation import FieldError, InvalidInput
from citizencloud.kernel import events
from citizencloud.kernel.crypto import blind_index, normalize
from citizencloud.kernel.errors import DomainError


class BadCredentials(DomainError):
    code = "identity.bad_credentials"
    status = 401

    def __init__(self) -> None:
        super().__init__(_("The login or the password is wrong."))


class MfaRequired(DomainError):
    code = "identity.mfa_required"
    status = 401

    def __init__(self) -> None:
        super().__init__(_("Enter the 6-digit code from your authenticator app."))


class BadOtp(DomainError):
    code = "identity.bad_otp"
    status = 401

    def __init__(self) -> None:
        super().__init__(_("This verification code is wrong or was already used."))


@dataclass(frozen=True)
class LoginResult:
    user: User
    session: UserSession
    token: str


@functools.cache
def _dummy_hash(algorithm: str) -> str:
    # Verified against when the login name is unknown, so both cases cost one check with the
    # preferred hasher's current parameters.
    return make_password("citizencloud-no-such-account")


def canonical_login(login: str) -> str:
    """PURE-ish: one canonical form per account name, so '+86 138…' and '138…' share a throttle."""
    text = normalize(login or "", "phone")
    if validation.looks_like_phone(text):
        return "phone:" + text
    upper = normalize(login or "", "id_number")
    if len(upper) == 18 and upper[:17].isdigit():
        return "id:" + upper
    return "name:" + (login or "").strip().lower()


def throttle_key(login: str) -> str:
    return blind_index(canonical_login(login), "login")


def find_account(login: str) -> User | None:
    """The account named by a phone number, an ID number or a staff login name."""
    canonical = canonical_login(login)
    kind, _sep, value = canonical.partition(":")
    if kind == "phone":
        return User.objects.filter(phone_index=blind_index(value, "phone")).first()
    if kind == "id":
        return User.objects.filter(id_number_index=blind_index(value, "id_number")).first()
    return User.objects.filter(username__iexact=value).first()


def _ip_key(ip: str | None) -> str:
    """One throttle per IPv4 address or IPv6 /64 (one subscriber usually owns a whole /64)."""
    if not ip:
        return ""
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        address = ipaddress.ip_network(f"{address}/64", strict=False).network_address
    return blind_index(str(address), "ip")


def authenticate(*, login: str, password: str, origin: Origin) -> User:
    """The account if the password is right; otherwise count a failure and raise."""
    key = throttle_key(login)
    if origin.ip:
        throttle.check(LoginThrottle.Scope.IP, _ip_key(origin.ip))
    throttle.check(LoginThrottle.Scope.ACCOUNT, key)
    user = find_account(login)
    if user is not None and user.is_active:
        valid = user.check_password(password or "")
    else:
        check_password(password or "", _dummy_hash(get_hasher().algorithm))
        valid = False
    if not valid:
        _failed(user, key, origin, reason="password")
        raise BadCredentials()
    assert user is not None  # noqa: S101 (valid implies found)
    return user


def _failed(user: User | None, key: str, origin: Origin, *, reason: str) -> None:
    throttle.fail(LoginThrottle.Scope.ACCOUNT, key)
    if origin.ip:
        throttle.fail(LoginThrottle.Scope.IP, _ip_key(origin.ip))
    if user is not None:
        note(user, Activity.Kind.LOGIN_FAILED, origin)
    audit_action(
        "identity.login_failed",
        origin,
        actor=user,
        target=user,
        details={"reason": reason, "known": user is not None},
    )


def second_factor(*, user: User, otp: str, key: str, origin: Origin) -> None:
    """Check a TOTP or recovery code; a wrong one counts as a failed sign-in of ``key``."""
    throttle.check(LoginThrottle.Scope.ACCOUNT, key)
    if not mfa.check_code(user=user, code=otp, origin=origin):
        _failed(user, key, origin, reason="otp")
        raise BadOtp()


def login(*, login: str, password: str, otp: str | None, origin: Origin) -> LoginResult:
    """Password (+ second factor when enrolled) → a new session with its bearer token."""
    user = authenticate(login=login, password=password, origin=origin)
    has_mfa = mfa.is_enrolled(user)
    if has_mfa:
        if not otp:
            raise MfaRequired()
        second_factor(user=user, otp=otp, key=throttle_key(login), origin=origin)
    return finish_login(user=user, key=throttle_key(login), mfa=has_mfa, origin=origin)


def finish_login(*, user: User, key: str, mfa: bool, origin: Origin) -> LoginResult:
    """Both factors passed: clear the throttle, open the session, record it."""
    throttle.succeed(key)
    session, token = start_session(user=user, mfa=mfa, origin=origin)
    audit_action("identity.login", origin, actor=user, target=user, details={"mfa": mfa})
    return LoginResult(user=user, session=session, token=token)


def change_password(*, user: User, current: str, new: str, origin: Origin) -> None:
    """Change the password (current one required) and end every other session."""
    if not user.check_password(current or ""):
        raise InvalidInput(
            FieldError("current_password", _("The current password is wrong."), "password.wrong")
        )
    validation.password(
        new,
        id_number=str(user.id_number or ""),
        phone=str(user.phone or ""),
        field="new_password",
    )
    user.set_password(new)
    user.save(update_fields=["password"])
    note(user, Activity.Kind.PASSWORD_CHANGED, origin)
    audit_action("identity.password_changed", origin, actor=user, target=user)
    events.emit("identity.password_changed", user_id=str(user.public_id))
    end_all_sessions(user=user, origin=origin, keep=None, log=False)
