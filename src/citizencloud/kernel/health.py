"""Liveness and readiness checks."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

from citizencloud.kernel import clock
from citizencloud.kernel import worker as worker_support
from citizencloud.kernel.logging import get_logger

log = get_logger("citizencloud.health")


def database_ok() -> bool:
    """The default database answers ``SELECT 1``."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except DatabaseError:
        log.warning("readiness.database_unreachable")
        connection.close_if_unusable_or_obsolete()
        return False


def cache_ok() -> bool:
    """The cache stores and returns a value."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = bool(cache.get(key) == "1")
        cache.delete(key)
        return ok
    except Exception:  # noqa: BLE001  (redis-py raises its own ConnectionError family)
        log.warning("readiness.cache_unreachable")
        return False


def worker_ok() -> bool:
    """Some task worker has beaten within ``WORKER_STALE_AFTER`` seconds."""
    try:
        seen = worker_support.last_heartbeat()
    except DatabaseError:
        return False
    limit = dt.timedelta(seconds=settings.WORKER_STALE_AFTER)
    return seen is not None and clock.now() - seen <= limit


def readiness() -> dict[str, bool]:
    """Each dependency and whether it is ready."""
    database = database_ok()
    return {
        "database": database,
        "cache": cache_ok(),
        "worker": database and worker_ok(),
    }
