"""Run one simulator's HTTP server until Ctrl-C or SIGTERM, then close its socket and exit 0."""

from __future__ import annotations

import signal
import sys
from socketserver import BaseServer
from types import FrameType


def run_until_stopped(server: BaseServer, name: str, host: str, port: int) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"citizencloud-sim {name} on http://{host}:{port}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)
