"""`make run`: `serve --simulators` starts the department simulator that `seed_demo` registered."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.conf import settings

from citizencloud.exchange import demo
from citizencloud.exchange.models import Peer
from citizencloud.kernel import serving
from citizencloud.query import services
from citizencloud_sim import dept as sim
from tests.exchange.support import create_citizen, reset_state
from tests.fixtures import ROOT, child_env, free_port, wait_http

pytestmark = pytest.mark.django_db


def test_the_demo_peers_hold_the_simulators_keys() -> None:
    demo.seed()
    peers = {p.code: p for p in Peer.objects.all()}
    assert len(peers) == 7
    for dept in sim.DEPARTMENTS:
        kid, public = sim.public_key_b64(dept, settings.EXCHANGE_DEMO_PEER_SECRET)
        assert peers[f"dept-{dept}"].public_keys == {kid: public}
        assert "citizen_own_query" in peers[f"dept-{dept}"].purposes


def test_serve_with_simulators_runs_the_department_systems_for_the_demo(settings: Any) -> None:
    port = free_port()
    settings.EXCHANGE_DEPT_URL = f"http://127.0.0.1:{port}"
    command = serving.simulator_commands(settings)["dept-simulator"]
    process = subprocess.Popen(command, cwd=ROOT, env=child_env())
    try:
        wait_http(settings.EXCHANGE_DEPT_URL + "/healthz")
        reset_state()
        demo.seed()
        records = services.records(citizen=create_citizen())
        assert [r.status for r in records] == ["fresh"] * 7
    finally:
        process.terminate()
        process.wait(timeout=10)
