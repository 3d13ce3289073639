"""PURE: working days on a China holiday calendar, and the SLA deadline of a case.

A deadline of N working days ends at the end of the Nth working day after the day the clock
started. Days on which the case waited for the citizen (a supplement) do not count: each paused
working day pushes the deadline back by one working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from citizencloud.kernel.workdays import Calendar

__all__ = ["Calendar", "SlaStatus", "sla_status"]


@dataclass(frozen=True)
class SlaStatus:
    deadline: dt.date
    used_days: int
    total_days: int
    colour: str  # "green" | "amber" | "red"

    @property
    def fraction(self) -> float:
        return self.used_days / self.total_days if self.total_days else 1.0


WARN_FRACTION = 0.8


def sla_status(
    calendar: Calendar,
    *,
    started: dt.date,
    total_days: int,
    paused_days: int,
    today: dt.date,
    paused_since: dt.date | None = None,
) -> SlaStatus:
    """Where a case stands against its deadline on ``today`` (a paused clock stands still)."""
    running_pause = calendar.working_days_between(paused_since, today) if paused_since else 0
    deadline = calendar.add_working_days(started, total_days + paused_days + running_pause)
    used = calendar.working_days_between(started, today) - paused_days - running_pause
    used = max(used, 0)
    if today > deadline:
        colour = "red"
    elif total_days and used >= WARN_FRACTION * total_days:
        colour = "amber"
    else:
        colour = "green"
    return SlaStatus(deadline=deadline, used_days=used, total_days=total_days, colour=colour)
