"""Outbound exchange against the department simulator running as a separate process."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import override_settings

from citizencloud.exchange import breaker, services
from citizencloud.exchange.models import Message
from citizencloud.kernel.models import AuditEntry
from citizencloud_sim import dept as sim_dept
from tests.exchange.support import DeptSim

SUBJECT = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"


def _ask(peer: str = "dept-gjj", kind: str = "housing_fund", **extra: Any) -> services.Request:
    return services.Request(
        peer_code=peer,
        path=f"/records/{kind}",
        body={"kind": kind, "subject": SUBJECT},
        purpose=extra.pop("purpose", "citizen_own_query"),
        legal_basis="consent",
        subject=SUBJECT,
    )


def test_a_signed_call_returns_the_departments_verified_record(dept_sim: DeptSim) -> None:
    result = services.call(_ask())
    assert result.ok, result.error
    assert result.data is not None
    assert result.data["data"] == sim_dept.records("housing_fund", SUBJECT)
    message = Message.objects.get(message_id=result.call.message_id)
    assert (message.direction, message.outcome, message.status) == ("out", "ok", 200)
    assert message.response_digest
    assert message.request_digest
    entry = AuditEntry.objects.get(pk=message.audit_entry_id)
    assert entry.action == "exchange.message_sent"
    assert entry.details["response_sha256"] == message.response_digest


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"wrong_signature": True}, "exchange.bad_signature"),
        ({"tamper": True}, "exchange.bad_digest"),
        ({"skew_seconds": 900}, "exchange.clock_skew"),
        ({"skew_seconds": -900}, "exchange.clock_skew"),
        ({"malformed": True}, "exchange.malformed"),
        ({"oversized": True}, "exchange.oversized"),
    ],
)
def test_bad_answers_are_refused_logged_and_never_returned_as_data(
    dept_sim: DeptSim, fault: dict[str, Any], code: str
) -> None:
    dept_sim.faults("gjj", **fault)
    result = services.call(_ask())
    assert not result.ok
    assert result.data is None
    assert result.error is not None
    assert result.error.code == code
    assert Message.objects.get(message_id=result.call.message_id).outcome == code


def test_a_replayed_answer_for_another_message_is_refused(dept_sim: DeptSim) -> None:
    assert services.call(_ask()).ok  # the simulator keeps this genuine signed answer
    dept_sim.faults("gjj", replay=True)
    result = services.call(_ask())
    assert result.error is not None
    assert result.error.code == "exchange.replayed"
    assert result.data is None


def test_our_replayed_message_id_is_refused_by_the_department(dept_sim: DeptSim) -> None:
    first = services.call(_ask())
    assert first.ok
    from citizencloud.exchange import client

    again = client.send(first.call)  # the same message id a second time
    assert again.error is not None
    assert again.error.code == "exchange.refused_by_peer"
    assert again.error.extra["peer_code"] == "replayed"


def test_an_unknown_peer_or_purpose_is_refused_without_a_call(dept_sim: DeptSim) -> None:
    before = dept_sim.stats().get("gjj.requests", 0)
    unknown = services.call(_ask(peer="dept-nowhere"))
    assert unknown.error is not None
    assert unknown.error.code == "exchange.unknown_peer"
    purpose = services.call(_ask(purpose="marketing"))
    assert purpose.error is not None
    assert purpose.error.code == "exchange.purpose_not_allowed"
    assert dept_sim.stats().get("gjj.requests", 0) == before
    assert Message.objects.filter(outcome="exchange.unknown_peer").count() == 1


def test_a_department_down_is_retried_under_the_same_id_then_the_circuit_opens(
    dept_sim: DeptSim,
) -> None:
    dept_sim.faults("gjj", down=True)
    first = services.call(_ask())
    assert first.error is not None
    assert first.error.code == "exchange.unavailable"
    assert first.attempts == 2  # one retry, the same message id (one log row)
    assert Message.objects.get(message_id=first.call.message_id).attempts == 2
    assert dept_sim.stats()["gjj.down"] == 2
    services.call(_ask())
    services.call(_ask())
    assert breaker.state("dept-gjj") == "open"
    requests_before = dept_sim.stats()["gjj.requests"]
    started = time.monotonic()
    fast = services.call(_ask())
    assert fast.error is not None
    assert fast.error.code == "exchange.circuit_open"
    assert time.monotonic() - started < 0.2
    assert dept_sim.stats()["gjj.requests"] == requests_before  # no network call at all


@override_settings(EXCHANGE_BREAKER_OPEN_SECONDS=1)
def test_the_circuit_half_opens_and_closes_after_a_success(dept_sim: DeptSim) -> None:
    dept_sim.faults("gjj", down=True)
    for _ in range(3):
        services.call(_ask())
    assert breaker.state("dept-gjj") == "open"
    dept_sim.faults("gjj", down=False)
    time.sleep(1.1)
    assert breaker.state("dept-gjj") == "half-open"
    assert services.call(_ask()).ok
    assert breaker.state("dept-gjj") == "closed"


def test_a_slow_department_is_cut_off_at_the_timeout(dept_sim: DeptSim) -> None:
    dept_sim.faults("gjj", slow_ms=5000)
    started = time.monotonic()
    result = services.call(_ask())
    elapsed = time.monotonic() - started
    assert result.error is not None
    assert result.error.code == "exchange.unavailable"
    assert elapsed < 2.5


def test_calls_to_several_departments_run_in_parallel(dept_sim: DeptSim) -> None:
    dept_sim.faults(slow_ms=600)
    started = time.monotonic()
    results = services.call_many(
        [_ask(f"dept-{d}", k) for d, k in [("gjj", "housing_fund"), ("hrss", "social_insurance"),
                                            ("health", "vaccinations")]]
    )  # fmt: skip
    assert all(r.ok for r in results)
    assert time.monotonic() - started < 1.6


@override_settings(RATELIMIT_ENABLED=True)
def test_each_peer_has_a_rate_limit(dept_sim: DeptSim) -> None:
    services.register_peer(
        code="dept-gjj",
        name="gjj",
        endpoint=dept_sim.url + "/gjj",
        public_keys=dict([sim_dept.public_key_b64("gjj", "test-dept-secret")]),
        purposes=["citizen_own_query"],
        rate="2/m",
    )
    outcomes = [services.call(_ask()) for _ in range(3)]
    assert [r.ok for r in outcomes] == [True, True, False]
    assert outcomes[2].error is not None
    assert outcomes[2].error.code == "request.rate_limited"
