"""PURE rules: slot templates, the release instant, the no-show ban, the check-in window, and the
holiday calendar now in the kernel."""

from __future__ import annotations

import datetime as dt

import pytest

from citizencloud.booking import policies
from citizencloud.kernel import workdays

UTC = dt.UTC


def test_sessions_are_cut_into_slots_in_local_time() -> None:
    sessions = policies.parse_sessions([["13:30", "15:00"], ["09:00", "10:00"]])
    slots = policies.day_slots(
        dt.date(2026, 12, 1), sessions=sessions, minutes=30, horizon_days=7,
        release_time=dt.time(8, 0),
    )  # fmt: skip
    starts = [s.starts_at.astimezone(policies.LOCAL).strftime("%H:%M") for s in slots]
    assert starts == ["09:00", "09:30", "13:30", "14:00", "14:30"]
    assert {s.released_at for s in slots} == {dt.datetime(2026, 11, 24, 0, 0, tzinfo=UTC)}


@pytest.mark.parametrize("raw", [[["10:00", "09:00"]], [["09:00", "12:00"], ["11:00", "13:00"]]])
def test_bad_sessions_are_refused(raw: list[list[str]]) -> None:
    with pytest.raises(ValueError, match="overlap"):
        policies.parse_sessions(raw)


def test_no_show_ban() -> None:
    now = dt.datetime(2026, 11, 28, tzinfo=UTC)
    days = [now - dt.timedelta(days=d) for d in (80, 40, 2)]
    rule = {"limit": 3, "window_days": 90, "ban_days": 30}
    assert policies.banned_until(days, now=now, **rule) == days[-1] + dt.timedelta(days=30)
    assert policies.banned_until(days[1:], now=now, **rule) is None
    later = now + dt.timedelta(days=29)
    assert policies.banned_until(days, now=later, **rule) is None  # the oldest left the window
    assert policies.banned_until(days, now=now, limit=0, window_days=90, ban_days=30) is None


def test_check_in_window() -> None:
    start = dt.datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    opens, closes = policies.checkin_window(start, early_minutes=60, late_minutes=15)
    assert (opens, closes) == (start - dt.timedelta(hours=1), start + dt.timedelta(minutes=15))


def test_the_kernel_calendar_knows_holidays_and_make_up_days() -> None:
    china = workdays.china()
    assert not china.is_working_day(dt.date(2026, 10, 1))
    assert china.is_working_day(dt.date(2026, 10, 10))  # Saturday, a make-up working day
    assert not policies.is_open(dt.date(2026, 10, 1), open_on="workdays", calendar=china)
    assert policies.is_open(dt.date(2026, 10, 1), open_on="daily", calendar=china)
