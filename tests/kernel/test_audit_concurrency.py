"""Concurrent appends from several threads, with chainers running at the same time, never fork
the chain (real threads and real transactions; on SQLite writers queue at BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from citizencloud.kernel import audit
from citizencloud.kernel.models import AuditEntry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WRITERS, PER_WRITER, CHAINERS = 4, 25, 2


def test_concurrent_appends_and_chainers_never_fork_the_chain() -> None:
    start = threading.Barrier(WRITERS + CHAINERS)
    writers_done = threading.Event()
    errors: list[str] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for i in range(PER_WRITER):
                with transaction.atomic():
                    audit.record(action="tests.appended", details={"writer": number, "i": i})
                if i % 7 == 3:  # a rolled-back append leaves a gap in the ids
                    with transaction.atomic():
                        audit.record(action="tests.rolled_back", details={"writer": number})
                        transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))
        finally:
            connection.close()

    def chainer() -> None:
        try:
            start.wait()
            while not writers_done.is_set():
                audit.chain_pending(batch=7)
            audit.chain_pending()
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    writer_threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    chainer_threads = [threading.Thread(target=chainer) for _ in range(CHAINERS)]
    for thread in writer_threads + chainer_threads:
        thread.start()
    for thread in writer_threads:
        thread.join(timeout=60)
    writers_done.set()
    for thread in chainer_threads:
        thread.join(timeout=60)
    while audit.chain_pending():
        pass

    assert errors == []
    assert not AuditEntry.objects.filter(action="tests.rolled_back").exists()
    entries = list(AuditEntry.objects.order_by("seq"))
    total = WRITERS * PER_WRITER
    assert [e.seq for e in entries] == list(range(1, total + 1))  # dense, no fork, no skip
    assert len({e.hash for e in entries}) == total
    prev = audit.GENESIS
    for entry in entries:
        assert entry.hash == audit.entry_hash(prev, entry)
        prev = entry.hash
    if connection.vendor == "postgresql":  # sequences leave gaps (SQLite reuses rowids)
        ids = [e.pk for e in entries]
        assert max(ids) - min(ids) + 1 > total  # the rolled-back appends' gaps are harmless
    report = audit.verify()
    assert report.ok, report.problems
