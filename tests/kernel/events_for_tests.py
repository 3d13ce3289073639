"""A subscriber used by the event tests: it records what it saw in a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from citizencloud.kernel import events


@events.subscribe("tests.thing_happened")
def remember(event: events.Event) -> None:
    path = Path(os.environ["CITIZENCLOUD_TEST_EVENTS_FILE"])
    with path.open("a") as handle:
        handle.write(json.dumps({"name": event.name, "payload": event.payload}) + "\n")
