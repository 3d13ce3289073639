"""The trust kernel's background duties, run by every task worker in a thread.

Every ``AUDIT_CHAIN_SECONDS``: chain new audit entries (and sign a checkpoint when due). Every
hour: prune audit entries past retention and expired idempotency keys. Several workers may run
it at once: chaining is serialised by the audit head row, so they never fork the chain.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

from citizencloud.kernel import audit, idempotency
from citizencloud.kernel.logging import get_logger

log = get_logger("citizencloud.chainer")
HOUSEKEEPING_SECONDS = 3600


class Chainer(threading.Thread):
    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="audit-chainer", daemon=True)
        self.interval = float(interval or settings.AUDIT_CHAIN_SECONDS)
        self._stop_event = threading.Event()
        self._housekept = 0.0

    def tick(self) -> None:
        audit.chain_pending()
        if time.monotonic() - self._housekept >= HOUSEKEEPING_SECONDS:
            self._housekept = time.monotonic()
            audit.prune_expired()
            idempotency.purge_expired()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.tick()
            except Exception:  # a locked or restarting database must not kill the worker
                log.exception("audit.chain_failed")
            finally:
                close_old_connections()
            self._stop_event.wait(self.interval)
        connection.close()

    def stop(self) -> None:
        self._stop_event.set()
