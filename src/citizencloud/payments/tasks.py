"""Background work of payments: take ids, re-load, idempotent, bounded retries.

Each task is a unit of work: it opens its own transaction (the worker does not), so a task
killed half-way leaves nothing behind and runs again from the start."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django_tasks import task

from citizencloud.payments import services
from citizencloud.payments.providers import ProviderUnavailable
from citizencloud.payments.services.orders import stale_payment_ids


@task()
def execute_refund(refund_id: int) -> str:
    """Send one approved refund to the provider."""
    with transaction.atomic():
        return services.execute_refund(refund_id=refund_id)


@task()
def query_payment(payment_id: int) -> str:
    """Ask the provider about one order that had no final callback."""
    try:
        with transaction.atomic():
            return services.query_stale(payment_id=payment_id)
    except ProviderUnavailable:
        return "provider_unavailable"  # the next sweep asks again


@task()
def sweep_pending() -> int:
    """Queue a query for every pending order past the query delay."""
    with transaction.atomic():
        ids = stale_payment_ids()
        for payment_id in ids:
            query_payment.enqueue(payment_id)
        return len(ids)


@task()
def reconcile_day(day: str) -> str:
    """Reconcile one day (ISO date) against the provider's settlement file."""
    with transaction.atomic():
        run = services.reconcile(day=dt.date.fromisoformat(day))
    return f"{run.day}: {run.settled_count} lines, {len(run.issues)} issues"
