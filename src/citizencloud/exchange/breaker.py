"""A circuit breaker per peer, kept in the Django cache so every process sees the same state.

Closed: calls go through and failures are counted (the count expires after ``open_seconds``).
After ``failures`` failures in a row it opens: calls fail at once, without touching the network,
for ``open_seconds``. Then it is half-open: one caller (a cache ``add`` decides which) probes;
a success closes it, a failure opens it again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from citizencloud.kernel import clock

__all__ = ["allow", "failure", "reset", "state", "success"]


def _keys(peer: str) -> tuple[str, str, str]:
    return f"exchange:cb:{peer}:fails", f"exchange:cb:{peer}:open", f"exchange:cb:{peer}:probe"


def _now() -> float:
    return clock.now().timestamp()


def state(peer: str) -> str:
    """``closed``, ``open`` or ``half-open``."""
    _, open_key, _ = _keys(peer)
    until = cache.get(open_key)
    if until is None:
        return "closed"
    return "open" if _now() < float(until) else "half-open"


def allow(peer: str) -> bool:
    """Whether a call to ``peer`` may go out now (claims the probe when half-open)."""
    _, open_key, probe_key = _keys(peer)
    until = cache.get(open_key)
    if until is None:
        return True
    if _now() < float(until):
        return False
    return bool(cache.add(probe_key, 1, timeout=int(settings.EXCHANGE_TIMEOUT_SECONDS) + 2))


def success(peer: str) -> None:
    cache.delete_many(list(_keys(peer)))


def failure(peer: str) -> None:
    fails_key, open_key, probe_key = _keys(peer)
    window = settings.EXCHANGE_BREAKER_OPEN_SECONDS
    cache.add(fails_key, 0, timeout=window)
    try:
        count = cache.incr(fails_key)
    except ValueError:  # expired between add and incr
        cache.set(fails_key, 1, timeout=window)
        count = 1
    if count >= settings.EXCHANGE_BREAKER_FAILURES or cache.get(open_key) is not None:
        cache.set(open_key, _now() + window, timeout=window * 10)
        cache.delete(probe_key)


def reset(peer: str) -> None:
    cache.delete_many(list(_keys(peer)))
