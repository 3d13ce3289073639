"""Sessions and devices: open (with a bearer token), keep alive within the idle and absolute
timeouts, end one, end all, and "this wasn't me"."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.module_loading import import_string

from citizencloud.identity.models import Activity, User, UserSession
from citizencloud.identity.services.common import Origin, audit_action, note, sha256
from citizencloud.kernel import clock, events
from citizencloud.kernel.errors import NotFound

TOUCH_EVERY = dt.timedelta(seconds=60)


def start_session(*, user: User, mfa: bool, origin: Origin) -> tuple[UserSession, str]:
    """A new session for ``user``; the clear token is returned once, only its hash is kept."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    device_hash = sha256(f"{user.public_id}:{origin.device_id}") if origin.device_id else ""
    known_device = bool(device_hash) and (
        UserSession.objects.filter(user=user, device_hash=device_hash).exists()
    )
    first_ever = not UserSession.objects.filter(user=user).exists()
    session = UserSession.objects.create(
        user=user,
        token_hash=sha256(token),
        device_hash=device_hash,
        user_agent=origin.user_agent[:300],
        ip=origin.ip,
        mfa=mfa,
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )
    User.objects.filter(pk=user.pk).update(last_login=now)
    note(user, Activity.Kind.LOGIN, origin, session=session)
    if not known_device and not first_ever:
        note(user, Activity.Kind.NEW_DEVICE, origin, session=session)
        events.emit(
            "identity.new_device_login",
            user_id=str(user.public_id),
            session_id=str(session.public_id),
        )
    return session, token


def bind_page_session(*, session: UserSession, session_key: str | None) -> None:
    """Remember which page (cookie) session belongs to this device session."""
    UserSession.objects.filter(pk=session.pk).update(session_key=session_key)


def is_live(session: UserSession, now: dt.datetime | None = None) -> bool:
    """PURE: not ended, within the absolute timeout and the idle timeout."""
    now = now or clock.now()
    idle = dt.timedelta(seconds=settings.IDENTITY_IDLE_SECONDS)
    return (
        session.ended_at is None and session.expires_at > now and session.last_seen_at + idle > now
    )


def touch_session(session: UserSession) -> None:
    """Record activity (at most once a minute, so reads stay cheap)."""
    now = clock.now()
    if now - session.last_seen_at >= TOUCH_EVERY:
        UserSession.objects.filter(pk=session.pk).update(last_seen_at=now)
        session.last_seen_at = now


def _drop_page_session(session_key: str | None) -> None:
    if session_key:
        store: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
        store(session_key).delete()


def _end(session: UserSession, now: dt.datetime) -> bool:
    ended = UserSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now)
    _drop_page_session(session.session_key)
    return bool(ended)


def end_session(*, user: User, session_id: str, origin: Origin, logout: bool = False) -> None:
    """End one of the user's own sessions (a device signs out)."""
    session = UserSession.objects.filter(user=user, public_id=session_id).first()
    if session is None:
        raise NotFound()
    if _end(session, clock.now()):
        kind = Activity.Kind.LOGOUT if logout else Activity.Kind.SESSION_ENDED
        note(user, kind, origin, session=session)
        audit_action(
            "identity.logout" if logout else "identity.session_ended",
            origin,
            actor=user,
            target=session,
        )


def end_all_sessions(
    *, user: User, origin: Origin, keep: UserSession | None, log: bool = True
) -> int:
    """Sign out everywhere (except ``keep``); returns how many sessions ended."""
    now = clock.now()
    live = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if keep is not None:
        live = live.exclude(pk=keep.pk)
    count = 0
    for session in live.order_by("pk"):
        count += _end(session, now)
    if log:
        note(user, Activity.Kind.SESSION_ENDED, origin, session=keep)
        audit_action(
            "identity.signed_out_everywhere",
            origin,
            actor=user,
            target=user,
            details={"sessions": count},
        )
    return count


def report_not_me(*, user: User, activity_id: str, origin: Origin) -> None:
    """'This wasn't me': flag the entry, end its session (or all others) and audit it."""
    entry = Activity.objects.filter(user=user, public_id=activity_id).first()
    if entry is None:
        raise NotFound()
    Activity.objects.filter(pk=entry.pk).update(reported=True)
    if entry.session is not None:
        _end(entry.session, clock.now())
    note(user, Activity.Kind.NOT_ME, origin)
    audit_action(
        "identity.reported_not_me",
        origin,
        actor=user,
        target=entry,
        details={"activity": str(entry.public_id)},
    )
