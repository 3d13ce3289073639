"""PURE delivery lifecycle: which provider report changes a delivery, retries and fallback.

created → sending → delivered | temporary-failure | permanent-failure | technical-failure.
A delivery is *final* once nothing more will happen to it. Provider callbacks may arrive twice or
out of order: a final delivery never changes, a report older than the one applied is ignored,
and the same status twice is a no-op.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PROVIDER_STATUSES = ("sending", "delivered", "temporary-failure", "permanent-failure")
FAILURES = ("temporary-failure", "permanent-failure", "technical-failure")
FALLBACK_ORDER = ("sms", "email")


@dataclass(frozen=True)
class Decision:
    apply: bool
    final: bool = False
    retry: bool = False
    fallback: bool = False


IGNORE = Decision(apply=False)


def on_provider_status(
    *, current: str, final: bool, current_at: dt.datetime | None, reported: str,
    reported_at: dt.datetime, attempt: int, max_attempts: int, statutory: bool,
) -> Decision:  # fmt: skip
    """What a provider's ``reported`` status does to a delivery in ``current``."""
    if reported not in PROVIDER_STATUSES or final:
        return IGNORE
    if current_at is not None and reported_at <= current_at:
        return IGNORE  # a duplicate, or older than what we already know
    if reported == current:
        return IGNORE
    if reported == "sending":
        return Decision(apply=True)
    if reported == "delivered":
        return Decision(apply=True, final=True)
    retry = reported == "temporary-failure" and attempt < max_attempts
    return Decision(apply=True, final=not retry, retry=retry, fallback=statutory and not retry)


def on_technical_error(*, errors: int, max_errors: int, statutory: bool) -> Decision:
    """Our side could not hand the message over (gateway down, timeout)."""
    if errors < max_errors:
        return Decision(apply=False, retry=True)
    return Decision(apply=True, final=True, fallback=statutory)


def backoff(retry: int, *, base: float = 2.0, cap: float = 600.0) -> float:
    """Seconds to wait before retry number ``retry`` (1, 2, …): doubling, capped."""
    return float(min(cap, base * 2 ** max(0, retry - 1)))


def fallback_channel(failed: str, available: set[str]) -> str | None:
    """The next channel to try after ``failed`` failed for good, among ``available``."""
    order = list(FALLBACK_ORDER)
    if failed in order:
        order = order[order.index(failed) + 1 :] + order[: order.index(failed)]
    for channel in order:
        if channel != failed and channel in available:
            return channel
    return None
