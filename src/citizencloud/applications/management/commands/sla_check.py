"""``citizencloud sla_check``: one SLA sweep (warn at 80 %, overdue, escalate)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citizencloud.applications import tasks


class Command(BaseCommand):
    help = "Warn at 80 % of a case's SLA, mark overdue cases and escalate them to supervisors."

    def handle(self, *args: Any, **options: Any) -> None:
        result = tasks.sweep()  # one transaction per batch of cases
        self.stdout.write(f"warned {result.warned}, escalated {result.escalated}")
