"""PURE: working days on a China holiday calendar (rest days, public holidays, make-up days).

The data is the State Council's yearly notice (``kernel/data/calendar_cn.json``); SLAs in
``applications`` and opening days in ``booking`` both count on it, so it lives in the kernel.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Calendar", "china"]

DATA = Path(__file__).parent / "data" / "calendar_cn.json"


@dataclass(frozen=True)
class Calendar:
    """Weekends are rest days, except make-up working days (调休上班); holidays are rest days."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_working_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        while days > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                days -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: 0 when ``end`` is not after ``start``."""
        count, current = 0, start
        while current < end:
            current += dt.timedelta(days=1)
            count += self.is_working_day(current)
        return count


@functools.cache
def china() -> Calendar:
    """The mainland China calendar shipped with the platform."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return Calendar(
        holidays=frozenset(dt.date.fromisoformat(d) for d in raw["holidays"]),
        makeup_working_days=frozenset(dt.date.fromisoformat(d) for d in raw["makeup_working_days"]),
    )
