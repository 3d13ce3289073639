"""Domain errors and their RFC 9457 problem+json form.

A service raises ``DomainError(code=..., status=..., message=...)``; it never builds a response.
The API answers ``application/problem+json``; pages show the message in the user's language.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://citizencloud.org/problems/"


class DomainError(Exception):
    """A rule of the domain said no. ``code`` is stable and dotted: ``applications.closed``."""

    code: str = "kernel.error"
    status: int = 400

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.message = message or self.code
        self.extra = extra or {}
        super().__init__(self.message)


class NotFound(DomainError):
    code = "kernel.not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "kernel.forbidden"
    status = 403


class Conflict(DomainError):
    code = "kernel.conflict"
    status = 409


def default_title(status: int) -> str:
    """A short, translated title for an HTTP status."""
    titles = {
        400: _("Bad request"),
        401: _("Sign-in required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        410: _("Gone"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("The request could not be processed"),
        429: _("Too many requests"),
        500: _("Internal error"),
        503: _("Service unavailable"),
    }
    return titles.get(status, _("Error"))


def problem(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    detail: str = "",
    title: str = "",
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Build an RFC 9457 problem+json response; ``code`` doubles as the problem type's name."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title or default_title(status),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
        request_id = getattr(request, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    if extra:
        body.update(extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_domain_error(request: HttpRequest | None, error: DomainError) -> HttpResponse:
    """The problem+json answer for a ``DomainError``."""
    return problem(
        request, status=error.status, code=error.code, detail=str(error.message), extra=error.extra
    )


def wants_problem_json(request: HttpRequest) -> bool:
    """API paths and clients that ask for JSON get problem+json; people get pages."""
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "json" in accept and "html" not in accept
