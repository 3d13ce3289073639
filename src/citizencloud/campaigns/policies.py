"""PURE: who may enter a campaign (no ORM, no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    min_assurance: int
    regions: tuple[str, ...]
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class Person:
    assurance: int
    region_code: str | None  # the six-digit administrative code of the ID number
    birth_date: dt.date | None


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years completed on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def refusal(rules: Rules, person: Person, *, on: dt.date) -> str | None:
    """None if ``person`` is eligible on ``on``; else the dotted reason code."""
    if person.assurance < rules.min_assurance:
        return "campaigns.assurance_too_low"
    if rules.regions and not (
        person.region_code and any(person.region_code.startswith(r) for r in rules.regions)
    ):
        return "campaigns.region_not_eligible"
    if rules.min_age is not None or rules.max_age is not None:
        if person.birth_date is None:
            return "campaigns.age_unknown"
        age = age_on(person.birth_date, on)
        if rules.min_age is not None and age < rules.min_age:
            return "campaigns.too_young"
        if rules.max_age is not None and age > rules.max_age:
            return "campaigns.too_old"
    return None


UPCOMING, OPEN, SOLD_OUT, CLOSED, DRAWN = "upcoming", "open", "sold_out", "closed", "drawn"


def phase(
    *,
    first_come: bool,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    drawn_at: dt.datetime | None,
    remaining: int,
    now: dt.datetime,
) -> str:
    """Where a campaign stands at ``now``: not open yet, open, sold out (first come), closed
    (a lottery awaiting its draw, or a first-come sale over) or drawn (results published)."""
    if drawn_at is not None:
        return DRAWN
    if now < opens_at:
        return UPCOMING
    if now >= closes_at:
        return CLOSED
    if first_come and remaining <= 0:
        return SOLD_OUT
    return OPEN
