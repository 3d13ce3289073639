"""Tasks used by the worker tests; they leave evidence in files so other processes can see it."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def record_run(marker: str, release: str = "") -> str:
    """Append a line to ``marker``; if ``release`` is given, block until that file exists."""
    with Path(marker).open("a") as handle:
        handle.write("run\n")
    deadline = time.monotonic() + 60
    while release and not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return "done"
