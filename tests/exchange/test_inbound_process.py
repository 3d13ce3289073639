"""A department system (the simulator, a separate process) calls the running platform."""

from __future__ import annotations

from typing import Any

import httpx

from citizencloud.exchange.models import Message
from tests.exchange.support import DeptSim, register_peers, reset_state
from tests.fixtures import LiveServer


def _send(sim: DeptSim, server: LiveServer, fault: str = "", **extra: Any) -> dict[str, Any]:
    spec = {"url": server.url, "dept": "gjj", "service": "ping", "fault": fault, **extra}
    answer: dict[str, Any] = httpx.post(sim.url + "/_sim/send", json=spec, timeout=30).json()
    return answer


def test_a_department_calls_the_platform_and_bad_calls_are_refused(
    live_server_process: LiveServer, dept_sim_process: DeptSim
) -> None:
    reset_state()
    register_peers(dept_sim_process)
    ok = _send(dept_sim_process, live_server_process)
    assert [a["status"] for a in ok["answers"]] == [200]
    assert ok["answers"][0]["body"]["pong"] is True
    replayed = _send(dept_sim_process, live_server_process, "replay")
    assert [a["status"] for a in replayed["answers"]] == [200, 409]
    assert replayed["answers"][1]["body"]["code"] == "exchange.replayed"
    expected = {
        "wrong_signature": (401, "exchange.bad_signature"),
        "skew": (401, "exchange.clock_skew"),
        "tamper": (400, "exchange.bad_digest"),
        "unknown_key": (401, "exchange.unknown_peer"),
    }
    for fault, (status, code) in expected.items():
        answer = _send(dept_sim_process, live_server_process, fault)["answers"][0]
        assert (answer["status"], answer["body"]["code"]) == (status, code), fault
    purpose = _send(dept_sim_process, live_server_process, purpose="marketing")["answers"][0]
    assert purpose["status"] == 403
    outcomes = sorted(Message.objects.filter(direction="in").values_list("outcome", flat=True))
    assert outcomes == sorted(
        ["ok", "ok", "exchange.replayed", "exchange.purpose_not_allowed"]
        + [code for _, code in expected.values()]
    )
