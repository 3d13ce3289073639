"""Kernel endpoints: health, metrics, and the error pages and problems for 400/403/404/500."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from citizencloud.kernel import errors, health, metrics


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: database, cache and a task worker all answer."""
    checks = health.readiness()
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


@never_cache
@require_safe
@transaction.non_atomic_requests
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of all this node's processes."""
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


def error_page(request: HttpRequest, *, status: int, message: str = "") -> HttpResponse:
    """A page in the user's language explaining what went wrong and what to do."""
    context: dict[str, Any] = {
        "status": status,
        "title": errors.default_title(status),
        "message": message,
        "request_id": getattr(request, "request_id", ""),
    }
    return render(request, [f"{status}.html", "error.html"], context, status=status)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if errors.wants_problem_json(request):
        return errors.problem(request, status=status, code=code, detail=message)
    return error_page(request, status=status, message=message)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "request.bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "request.forbidden", _("You may not open this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        "request.not_found",
        _("There is nothing at this address. Check the address or start from the home page."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "request.internal_error",
        _("Something went wrong on our side. Please try again; quote the request id if you call."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "request.csrf_failed",
        _("The form expired or did not come from this site. Reload the page and try again."),
    )
