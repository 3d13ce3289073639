"""Ninja plumbing shared by every router: a strict JSON parser and problem+json handlers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from citizencloud.kernel import errors
from citizencloud.kernel.logging import get_logger

log = get_logger("citizencloud.api")


class MalformedBody(errors.DomainError):
    """The body is not UTF-8 (400) or not JSON (422)."""


class StrictJSONParser(Parser):
    """Decode strictly: invalid UTF-8 is a 400, broken JSON a 422 with its position."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedBody(
                _("The body is not valid UTF-8 (byte %(position)s).") % {"position": exc.start},
                code="request.invalid_encoding",
                status=400,
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise MalformedBody(
                _("The body is not valid JSON."),
                code="request.malformed_json",
                status=422,
                extra={
                    "errors": [
                        {
                            "loc": ["body"],
                            "msg": f"{exc.msg} (line {exc.lineno}, column {exc.colno})",
                            "type": "json_invalid",
                        }
                    ]
                },
            ) from None


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {
            "loc": list(err.get("loc", [])),
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors
    ]
    return errors.problem(
        request,
        status=422,
        code="request.validation_failed",
        detail=_("Some fields are missing or invalid."),
        extra={"errors": fields},
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, errors.DomainError):
        return errors.from_domain_error(request, cause)
    return errors.problem(
        request, status=exc.status_code, code=f"http.{exc.status_code}", detail=str(exc)
    )


def _domain_error(request: HttpRequest, exc: errors.DomainError) -> HttpResponse:
    return errors.from_domain_error(request, exc)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return errors.problem(request, status=404, code="request.not_found")


def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return errors.problem(
        request,
        status=401,
        code="identity.unauthenticated",
        headers={"WWW-Authenticate": 'Bearer realm="citizencloud"'},
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("api.unexpected_error", error_type=type(exc).__name__)
    return errors.problem(request, status=500, code="request.internal_error")


def new_api(**options: Any) -> NinjaAPI:
    """A NinjaAPI with the strict parser and problem+json errors (the composition root's)."""
    api = NinjaAPI(parser=StrictJSONParser(), **options)
    install_problem_handlers(api)
    return api


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error leaving ``api`` an RFC 9457 problem."""
    api.add_exception_handler(ValidationError, _validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, _http_error)  # type: ignore[arg-type]
    api.add_exception_handler(errors.DomainError, _domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, _not_found)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, _unauthenticated)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, _unexpected)  # type: ignore[arg-type]


def outside_request_transaction(
    patterns: list[Any], api_prefix: str, routes: Iterable[str]
) -> None:
    """Serve some API routes without ``ATOMIC_REQUESTS`` (ADR 0002): the routes that must not
    hold a transaction — or SQLite's write lock — while they wait (a release rush answering
    "full" from a read, a call to a department) and open their own short transactions instead.

    ``patterns`` are the project's URL patterns, ``api_prefix`` the API's mount ("api/v1/");
    a route ending in "/" is a prefix of Ninja route patterns ("me/records/"), any other is one
    pattern exactly ("bookings": not "bookings/<id>"). Ninja views can only be marked on the
    resolved URL patterns, so the composition root calls this after building them."""
    wanted = list(routes)
    for resolver in patterns:
        if str(getattr(resolver, "pattern", "")) != api_prefix:
            continue
        for route in getattr(resolver, "url_patterns", []):
            pattern = str(getattr(route, "pattern", ""))
            if any(pattern.startswith(r) if r.endswith("/") else pattern == r for r in wanted):
                transaction.non_atomic_requests(route.callback)
