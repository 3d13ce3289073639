"""The audit log: cheap appends in the caller's transaction, chained and checkpointed afterwards.

``record(action=..., actor=..., target=..., details=..., request=...)`` inserts one row and
nothing else: no counter, no lock, no read. A chainer (``chain_pending``, run by the task
worker's heartbeat every ``AUDIT_CHAIN_SECONDS``) takes the committed, unchained rows in id
order under the head row's lock, gives them the next sequence numbers and
``hash = SHA-256(prev_hash ‖ canonical entry)``, extends the RFC 6962 tree and signs a
checkpoint every ``AUDIT_CHECKPOINT_ENTRIES`` entries or ``AUDIT_CHECKPOINT_SECONDS`` seconds.
``verify()`` and ``prove()`` back ``citizencloud audit verify`` / ``audit prove SEQ``.
See docs/security.md for why ids may have gaps and why that is harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest

from citizencloud.kernel import clock, merkle, signing
from citizencloud.kernel.logging import get_logger, redact_value
from citizencloud.kernel.models import AuditCheckpoint, AuditEntry, AuditHead, AuditTreeNode

__all__ = [
    "Actor",
    "Report",
    "chain_pending",
    "prove",
    "prune_expired",
    "record",
    "verify",
]

GENESIS = "0" * 64
log = get_logger("citizencloud.audit")


@dataclass(frozen=True)
class Actor:
    """Who did it, as they were at the time (a snapshot, not a foreign key)."""

    id: str = ""
    kind: str = "system"
    name: str = ""
    department: str = ""

    @classmethod
    def of(cls, who: Any) -> Actor:
        """A snapshot of a user-like object (``public_id``, ``kind``, ``display_name``…)."""
        if who is None:
            return cls()
        if isinstance(who, Actor):
            return who
        if not getattr(who, "is_authenticated", True):
            return cls(kind="anonymous")
        department = getattr(who, "department", "") or ""
        return cls(
            id=str(getattr(who, "public_id", None) or getattr(who, "pk", "") or ""),
            kind=str(getattr(who, "kind", "") or "user"),
            name=str(getattr(who, "display_name", "") or getattr(who, "username", "") or ""),
            department=str(getattr(department, "name", department)),
        )


def _target(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    if isinstance(target, models.Model):
        meta = target._meta
        return f"{meta.app_label}.{meta.model_name}", str(
            getattr(target, "public_id", None) or target.pk
        )
    raise TypeError("target must be a model instance or a (type, id) tuple")


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def _request_id(request: HttpRequest | None) -> str:
    request_id = getattr(request, "request_id", None) if request is not None else None
    if request_id:
        return str(request_id)
    return str(structlog.contextvars.get_contextvars().get("request_id", ""))


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _without_uuids(value: Any) -> Any:
    # A random UUID can hold an 11-digit run that looks like a mobile number (about 1 in 3,000
    # uuid4s): ids are not personal data, so they are left out of the check.
    if isinstance(value, str):
        return "uuid" if _UUID.match(value) else value
    if isinstance(value, dict):
        return {k: _without_uuids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_uuids(v) for v in value]
    return value


def _clean_details(details: dict[str, Any] | None) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(details or {}, default=str))
    checked = _without_uuids(plain)
    if redact_value(checked) != checked:
        raise ValueError("audit details must not carry personal data: refer to ids instead")
    return plain


def record(
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    target_label: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction. ``details`` must hold ids, never raw PII."""
    if "." not in action:
        raise ValueError("audit actions are dotted: 'identity.login'")
    snapshot = Actor.of(actor if actor is not None else getattr(request, "user", None))
    target_type, target_id = _target(target)
    return AuditEntry.objects.create(
        created_at=clock.now(),
        actor_id=snapshot.id,
        actor_kind=snapshot.kind,
        actor_name=snapshot.name[:150],
        actor_department=snapshot.department[:150],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:200],
        details=_clean_details(details),
        ip=_client_ip(request),
        request_id=_request_id(request),
    )


