"""`serve --simulators` (what `make run` uses) runs the simulators of the payment provider, the
department systems and the demo partner bank beside the platform, as separate processes, and
stops them with everything else."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.fixtures import ROOT, child_env, free_port, wait_http

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_demo_runs_the_simulators_and_stops_them() -> None:
    port, sim_port, dept_port, bank_port = free_port(), free_port(), free_port(), free_port()
    env = child_env(
        CITIZENCLOUD_PAYMENTS_PROVIDER_URL=f"http://127.0.0.1:{sim_port}",
        CITIZENCLOUD_EXCHANGE_DEPT_URL=f"http://127.0.0.1:{dept_port}",
        CITIZENCLOUD_PRIVACY_DEMO_BANK_URL=f"http://127.0.0.1:{bank_port}",
    )
    simulators = [f"http://127.0.0.1:{p}/" for p in (sim_port, dept_port, bank_port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port), "--simulators"],
        cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        for url in simulators:
            wait_http(url)  # answers (any status below 500)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "killing" not in stderr
    for url in simulators:
        with pytest.raises(TimeoutError):
            wait_http(url, timeout=1)


def test_simulators_are_refused_in_production(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.kernel.test_settings import _production_keys

    env = child_env(
        CITIZENCLOUD_ENV="production",
        CITIZENCLOUD_DATA_DIR=str(tmp_path),
        CITIZENCLOUD_SECRET_KEY="x" * 60,
        CITIZENCLOUD_ALLOWED_HOSTS="gov.example.cn",
        **_production_keys(),
    )
    result = subprocess.run(
        [sys.executable, "-m", "citizencloud", "serve", "--simulators", "--port", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "not production" in result.stderr


@pytest.mark.parametrize("kind", ["sms", "email", "pay", "bank", "dept"])
def test_each_simulator_stops_cleanly_on_sigterm(kind: str) -> None:
    """Every simulator runs through ``citizencloud_sim.serving.run_until_stopped``: it announces
    where it listens, answers, and exits 0 on SIGTERM with its socket closed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud_sim", kind, "--port", str(port)],
        cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == (
            f"citizencloud-sim {kind} on http://127.0.0.1:{port}/"
        )
        wait_http(f"http://127.0.0.1:{port}/")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
