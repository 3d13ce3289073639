"""Background work: take ids, re-load, idempotent, bounded retries ending in a final state."""

from __future__ import annotations

from django_tasks import task

from citizencloud.notifications import services


@task()
def send_delivery(delivery_id: int) -> str:
    """Send one delivery (services.send_delivery holds the rules and the retry schedule)."""
    return services.send_delivery(delivery_id)