# --- canonical form and chaining ----------------------------------------------------------------


def canonical(entry: AuditEntry) -> bytes:
    """The bytes that are hashed and that form the Merkle leaf: sorted, compact UTF-8 JSON."""
    body = {
        "v": 1,
        "seq": entry.seq,
        "id": entry.pk,
        "time": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": {
            "id": entry.actor_id,
            "kind": entry.actor_kind,
            "name": entry.actor_name,
            "department": entry.actor_department,
        },
        "action": entry.action,
        "target": {"type": entry.target_type, "id": entry.target_id, "label": entry.target_label},
        "details": entry.details,
        "ip": entry.ip,
        "request_id": entry.request_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical(entry)).hexdigest()


def _head_for_update() -> AuditHead:
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def checkpoint_statement(*, size: int, root: str, head_hash: str, at: dt.datetime) -> bytes:
    """The exact bytes a checkpoint signs (a witness re-creates them from the published fields)."""
    lines = [
        "citizencloud audit checkpoint v1",
        f"origin: {settings.AUDIT_ORIGIN}",
        f"tree_size: {size}",
        f"root_hash: {root}",
        f"head_hash: {head_hash}",
        f"time: {at.astimezone(dt.UTC).isoformat(timespec='microseconds')}",
    ]
    return ("\n".join(lines) + "\n").encode()


def _checkpoint(head: AuditHead) -> AuditCheckpoint:
    key = signing.current()
    at = clock.now()
    root = merkle.frontier_root([bytes.fromhex(h) for h in head.frontier]).hex()
    statement = checkpoint_statement(size=head.seq, root=root, head_hash=head.hash, at=at)
    checkpoint = AuditCheckpoint.objects.create(
        tree_size=head.seq,
        root_hash=root,
        head_hash=head.hash,
        created_at=at,
        key_id=key.key_id,
        public_key=key.public_key.hex(),
        signature=key.sign(statement).hex(),
    )
    head.checkpoint_size = head.seq
    head.checkpoint_at = at
    return checkpoint


def _checkpoint_due(head: AuditHead) -> bool:
    return head.checkpoint_at is None or (
        clock.now() - head.checkpoint_at >= dt.timedelta(seconds=settings.AUDIT_CHECKPOINT_SECONDS)
    )


def _work_to_do() -> bool:
    if AuditEntry.objects.filter(seq__isnull=True).exists():
        return True
    head = AuditHead.objects.filter(pk=1).first()
    return head is not None and head.seq > head.checkpoint_size and _checkpoint_due(head)


def chain_pending(*, batch: int = 2000, force_checkpoint: bool = False) -> int:
    """Chain committed, unchained entries in id order; sign checkpoints when due. Returns count."""
    every = max(1, settings.AUDIT_CHECKPOINT_ENTRIES)
    if not force_checkpoint and not _work_to_do():
        return 0  # do not take the write lock for nothing
    with transaction.atomic():
        head = _head_for_update()
        pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:batch])
        frontier = [bytes.fromhex(h) for h in head.frontier]
        nodes: list[AuditTreeNode] = []
        for entry in pending:
            entry.seq = head.seq + 1
            entry.hash = entry_hash(head.hash, entry)
            claimed = AuditEntry.objects.filter(pk=entry.pk, seq__isnull=True).update(
                seq=entry.seq, hash=entry.hash
            )
            if claimed != 1:  # cannot happen while we hold the head row
                raise RuntimeError(f"audit entry {entry.pk} was chained concurrently")
            frontier, completed = merkle.frontier_append_nodes(
                frontier, head.seq, merkle.leaf_hash(canonical(entry))
            )
            nodes += [AuditTreeNode(level=lv, index=i, hash=h.hex()) for lv, i, h in completed]
            head.seq, head.hash = entry.seq, entry.hash
            head.frontier = [h.hex() for h in frontier]
            if head.seq - head.checkpoint_size >= every:
                _checkpoint(head)
        AuditTreeNode.objects.bulk_create(nodes)
        if head.seq > head.checkpoint_size and (force_checkpoint or _checkpoint_due(head)):
            _checkpoint(head)
        head.save()
    return len(pending)


