"""The one source of time, so deadlines, SLAs, lotteries and expiries can be tested.

``now()`` is timezone-aware UTC. Tests move time with ``frozen(...)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

_source: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # noqa: E731


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _source()


def set_source(source: Callable[[], dt.datetime]) -> None:
    """Replace the time source (tests, simulations)."""
    global _source
    _source = source


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[Callable[[dt.timedelta], None]]:
    """Freeze time at ``at``; yields ``advance(delta)`` to move it forward."""
    if at.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware datetime")
    global _source
    previous = _source
    current = [at]

    def advance(delta: dt.timedelta) -> None:
        current[0] = current[0] + delta

    _source = lambda: current[0]  # noqa: E731
    try:
        yield advance
    finally:
        _source = previous
