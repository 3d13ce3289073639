"""Rate limits on the Django cache: sliding windows per IP and per account, 429 problem+json.

The cache is local memory when embedded and Redis at scale (settings.CACHES), so limits hold
across processes and nodes in that mode. The window is the *sliding window counter*: counts of
the current and previous fixed windows, the previous one weighted by how much of it still
overlaps the sliding window. Two cache keys per (scope, subject); ``add`` + ``incr`` are atomic
in both backends.

Use it on a view or a Ninja operation::

    @router.post("/login")
    @decorate_view(rate_limit("identity.login", per_ip="20/m", per_account="5/m",
                              account=lambda request: request.POST.get("username")))
    def login(request, ...): ...

or call ``check(...)`` from a service, which raises ``RateLimited`` (rendered as 429 with
``Retry-After`` by the handler that ``install(api)`` adds).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from citizencloud.kernel import errors

__all__ = ["RateLimited", "check", "client_ip", "install", "parse_rate", "rate_limit"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(errors.DomainError):
    code = "request.rate_limited"
    status = 429

    def __init__(self, retry_after: int, scope: str) -> None:
        super().__init__(
            "Too many requests; try again later.",
            extra={"retry_after": retry_after, "scope": scope},
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


def parse_rate(text: str) -> Rate:
    """``"10/m"``, ``"100/5m"``, ``"1000/h"`` → Rate(limit, window seconds)."""
    count, _, period = text.partition("/")
    unit = period[-1:]
    multiple = int(period[:-1] or 1)
    if unit not in _UNITS or int(count) < 1:
        raise ValueError(f"bad rate {text!r}: use N/s, N/m, N/h, N/d or N/5m")
    return Rate(limit=int(count), window=multiple * _UNITS[unit])


def client_ip(request: HttpRequest) -> str:
    """The peer address Django saw (the proxy in front sets it; see docs/operations.md)."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:  # one subscriber usually owns a whole /64
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _key(scope: str, subject: str, window: int, index: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]  # no PII in cache keys
    return f"rl:{scope}:{digest}:{window}:{index}"


def hit(scope: str, subject: str, rate: Rate, *, now: float | None = None) -> int:
    """Count one request; 0 if allowed, else the seconds to wait before retrying."""
    now = time.time() if now is None else now
    index = int(now // rate.window)
    current_key = _key(scope, subject, rate.window, index)
    cache.add(current_key, 0, timeout=rate.window * 2 + 1)
    try:
        current = cache.incr(current_key)
    except ValueError:  # evicted between add and incr
        cache.set(current_key, 1, timeout=rate.window * 2 + 1)
        current = 1
    previous = int(cache.get(_key(scope, subject, rate.window, index - 1)) or 0)
    elapsed = (now % rate.window) / rate.window
    estimate = previous * (1 - elapsed) + current
    if estimate <= rate.limit:
        return 0
    # Wait until the previous window's weight has decayed enough (or the window rolls over).
    if previous and current <= rate.limit:
        needed = 1 - (rate.limit - current) / previous
        return max(1, math.ceil((needed - elapsed) * rate.window))
    return max(1, math.ceil(rate.window - (now % rate.window)))


def check(scope: str, subject: str, rate: str | Rate) -> None:
    """Count a request of ``subject`` in ``scope``; raise ``RateLimited`` over the limit."""
    if not settings.RATELIMIT_ENABLED or not subject:
        return
    wait = hit(scope, subject, parse_rate(rate) if isinstance(rate, str) else rate)
    if wait:
        raise RateLimited(wait, scope)


def problem_response(request: HttpRequest | None, exc: RateLimited) -> HttpResponse:
    """429 problem+json with ``Retry-After``."""
    return errors.problem(
        request,
        status=429,
        code=exc.code,
        detail=str(exc.message),
        extra=exc.extra,
        headers={"Retry-After": str(exc.retry_after)},
    )


def install(api: Any) -> None:
    """Render ``RateLimited`` raised inside ``api`` as 429 with ``Retry-After``."""
    api.add_exception_handler(RateLimited, problem_response)


def _account(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return str(getattr(user, "public_id", None) or user.pk)


def rate_limit(
    scope: str,
    *,
    per_ip: str | None = None,
    per_account: str | None = None,
    account: Callable[[HttpRequest], str | None] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator (or ``ninja.decorate_view`` argument) limiting per IP and per account.

    ``account`` names the account a request is about (e.g. the login name being tried); the
    default is the signed-in user. Both limits count every request, allowed or not.
    """
    ip_rate = parse_rate(per_ip) if per_ip else None
    account_rate = parse_rate(per_account) if per_account else None

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if ip_rate:
                    check(f"{scope}:ip", client_ip(request), ip_rate)
                if account_rate:
                    subject = (account or _account)(request) or ""
                    check(f"{scope}:account", subject.strip().lower(), account_rate)
            except RateLimited as exc:
                return problem_response(request, exc)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
