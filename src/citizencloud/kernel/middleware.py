"""Request-boundary middleware: request id and log context, metrics, body limit, error shapes."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from citizencloud.kernel import errors, metrics
from citizencloud.kernel.logging import get_logger
from citizencloud.kernel.views import error_page

Handler = Callable[[HttpRequest], HttpResponse]
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = get_logger("citizencloud.request")


def _request_id(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _VALID_REQUEST_ID.match(offered) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Honour or create ``X-Request-ID``, bind it to every log line, echo it back, log access."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        log.info(
            "request",
            method=request.method,
            route=metrics.route_of(request),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        structlog.contextvars.clear_contextvars()
        return response


class MetricsMiddleware:
    """Count requests and time them, labelled by route template (never the raw path)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.observe_request(
            method=request.method or "",
            route=metrics.route_of(request),
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


class BodyLimitMiddleware:
    """Refuse a body larger than ``MAX_BODY_BYTES`` with 413 before anything reads it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_BODY_BYTES
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            return errors.problem(
                request, status=400, code="request.bad_length", detail="Bad Content-Length"
            )
        if length > limit:
            return self._too_large(request, limit)
        try:
            return self.get_response(request)
        except RequestDataTooBig:
            return self._too_large(request, limit)

    @staticmethod
    def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
        return errors.problem(
            request,
            status=413,
            code="request.too_large",
            detail=f"The request body is larger than {limit} bytes.",
            headers={"Connection": "close"},
        )


class ProblemJsonMiddleware:
    """Give every API error the problem+json shape; render domain errors on pages politely."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or response.streaming:
            return response
        if errors.wants_problem_json(request):
            if not response.get("Content-Type", "").startswith(errors.PROBLEM_CONTENT_TYPE):
                return self._as_problem(request, response)
        elif response.status_code == 405 and not response.content:
            page = error_page(request, status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    @staticmethod
    def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        headers = {}
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in response:
                headers[name] = response[name]
        code = {
            404: "request.not_found",
            405: "request.method_not_allowed",
            403: "request.forbidden",
        }.get(response.status_code, f"http.{response.status_code}")
        return errors.problem(request, status=response.status_code, code=code, headers=headers)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, errors.DomainError):
            if errors.wants_problem_json(request):
                return errors.from_domain_error(request, exception)
            return error_page(request, status=exception.status, message=str(exception.message))
        return None


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
View = Callable[..., HttpResponse]


def writes_on_safe_methods(view: View) -> View:
    """Mark a view that writes even on GET/HEAD/OPTIONS (SQLite then begins it IMMEDIATE)."""
    view.writes_on_safe_methods = True  # type: ignore[attr-defined]
    return view


class SqliteReadTransactionMiddleware:
    """On SQLite, let safe requests read in a DEFERRED transaction instead of taking the write lock.

    Writers must ``BEGIN IMMEDIATE`` (docs/decisions/0002-unit-of-work.md), but with
    ``ATOMIC_REQUESTS`` that would make every GET take the database's single write lock, and all
    reads across all processes would queue behind each other and behind every write. GET, HEAD and
    OPTIONS views therefore run their request transaction as ``BEGIN DEFERRED`` (a consistent
    read snapshot, no lock); every other method keeps ``IMMEDIATE``. A view that must write on a
    safe method sets ``view.writes_on_safe_methods = True``. PostgreSQL needs none of this.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], *args: object
    ) -> None:
        reads_only = request.method in SAFE_METHODS and not getattr(
            view_func, "writes_on_safe_methods", False
        )
        opted_out: set[str] = getattr(view_func, "_non_atomic_requests", set())
        for connection in connections.all():
            if connection.vendor != "sqlite":
                continue
            try:
                # Connecting resets the mode from settings, so connect first, then choose.
                connection.ensure_connection()
            except DatabaseError:
                continue  # the view's own transaction will report it
            # A non-atomic view reads in autocommit and opens its own (writing) transactions.
            deferred = reads_only and connection.alias not in opted_out
            connection.transaction_mode = "DEFERRED" if deferred else "IMMEDIATE"  # type: ignore[attr-defined]
