"""Domain events: facts an app announces, delivered to subscribers after the commit.

``emit("identity.password_changed", user_id=7)`` writes one task per subscriber in the caller's
transaction (the outbox, docs/decisions/0003): a rollback drops the event, a commit makes it
durable, and a worker calls each handler with the payload. Higher apps subscribe to lower ones
(``notifications`` to ``identity``) from their ``AppConfig.ready()``; the emitter never imports
them. Payloads are small JSON that refer to ids — never raw personal data. Delivery is at least
once, so handlers must be idempotent (use ``event_id`` to deduplicate).
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_tasks import task

from citizencloud.kernel import clock

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Event:
    name: str
    event_id: str
    occurred_at: str
    payload: dict[str, Any]


Handler = Callable[[Event], None]
_subscribers: dict[str, list[str]] = {}


def _path(handler: Handler) -> str:
    return f"{handler.__module__}:{handler.__qualname__}"


def subscribe(*names: str) -> Callable[[Handler], Handler]:
    """Register a module-level function as the handler of the events ``names``."""

    def decorator(handler: Handler) -> Handler:
        if "." in handler.__qualname__ or "<" in handler.__qualname__:
            raise ValueError("event handlers must be module-level functions")
        for name in names:
            paths = _subscribers.setdefault(name, [])
            if _path(handler) not in paths:
                paths.append(_path(handler))
        return handler

    return decorator


def subscribers(name: str) -> list[str]:
    return list(_subscribers.get(name, ()))


def emit(name: str, **payload: Any) -> Event:
    """Announce ``name`` with ``payload``; each subscriber runs after the surrounding commit."""
    if not _NAME.match(name):
        raise ValueError(f"event names are dotted lower-case words, not {name!r}")
    json.dumps(payload)  # refuse what the task queue could not carry, here and not later
    event = Event(name, uuid.uuid4().hex, clock.now().isoformat(), payload)
    for path in subscribers(name):
        deliver.enqueue(path, name, event.event_id, event.occurred_at, payload)
    return event


def _resolve(path: str) -> Handler:
    module_name, _, function_name = path.partition(":")
    handler: Handler = getattr(importlib.import_module(module_name), function_name)
    return handler


@task()
def deliver(
    handler: str, name: str, event_id: str, occurred_at: str, payload: dict[str, Any]
) -> None:
    """Run one subscriber for one event (a task, so it retries on its own after a crash).

    The worker opens no transaction of its own: each handler runs in one, so a handler that
    fails half-way leaves nothing behind (docs/decisions/0002-unit-of-work.md)."""
    with transaction.atomic():
        _resolve(handler)(Event(name, event_id, occurred_at, payload))
