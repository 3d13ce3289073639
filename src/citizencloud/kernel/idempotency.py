"""``Idempotency-Key`` for API operations: a retried request never has a second effect.

Wrap an operation (``@decorate_view(idempotent())`` on a Ninja operation, or directly on a view):

* same key, same request (method, path, body) → the stored response, with
  ``Idempotent-Replayed: true``;
* same key, another request → 422 ``idempotency.key_reused``;
* same key while the first request is still running → the second waits for the first (the key
  row is claimed in the request's transaction, so the database makes it wait) and then replays
  its response; where the claim is visible before the first finishes (views outside
  ``ATOMIC_REQUESTS``), it gets 409 ``idempotency.in_progress`` with ``Retry-After: 1``;
* keys expire after ``IDEMPOTENCY_TTL_SECONDS`` (24 h).

Only successful responses (< 400) are stored; an error response rolls back the operation's
writes together with the claim, so the client may retry with the same key.
Keys are scoped per account (or per anonymous client) and per operation path.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse

from citizencloud.kernel import clock, errors
from citizencloud.kernel.models import IdempotencyRecord

__all__ = ["HEADER", "idempotent", "purge_expired"]

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class _Rollback(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _scope(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        principal = f"user:{getattr(user, 'public_id', None) or user.pk}"
    else:
        principal = "anonymous"
    return f"{principal} {request.method} {request.path}"[:255]


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\x00")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(request: HttpRequest, record: IdempotencyRecord, request_hash: str) -> HttpResponse:
    if record.request_hash != request_hash:
        return errors.problem(
            request,
            status=422,
            code="idempotency.key_reused",
            detail="This Idempotency-Key was used with a different request.",
        )
    if record.state != IdempotencyRecord.State.DONE:
        return errors.problem(
            request,
            status=409,
            code="idempotency.in_progress",
            detail="A request with this Idempotency-Key is still being processed.",
            headers={"Retry-After": "1"},
        )
    response = HttpResponse(
        bytes(record.body), status=record.status_code or 200, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(scope: str, key: str, request_hash: str) -> tuple[IdempotencyRecord, bool]:
    now = clock.now()
    IdempotencyRecord.objects.filter(scope=scope, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                request_hash=request_hash,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=settings.IDEMPOTENCY_TTL_SECONDS),
            )
        return record, True
    except IntegrityError:
        return IdempotencyRecord.objects.get(scope=scope, key=key), False


def _store(record: IdempotencyRecord, response: HttpResponse) -> None:
    record.state = IdempotencyRecord.State.DONE
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")
    record.body = response.content
    record.save(update_fields=["state", "status_code", "content_type", "body"])


def idempotent(
    *, required: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator honouring ``Idempotency-Key`` (see the module docstring)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = request.headers.get(HEADER, "").strip()
            if not key:
                if required:
                    return errors.problem(
                        request,
                        status=428,
                        code="idempotency.key_required",
                        detail=f"Send an {HEADER} header with this request.",
                    )
                return view(request, *args, **kwargs)
            if len(key) > MAX_KEY_LENGTH or not key.isprintable():
                return errors.problem(
                    request, status=400, code="idempotency.bad_key", detail="Bad Idempotency-Key."
                )
            scope, request_hash = _scope(request), _request_hash(request)
            if connection.in_atomic_block:
                return _run_in_transaction(view, request, args, kwargs, scope, key, request_hash)
            return _run_autocommit(view, request, args, kwargs, scope, key, request_hash)

        return wrapped

    return decorator


def _run_in_transaction(
    view: Callable[..., HttpResponse],
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    scope: str,
    key: str,
    request_hash: str,
) -> HttpResponse:
    # The claim is uncommitted until the request commits, so a concurrent request with the
    # same key waits on the unique index (PostgreSQL) or on the write lock (SQLite) and then
    # finds the stored response.
    try:
        with transaction.atomic():
            record, created = _claim(scope, key, request_hash)
            if not created:
                return _replay(request, record, request_hash)
            response = view(request, *args, **kwargs)
            if response.status_code >= 400 or response.streaming:
                raise _Rollback(response)
            _store(record, response)
            return response
    except _Rollback as rollback:
        return rollback.response


def _run_autocommit(
    view: Callable[..., HttpResponse],
    request: HttpRequest,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    scope: str,
    key: str,
    request_hash: str,
) -> HttpResponse:
    # Outside a request transaction the claim commits at once: a concurrent duplicate sees it
    # RUNNING and gets 409 instead of running the operation a second time.
    record, created = _claim(scope, key, request_hash)
    if not created:
        return _replay(request, record, request_hash)
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 400 or response.streaming:
        record.delete()
        return response
    _store(record, response)
    return response


def purge_expired() -> int:
    """Delete expired keys. Returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted
