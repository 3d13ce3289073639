"""``/api/v1/transparency``: the signed audit checkpoints, for outside witnesses.

A witness polls ``checkpoints``, keeps the newest it has seen, checks each signature against the
published key, and raises the alarm if a later checkpoint's tree is not an extension of an
earlier one (``citizencloud audit verify`` on a copy, or an inclusion proof from ``audit prove``).
"""

from __future__ import annotations

import base64
import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from citizencloud.kernel import audit, errors, signing
from citizencloud.kernel.models import AuditCheckpoint
from citizencloud.kernel.ratelimit import rate_limit

router = Router(tags=["transparency"])


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str
    head_hash: str
    time: str = Field(description="ISO 8601 UTC, exactly as in `statement`")
    key_id: str
    public_key: str = Field(description="Ed25519 public key, base64")
    signature: str = Field(description="Ed25519 signature of `statement`, base64")
    statement: str = Field(description="The exact UTF-8 text that was signed")


class CheckpointPage(Schema):
    origin: str
    public_keys: dict[str, str] = Field(description="Trusted signing keys by key id, base64")
    checkpoints: list[CheckpointOut]
    next_before: int | None = Field(description="Pass as `before` for older checkpoints")


class CheckpointQuery(Schema):
    before: int | None = Field(None, ge=1, description="Only checkpoints below this tree size")
    limit: int = Field(50, ge=1, le=200)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _out(checkpoint: AuditCheckpoint) -> CheckpointOut:
    statement = audit.checkpoint_statement(
        size=checkpoint.tree_size,
        root=checkpoint.root_hash,
        head_hash=checkpoint.head_hash,
        at=checkpoint.created_at,
    )
    return CheckpointOut(
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        head_hash=checkpoint.head_hash,
        time=checkpoint.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        key_id=checkpoint.key_id,
        public_key=_b64(bytes.fromhex(checkpoint.public_key)),
        signature=_b64(bytes.fromhex(checkpoint.signature)),
        statement=statement.decode(),
    )


@router.get(
    "/transparency/checkpoints",
    response=CheckpointPage,
    summary="Signed Merkle checkpoints of the audit log, newest first",
)
@decorate_view(rate_limit("transparency.checkpoints", per_ip="120/m"))
def checkpoints(request: HttpRequest, query: Query[CheckpointQuery]) -> CheckpointPage:
    rows = AuditCheckpoint.objects.order_by("-tree_size")
    if query.before is not None:
        rows = rows.filter(tree_size__lt=query.before)
    page = list(rows[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    return CheckpointPage(
        origin=settings.AUDIT_ORIGIN,
        public_keys={kid: _b64(key) for kid, key in signing.trusted_public_keys().items()},
        checkpoints=[_out(c) for c in page],
        next_before=page[-1].tree_size if more and page else None,
    )


class ConsistencyQuery(Schema):
    first: int = Field(ge=1, description="Tree size of the older checkpoint")
    second: int = Field(ge=1, description="Tree size of the newer checkpoint")


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 6962 consistency proof, hex node hashes")


@router.get(
    "/transparency/consistency",
    response=ConsistencyOut,
    summary="Proof that an older checkpoint's tree is a prefix of a newer one's (RFC 6962)",
)
@decorate_view(rate_limit("transparency.consistency", per_ip="60/m"))
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> ConsistencyOut:
    try:
        proof = audit.consistency_proof(query.first, query.second)
    except LookupError as exc:
        raise errors.DomainError(str(exc), code="transparency.bad_range", status=422) from None
    return ConsistencyOut(
        first=query.first, second=query.second, proof=[node.hex() for node in proof]
    )
