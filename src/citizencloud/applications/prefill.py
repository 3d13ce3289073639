"""A port: sources of form values that departments already hold (once-only, 一次不跑).

A form field's ``x-ui.prefill`` hint names a value: plain names (``name``, ``phone``) come
from the account; dotted ones (``housing_fund.balance_yuan``, ``real_estate.address``) from a
source registered here. applications cannot import its sibling ``query`` (DESIGN §4), so the
composition root registers query's provider (``citizencloud.wiring``, ADR 0014).

A source is called as ``source(citizen=…, keys=[…], request=…)`` and returns, for the keys it
knows, ``{"value": str, "source": <department name>, "as_of": datetime | None}``. It must not
raise for an unavailable department (it simply returns fewer keys) and must answer promptly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

__all__ = ["Prefilled", "Source", "clear", "lookup", "register"]

Source = Callable[..., Mapping[str, Mapping[str, Any]]]
_sources: list[Source] = []


@dataclass(frozen=True)
class Prefilled:
    value: str
    source: str  # the department the value came from
    as_of: dt.datetime | None = None


def register(source: Source) -> Source:
    """Add a source of prefill values (idempotent)."""
    if source not in _sources:
        _sources.append(source)
    return source


def clear() -> None:
    _sources.clear()


def lookup(
    *, citizen: Any, keys: Sequence[str], request: HttpRequest | None = None
) -> dict[str, Prefilled]:
    """The values the registered sources hold for ``keys`` (dotted keys only)."""
    wanted = sorted({k for k in keys if "." in k})
    found: dict[str, Prefilled] = {}
    for source in list(_sources):
        missing = [k for k in wanted if k not in found]
        if not missing:
            break
        for key, item in source(citizen=citizen, keys=missing, request=request).items():
            if key in missing and item.get("value") not in (None, ""):
                found[key] = Prefilled(
                    value=str(item["value"]),
                    source=str(item.get("source", "")),
                    as_of=item.get("as_of"),
                )
    return found
