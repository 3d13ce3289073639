"""``citizencloud-sim sms|email|pay|bank|dept``: run a simulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys

from citizencloud_sim.messaging import Faults, serve
from citizencloud_sim.serving import run_until_stopped


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citizencloud-sim", description=__doc__)
    parser.add_argument("kind", choices=["sms", "email"], help="which provider to simulate")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks the default per kind")
    parser.add_argument("--api-key", default="dev-gateway-key")
    parser.add_argument("--callback-secret", default="dev-callback-secret")
    parser.add_argument("--latency-ms", type=int, default=30, help="answer delay of a send")
    parser.add_argument("--callback-delay-ms", type=int, default=200, help="send → callback")
    parser.add_argument("--slow-ms", type=int, default=0, help="extra delay (the 'slow' switch)")
    parser.add_argument("--down", action="store_true", help="answer every send with 503")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="0–1 temporary failures")
    parser.add_argument("--duplicate", action="store_true", help="send each final callback twice")
    parser.add_argument("--out-of-order", action="store_true", help="final status before 'sending'")
    parser.add_argument("--seed", type=int, default=None, help="random seed (reproducible faults)")
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["pay"]:
        from citizencloud_sim import pay

        pay.main(argv[1:])
        return
    if argv[:1] == ["bank"]:
        from citizencloud_sim import bank

        bank.main(argv[1:])
        return
    if argv[:1] == ["dept"]:
        from citizencloud_sim import dept

        dept.main(argv[1:])
        return
    args = _parser().parse_args(argv)
    faults = Faults(
        latency_ms=args.latency_ms, callback_delay_ms=args.callback_delay_ms,
        slow_ms=args.slow_ms, down=args.down, failure_rate=args.failure_rate,
        duplicate=args.duplicate, out_of_order=args.out_of_order,
    )  # fmt: skip
    port = args.port or {"sms": 8025, "email": 8026}[args.kind]
    server = serve(
        kind=args.kind, host=args.host, port=port, api_key=args.api_key,
        secret=args.callback_secret, faults=faults, seed=args.seed,
    )  # fmt: skip

    run_until_stopped(server, args.kind, args.host, server.server_port)
