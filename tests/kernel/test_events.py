"""Events are delivered to subscribers after the commit, and never for a rolled-back change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from citizencloud.kernel import events
from tests.kernel import events_for_tests
from tests.kernel.test_tasks import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_event_reaches_its_subscriber_in_a_worker(tmp_path: Path) -> None:
    record = tmp_path / "events.jsonl"
    assert "tests.kernel.events_for_tests:remember" in events.subscribers("tests.thing_happened")
    with transaction.atomic():
        events.emit("tests.thing_happened", case_id=42)
    worker = run_worker("--batch", CITIZENCLOUD_TEST_EVENTS_FILE=str(record))
    assert worker.wait(timeout=60) == 0
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines == [{"name": "tests.thing_happened", "payload": {"case_id": 42}}]


def test_a_rolled_back_event_is_never_delivered() -> None:
    def emit_then_fail() -> None:
        with transaction.atomic():
            events.emit("tests.thing_happened", case_id=1)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        emit_then_fail()
    assert DBTaskResult.objects.count() == 0


def test_an_event_without_subscribers_costs_nothing() -> None:
    events.emit("tests.nobody_listens", case_id=1)
    assert DBTaskResult.objects.count() == 0


def test_bad_events_are_refused_where_they_are_emitted() -> None:
    with pytest.raises(ValueError, match="dotted"):
        events.emit("NotDotted")
    with pytest.raises(TypeError):
        events.emit("tests.thing_happened", when=object())
    assert events_for_tests.remember  # keeps the subscriber module imported
