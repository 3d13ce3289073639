"""``citizencloud serve``: the platform on one port, plus one task worker (embedded mode)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from citizencloud.kernel import serving


class Command(BaseCommand):
    help = (
        "Serve the platform with granian. --role all (default): the ASGI edge with Django "
        "behind it and one task worker; --role web: Django WSGI only; --role edge: edge only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=settings.SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVE_PORT)
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS)
        parser.add_argument("--threads", type=int, default=16, help="WSGI threads per worker")
        parser.add_argument("--role", choices=serving.ROLES, default="all")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start a task worker (role all)."
        )
        parser.add_argument("--grace", type=float, default=10.0, help="Seconds to stop cleanly.")
        parser.add_argument(
            "--simulators",
            action="store_true",
            help="Also run the simulated payment provider (development only; `make run` does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        plan = serving.Plan(
            role=options["role"],
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            with_worker=options["role"] == "all" and not options["no_worker"],
        )
        metrics_dir = serving.prepare_metrics_dir(settings.DATA_DIR, plan)
        commands = {"server": serving.granian_command(plan)}
        if plan.with_worker:
            commands["worker"] = serving.worker_command()
        if options["simulators"]:
            if settings.ENVIRONMENT == "production":
                raise CommandError("--simulators is for development and demos, not production.")
            commands.update(serving.simulator_commands(settings))
        env = serving.child_environment(metrics_dir, edge_only=plan.role == "edge")
        self.stdout.write(
            f"citizencloud ({plan.role}) on http://{plan.host}:{plan.port}/ "
            f"with {plan.workers} worker process(es)"
            + (" and a task worker" if plan.with_worker else "")
            + ". Ctrl-C stops."
        )
        code = serving.Supervisor(commands, env, grace=options["grace"]).run()
        if code:
            raise SystemExit(code)
