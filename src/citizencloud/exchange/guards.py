"""Inbound guards: callables that higher layers register to refuse a verified inbound request.

``register(fn)`` from an ``AppConfig.ready()``; every verified inbound request, before its
service runs, calls each guard with a ``Inbound`` (peer code, purpose, legal basis, the citizen's
pseudonymous id, the service and the data items it touches). A guard refuses by raising a
``DomainError`` (e.g. the privacy centre: no consent); the refusal is logged and answered as
signed problem+json. Guards run in the request's transaction and must be quick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Guard", "Inbound", "clear", "register", "run"]


@dataclass(frozen=True)
class Inbound:
    peer_code: str
    purpose: str
    legal_basis: str
    subject: str  # the citizen's pseudonymous id at this peer ("" when not about a citizen)
    service: str  # the inbound service asked for ("ping" …)
    items: tuple[str, ...]  # the data items (or the action) the service reads or changes
    message_id: str


Guard = Callable[[Inbound], None]
_guards: list[Guard] = []


def register(fn: Guard) -> Guard:
    """Run ``fn`` on every verified inbound request (usable as a decorator); idempotent."""
    if fn not in _guards:
        _guards.append(fn)
    return fn


def unregister(fn: Guard) -> None:
    if fn in _guards:
        _guards.remove(fn)


def clear() -> None:
    _guards.clear()


def run(inbound: Inbound) -> None:
    """Call every guard; the first ``DomainError`` raised refuses the request."""
    for guard in list(_guards):
        guard(inbound)
