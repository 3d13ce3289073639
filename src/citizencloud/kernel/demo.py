"""Demo data: each app registers a seeder; ``citizencloud seed_demo`` runs them in order.

Seeders must be idempotent (running twice changes nothing) and return the demo accounts they
created or found, so the command can list them and write ``<data>/demo-accounts.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class DemoAccount:
    login: str
    password: str
    role: str
    description: str


Seeder = Callable[[], list[DemoAccount]]
_seeders: list[tuple[int, str, Seeder]] = []


def register(order: int, name: str) -> Callable[[Seeder], Seeder]:
    """Register ``fn`` as the seeder ``name``; lower ``order`` runs first (identity before org…)."""

    def decorator(fn: Seeder) -> Seeder:
        if all(existing != name for _, existing, _ in _seeders):
            _seeders.append((order, name, fn))
            _seeders.sort(key=lambda item: item[0])
        return fn

    return decorator


def seeders() -> list[tuple[str, Seeder]]:
    return [(name, fn) for _, name, fn in _seeders]


def as_json(accounts: list[DemoAccount]) -> list[dict[str, str]]:
    return [asdict(account) for account in accounts]