# --- verification and proofs --------------------------------------------------------------------


@dataclass
class Report:
    """What ``verify`` found: ``first_bad_seq`` is None when everything holds."""

    entries: int = 0
    checkpoints: int = 0
    unchained: int = 0
    first_bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None and not self.problems

    def fail(self, seq: int | None, problem: str) -> None:
        if self.first_bad_seq is None and seq is not None:
            self.first_bad_seq = seq
        self.problems.append(problem)


def _chained(after: int, chunk: int = 2000) -> Iterator[AuditEntry]:
    last = after
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq or last


def _check_signature(checkpoint: AuditCheckpoint, trusted: dict[str, bytes]) -> str | None:
    public_key = trusted.get(checkpoint.key_id)
    if public_key is None or public_key.hex() != checkpoint.public_key:
        return f"checkpoint {checkpoint.tree_size} is signed by an untrusted key"
    statement = checkpoint_statement(
        size=checkpoint.tree_size,
        root=checkpoint.root_hash,
        head_hash=checkpoint.head_hash,
        at=checkpoint.created_at,
    )
    if not signing.verify(public_key, bytes.fromhex(checkpoint.signature), statement):
        return f"checkpoint {checkpoint.tree_size} has a bad signature"
    return None


def verify() -> Report:
    """Recompute the chain and every checkpoint; name the first sequence that does not hold."""
    report = Report()
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
    checkpoints = {c.tree_size: c for c in AuditCheckpoint.objects.order_by("tree_size")}
    report.checkpoints = len(checkpoints)
    trusted = signing.trusted_public_keys()
    for checkpoint in checkpoints.values():
        problem = _check_signature(checkpoint, trusted)
        if problem:
            report.fail(checkpoint.tree_size, problem)
    expected, prev = head.pruned_seq + 1, head.pruned_hash
    frontier = [bytes.fromhex(h) for h in head.pruned_frontier]
    for entry in _chained(head.pruned_seq):
        seq = entry.seq or 0
        if seq != expected:
            report.fail(expected, f"entry {expected} is missing (next present is {seq})")
            break
        if entry.hash != entry_hash(prev, entry):
            report.fail(seq, f"entry {seq} does not match its hash (edited, moved or inserted)")
            break
        frontier = merkle.frontier_append(frontier, seq - 1, merkle.leaf_hash(canonical(entry)))
        signed = checkpoints.get(seq)
        if signed is not None and (
            signed.root_hash != merkle.frontier_root(frontier).hex()
            or signed.head_hash != entry.hash
        ):
            report.fail(seq, f"the signed checkpoint at {seq} does not match the entries")
            break
        prev, expected = entry.hash, expected + 1
        report.entries += 1
    last = expected - 1
    if report.first_bad_seq is None:
        if last < head.seq:
            report.fail(last + 1, f"entries {last + 1}..{head.seq} are missing")
        elif last > head.seq:
            report.fail(head.seq + 1, f"entries after {head.seq} were not chained by the chainer")
        beyond = [size for size in checkpoints if size > last]
        if beyond:
            report.fail(last + 1, f"checkpoint {beyond[0]} covers entries that are missing")
    # The stored subtree roots serve proofs (and outlive pruned entries): they must give every
    # signed root, including those of checkpoints whose entries were pruned.
    root_of = stored_root_of()
    for size, checkpoint in checkpoints.items():
        try:
            stored = root_of(0, size).hex()
        except LookupError:
            stored = ""
        if stored != checkpoint.root_hash:
            report.fail(size, f"the stored Merkle tree does not give checkpoint {size}'s root")
            break
    report.unchained = AuditEntry.objects.filter(seq__isnull=True).count()
    if AuditEntry.objects.filter(seq__isnull=True, hash__isnull=False).exists():
        report.fail(None, "an unchained entry carries a hash")
    return report


