"""The synonym groups of ``data/synonyms.yaml`` (医保 ↔ 医疗保险), read once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "synonyms.yaml"


@functools.cache
def groups(path: Path = DATA_FILE) -> tuple[tuple[str, ...], ...]:
    """Each group lists words citizens use for the same thing."""
    with path.open(encoding="utf-8") as handle:
        return tuple(tuple(str(word) for word in group) for group in yaml.safe_load(handle))
