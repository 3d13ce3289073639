"""PURE: slot templates, the release rule, the no-show policy and the check-in window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from citizencloud.kernel.workdays import Calendar

LOCAL = ZoneInfo("Asia/Shanghai")

__all__ = [
    "LOCAL",
    "SlotTimes",
    "banned_until",
    "checkin_window",
    "day_slots",
    "is_open",
    "parse_sessions",
    "released_at",
]


@dataclass(frozen=True)
class SlotTimes:
    starts_at: dt.datetime
    ends_at: dt.datetime
    released_at: dt.datetime


def parse_sessions(raw: Iterable[Sequence[str]]) -> list[tuple[dt.time, dt.time]]:
    """``[["09:00", "12:00"]]`` → times; refuses overlapping, empty or reversed sessions."""
    sessions = sorted((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in raw)
    previous_end = dt.time.min
    for start, end in sessions:
        if not start < end or start < previous_end:
            raise ValueError("sessions must be ordered, non-empty and must not overlap")
        previous_end = end
    return sessions


def is_open(day: dt.date, *, open_on: str, calendar: Calendar) -> bool:
    return open_on == "daily" or calendar.is_working_day(day)


def released_at(day: dt.date, *, horizon_days: int, release_time: dt.time) -> dt.datetime:
    """Slots of ``day`` open for booking ``horizon_days`` before, at the daily release time."""
    release_day = day - dt.timedelta(days=horizon_days)
    return dt.datetime.combine(release_day, release_time, tzinfo=LOCAL).astimezone(dt.UTC)


def day_slots(
    day: dt.date,
    *,
    sessions: Sequence[tuple[dt.time, dt.time]],
    minutes: int,
    horizon_days: int,
    release_time: dt.time,
) -> list[SlotTimes]:
    """The slots of one opening day: each session cut into ``minutes``-long periods."""
    step = dt.timedelta(minutes=minutes)
    release = released_at(day, horizon_days=horizon_days, release_time=release_time)
    found = []
    for start, end in sessions:
        current = dt.datetime.combine(day, start, tzinfo=LOCAL)
        close = dt.datetime.combine(day, end, tzinfo=LOCAL)
        while current + step <= close:
            found.append(
                SlotTimes(current.astimezone(dt.UTC), (current + step).astimezone(dt.UTC), release)
            )
            current += step
    return found


def banned_until(
    no_shows: Sequence[dt.datetime],
    *,
    now: dt.datetime,
    limit: int,
    window_days: int,
    ban_days: int,
) -> dt.datetime | None:
    """When ``limit`` no-shows fall within ``window_days`` days, online booking stops for
    ``ban_days`` days after the last of them. None when the person may book."""
    if limit <= 0:
        return None
    recent = sorted(t for t in no_shows if t > now - dt.timedelta(days=window_days))
    if len(recent) < limit:
        return None
    until = recent[-1] + dt.timedelta(days=ban_days)
    return until if until > now else None


def checkin_window(
    starts_at: dt.datetime, *, early_minutes: int, late_minutes: int
) -> tuple[dt.datetime, dt.datetime]:
    """From ``early_minutes`` before the slot to ``late_minutes`` after its start."""
    return (
        starts_at - dt.timedelta(minutes=early_minutes),
        starts_at + dt.timedelta(minutes=late_minutes),
    )
