"""What the workers run on their own: the SLA sweep, every five minutes across all workers."""

from __future__ import annotations

from citizencloud.applications import tasks
from citizencloud.kernel import periodic


@periodic.every(seconds=300, name="applications.sla_sweep")
def sla_sweep() -> None:
    """Warn at 80 %, mark overdue and escalate (the task is idempotent per case)."""
    tasks.check_sla.enqueue()
