"""Fetching a citizen's records: cached copy while fresh, else the department (in parallel),
else the last copy marked stale. Each fetch is written to the data-access ledger."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from citizencloud.exchange import selectors as peers
from citizencloud.exchange import services as exchange
from citizencloud.kernel import clock
from citizencloud.kernel.errors import NotFound
from citizencloud.kernel.logging import get_logger
from citizencloud.org import selectors as org
from citizencloud.privacy import services as privacy
from citizencloud.query.kinds import KINDS, PURPOSE, Kind
from citizencloud.query.models import RecordCopy

__all__ = ["Record", "UnknownKind", "record", "records"]

log = get_logger("citizencloud.query")


class UnknownKind(NotFound):
    code = "query.unknown_kind"


@dataclass
class Record:
    """One card: ``status`` is fresh (just fetched), cached (within the TTL), stale (the last
    copy, the department did not answer) or unavailable (no copy at all)."""

    kind: Kind
    status: str
    data: dict[str, Any] | None = None
    as_of: dt.datetime | None = None
    department: str = ""
    contacts: list[dict[str, str]] = field(default_factory=list)
    error_code: str = ""
    error: str = ""

    @property
    def stale(self) -> bool:
        return self.status in ("stale", "unavailable")


def _department(code: str) -> tuple[str, list[dict[str, str]]]:
    key = f"query:dept:{code}"
    found = cache.get(key)
    if found is None:
        try:
            department = org.get_department(code)
            found = (department.name, list(department.contacts or []))
        except NotFound:
            found = ("", [])
        cache.set(key, found, timeout=300)
    return found[0], found[1]


def _valid(kind: Kind, answer: dict[str, Any], subject: str) -> dict[str, Any] | None:
    data = answer.get("data")
    if answer.get("kind") != kind.code or answer.get("subject") != subject:
        return None
    if not isinstance(data, dict):
        return None
    for key, expected in kind.required.items():
        value = data.get(key)
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is int):
            return None
    return data


def _store(citizen: Any, kind: Kind, data: dict[str, Any], department: str) -> RecordCopy:
    copy, _created = RecordCopy.objects.update_or_create(
        citizen=citizen,
        kind=kind.code,
        defaults={
            "data": json.dumps(data, ensure_ascii=False),
            "department": department[:120],
            "fetched_at": clock.now(),
        },
    )
    return copy


def _from_copy(kind: Kind, copy: RecordCopy | None, status: str, **extra: Any) -> Record:
    name, contacts = _department(kind.department_code)
    if copy is None:
        return Record(kind, "unavailable", department=name, contacts=contacts, **extra)
    data = json.loads(str(copy.data))
    return Record(kind, status, data, copy.fetched_at, copy.department or name, contacts, **extra)


def _request(kind: Kind, subject: str) -> exchange.Request:
    return exchange.Request(
        peer_code=kind.peer_code,
        path=f"/records/{kind.code}",
        body={"kind": kind.code, "subject": subject},
        purpose=PURPOSE,
        legal_basis="consent",
        subject=subject,
        timeout=settings.QUERY_FETCH_SECONDS,
    )


def _settle(
    citizen: Any, kind: Kind, result: Any, subject: str, copy: RecordCopy | None, request: Any
) -> Record:
    """Store a verified answer (and write the ledger entry), or fall back to the last copy."""
    data = _valid(kind, result.data, subject) if result.data else None
    if data is None:
        code = result.error.code if result.error else "query.malformed_record"
        if result.error is None:
            log.warning("query.record_refused", kind=kind.code, code=code)
        message = _("The department's system did not answer; this is the last copy we have.")
        return _from_copy(kind, copy, "stale", error_code=code, error=message)
    department = str(result.data.get("department", ""))
    stored = _store(citizen, kind, data, department)
    privacy.record_access(
        citizen=citizen,
        accessor=citizen,
        purpose=f"Own query through the platform: {kind.code}",
        legal_basis="consent",
        fields=[f"{kind.code}.{key}" for key in kind.required],
        channel="exchange",
        request=request,
    )
    return _from_copy(kind, stored, "fresh")


def records(
    *, citizen: Any, kinds: Sequence[str] | None = None, request: HttpRequest | None = None
) -> list[Record]:
    """The citizen's records of ``kinds`` (all by default); never raises for a department's fault
    and never waits for the departments longer than ``QUERY_FETCH_SECONDS``.

    The departments are asked outside any transaction this function opens (call it from a
    non-atomic view, so no database lock is held while they answer); the copies, the message
    log and the ledger are then written in one short transaction (ADR 0015).
    """
    wanted = [KINDS[code] for code in (kinds or KINDS) if code in KINDS]
    codes = [k.code for k in wanted]
    copies = {c.kind: c for c in RecordCopy.objects.filter(citizen=citizen, kind__in=codes)}
    fresh_after = clock.now() - dt.timedelta(seconds=settings.QUERY_CACHE_SECONDS)
    due = [k for k in wanted if k.code not in copies or copies[k.code].fetched_at < fresh_after]
    # A city that has not connected a department yet: nothing to ask (and nothing to log).
    connected = set(
        peers.peers().filter(code__in=[k.peer_code for k in due]).values_list("code", flat=True)
    )
    unconnected = {k.code for k in due if k.peer_code not in connected}
    due = [k for k in due if k.peer_code in connected]
    subjects = {k.code: exchange.pseudonym(citizen, k.peer_code) for k in due}
    asks = [_request(k, subjects[k.code]) for k in due]
    results = exchange.send_all(exchange.prepare(asks))
    fetched = dict(zip([k.code for k in due], results, strict=True))
    out = []
    with transaction.atomic():
        exchange.record(asks, results)
        for kind in wanted:
            result = fetched.get(kind.code)
            copy = copies.get(kind.code)
            if kind.code in unconnected:
                out.append(_from_copy(kind, copy, "stale", error_code="query.not_connected"))
            elif result is None:
                out.append(_from_copy(kind, copy, "cached"))
            else:
                out.append(_settle(citizen, kind, result, subjects[kind.code], copy, request))
    return out


def record(*, citizen: Any, kind: str, request: HttpRequest | None = None) -> Record:
    """One record kind (see ``records``); ``UnknownKind`` for a kind we do not know."""
    if kind not in KINDS:
        raise UnknownKind(_("There is no such kind of record."))
    return records(citizen=citizen, kinds=[kind], request=request)[0]
