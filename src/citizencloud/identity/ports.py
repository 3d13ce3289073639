"""Ports to systems outside the platform, chosen by settings: the real-name verifier."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from citizencloud.kernel.crypto import normalize

__all__ = ["DemoPopulationRegistry", "RealNameVerifier", "realname_verifier"]

REALNAME_BACKENDS = {"development": "citizencloud.identity.ports.DemoPopulationRegistry"}
DEMO_POPULATION = Path(__file__).resolve().parent / "data" / "demo_population.json"


class RealNameVerifier(Protocol):
    def verify(self, *, name: str, id_number: str) -> bool:
        """Whether the population registry holds a person with this name and ID number."""


class DemoPopulationRegistry:
    """Development adapter: the invented people of ``data/demo_population.json``."""

    def __init__(self, path: Path = DEMO_POPULATION) -> None:
        people = json.loads(path.read_text(encoding="utf-8"))["people"]
        self._people = {
            normalize(person["id_number"], "id_number"): person["name"] for person in people
        }

    def verify(self, *, name: str, id_number: str) -> bool:
        return self._people.get(normalize(id_number, "id_number")) == name.strip()

    def people(self) -> dict[str, str]:
        return dict(self._people)


@functools.cache
def _load(path: str) -> RealNameVerifier:
    verifier: RealNameVerifier = import_string(path)()
    return verifier


def realname_verifier() -> RealNameVerifier:
    """The configured adapter."""
    name = settings.REALNAME_BACKEND
    return _load(REALNAME_BACKENDS.get(name, name))
