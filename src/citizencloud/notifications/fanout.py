"""Telling the stream (notifications/stream.py) that a person's inbox changed.

At scale (``CITIZENCLOUD_REDIS_URL`` set) every change is published, after the commit, on one
Redis pub/sub channel that every edge process subscribes to, so whichever process holds the
person's connection pushes it. Embedded (no Redis) the edge process reads new message ids from
the database itself (one indexed query per process every ``NOTIFY_STREAM_POLL_SECONDS``), so a
message created by the task worker — another process — still reaches it; publishing is then a
no-op.
"""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.db import transaction

from citizencloud.kernel.logging import get_logger

CHANNEL = "citizencloud:notifications"
log = get_logger("citizencloud.notifications.fanout")


@functools.cache
def _redis() -> object:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def publish(user_id: int, message_id: int | None) -> None:
    """Announce now that ``user_id``'s inbox changed (``message_id``: a new message)."""
    if not settings.REDIS_URL:
        return
    payload = json.dumps({"user": user_id, "message": message_id})
    try:
        _redis().publish(CHANNEL, payload)  # type: ignore[attr-defined]
    except Exception:  # the stream is a convenience: the inbox itself is already committed
        log.warning("notifications.publish_failed", exc_info=True)


def publish_on_commit(user_id: int, message_id: int | None) -> None:
    """Announce the change once the surrounding transaction has committed."""
    transaction.on_commit(lambda: publish(user_id, message_id))