def stored_root_of() -> merkle.RootOf:
    """``root_of(lo, hi)`` over the stored subtree roots (memoised for one proof)."""
    memo: dict[tuple[int, int], bytes] = {}

    def lookup(level: int, index: int) -> bytes:
        if (level, index) not in memo:
            found = (
                AuditTreeNode.objects.filter(level=level, index=index)
                .values_list("hash", flat=True)
                .first()
            )
            if found is None:
                raise LookupError(f"subtree {level}/{index} is not stored")
            memo[level, index] = bytes.fromhex(found)
        return memo[level, index]

    return merkle.stored_root_of(lookup)


def prove(seq: int) -> dict[str, Any]:
    """An inclusion proof of entry ``seq`` against the latest checkpoint (works after pruning
    for every entry still kept: the subtree roots are kept)."""
    entry = AuditEntry.objects.filter(seq=seq).first()
    if entry is None:
        head = AuditHead.objects.filter(pk=1).first()
        pruned = head is not None and seq <= head.pruned_seq
        raise LookupError(
            f"entry {seq} was removed by the retention policy"
            if pruned
            else f"entry {seq} is not in the chained log"
        )
    checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
    if checkpoint is None or checkpoint.tree_size < seq:
        raise LookupError(f"no signed checkpoint covers entry {seq} yet")
    leaf = merkle.leaf_hash(canonical(entry))
    proof = merkle.path(stored_root_of(), seq - 1, 0, checkpoint.tree_size)
    return {
        "seq": seq,
        "leaf_index": seq - 1,
        "entry": canonical(entry).decode(),
        "leaf_hash": leaf.hex(),
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "audit_path": [node.hex() for node in proof],
        "checkpoint": {
            "statement": checkpoint_statement(
                size=checkpoint.tree_size,
                root=checkpoint.root_hash,
                head_hash=checkpoint.head_hash,
                at=checkpoint.created_at,
            ).decode(),
            "key_id": checkpoint.key_id,
            "public_key": checkpoint.public_key,
            "signature": checkpoint.signature,
        },
    }


def consistency_proof(first: int, second: int) -> list[bytes]:
    """RFC 6962 proof that the tree of ``first`` entries is a prefix of the tree of ``second``."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or not 0 < first <= second <= head.seq:
        raise LookupError("need 0 < first <= second <= the number of chained entries")
    return merkle.consistency(stored_root_of(), first, second)


# --- retention ----------------------------------------------------------------------------------


def prune_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the oldest chained entries past ``AUDIT_RETENTION_DAYS`` that a checkpoint covers.

    The pruning point keeps the chain hash and Merkle frontier, so ``verify`` still checks every
    remaining entry and every later checkpoint.
    """
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        head = _head_for_update()
        keep_from = (
            AuditEntry.objects.filter(seq__gt=head.pruned_seq, created_at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        limit = min(head.checkpoint_size, (keep_from or head.seq + 1) - 1)
        if limit <= head.pruned_seq:
            return 0
        frontier = [bytes.fromhex(h) for h in head.pruned_frontier]
        last_hash = head.pruned_hash
        for entry in _chained(head.pruned_seq):
            if (entry.seq or 0) > limit:
                break
            frontier = merkle.frontier_append(
                frontier, (entry.seq or 1) - 1, merkle.leaf_hash(canonical(entry))
            )
            last_hash = entry.hash or last_hash
        deleted, _ = AuditEntry.objects.filter(seq__lte=limit).delete()
        head.pruned_seq, head.pruned_hash = limit, last_hash
        head.pruned_frontier = [h.hex() for h in frontier]
        head.save()
        record(action="audit.pruned", details={"through_seq": limit, "entries": deleted})
    log.info("audit.pruned", through_seq=limit, entries=deleted)
    return deleted
