"""What the workers run on their own: the pending-order sweep and the daily reconciliation."""

from __future__ import annotations

import datetime as dt

from citizencloud.kernel import clock, periodic
from citizencloud.payments import selectors, tasks


@periodic.every(seconds=60, name="payments.sweep_pending")
def sweep_pending() -> None:
    """Query the provider about orders that stayed pending past the query delay."""
    tasks.sweep_pending.enqueue()


@periodic.every(seconds=24 * 3600, name="payments.reconcile_yesterday")
def reconcile_yesterday() -> None:
    """Reconcile yesterday (Asia/Shanghai) against the provider's settlement file, once a day."""
    yesterday = selectors.local(clock.now()).date() - dt.timedelta(days=1)
    tasks.reconcile_day.enqueue(yesterday.isoformat())
