"""Prometheus metrics, safe with several worker processes.

When ``PROMETHEUS_MULTIPROC_DIR`` is set (``citizencloud serve`` sets it for its children), each
process writes its samples there and ``/metrics`` aggregates them. Routes are labelled by their
URL pattern (``api/v1/items/<int:id>``), never the raw path, so labels stay bounded.
"""

from __future__ import annotations

import os

from django.http import HttpRequest
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

UNMATCHED = "<unmatched>"

REQUESTS = Counter(
    "citizencloud_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "citizencloud_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def route_of(request: HttpRequest) -> str:
    """The URL pattern that matched ``request``, or ``<unmatched>``."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        return UNMATCHED
    return "/" + str(match.route).lstrip("^").rstrip("$")


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    """Record one answered request."""
    method = method if method in _KNOWN_METHODS else "OTHER"
    REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    LATENCY.labels(method=method, route=route).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The metrics text of this process, or of all processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
