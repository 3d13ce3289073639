"""Sign-in throttling held in the database: per login name (growing delays, a hard lock at 100
consecutive failures) and per IP. Keys are blind indexes, so unknown and known login names are
throttled alike (no enumeration)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from citizencloud.identity.models import LoginThrottle
from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError

FOREVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


class LockedOut(DomainError):
    code = "identity.locked"
    status = 429

    def __init__(self, until: dt.datetime) -> None:
        if until >= FOREVER:
            message = _(
                "Too many failed attempts: this account is locked. Call the hotline to unlock it."
            )
            retry = 86400
        else:
            retry = max(1, math.ceil((until - clock.now()).total_seconds()))
            message = _("Too many failed attempts. Try again in %(seconds)d seconds.") % {
                "seconds": retry
            }
        super().__init__(message, extra={"retry_after": retry})
        self.retry_after = retry


def account_delay(failures: int) -> dt.timedelta | None:
    """PURE: how long a login name waits after ``failures`` consecutive failures (None: no wait)."""
    if failures >= settings.IDENTITY_HARD_LOCK_AFTER:
        return FOREVER - dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    free = settings.IDENTITY_LOCK_AFTER
    if failures < free:
        return None
    seconds = min(settings.IDENTITY_LOCK_BASE_SECONDS * 2 ** (failures - free), 3600)
    return dt.timedelta(seconds=seconds)


def check(scope: str, key: str) -> None:
    """Raise ``LockedOut`` while ``key`` is locked."""
    row = LoginThrottle.objects.filter(scope=scope, key=key).only("locked_until").first()
    if row is not None and row.locked_until is not None and row.locked_until > clock.now():
        raise LockedOut(row.locked_until)


def fail(scope: str, key: str) -> None:
    """Count one failure and lock when the policy says so (one conditional update, no race)."""
    now = clock.now()
    row, _created = LoginThrottle.objects.get_or_create(
        scope=scope, key=key, defaults={"window_started_at": now}
    )
    if scope == LoginThrottle.Scope.IP:
        window = dt.timedelta(seconds=settings.IDENTITY_IP_WINDOW_SECONDS)
        if row.window_started_at + window <= now:
            LoginThrottle.objects.filter(pk=row.pk).update(failures=0, window_started_at=now)
    LoginThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
    row.refresh_from_db(fields=["failures"])
    if scope == LoginThrottle.Scope.IP:
        if row.failures >= settings.IDENTITY_IP_FAILURES:
            until = now + dt.timedelta(seconds=settings.IDENTITY_IP_WINDOW_SECONDS)
            LoginThrottle.objects.filter(pk=row.pk).update(locked_until=until)
        return
    delay = account_delay(row.failures)
    if delay is not None:
        until = FOREVER if row.failures >= settings.IDENTITY_HARD_LOCK_AFTER else now + delay
        LoginThrottle.objects.filter(pk=row.pk).update(locked_until=until)


def succeed(key: str) -> None:
    """A correct sign-in clears the login name's consecutive failures."""
    LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, key=key).delete()


def unlock(key: str) -> None:
    succeed(key)
