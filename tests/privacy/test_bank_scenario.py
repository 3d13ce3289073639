"""The bank scenario with the partner-bank simulator and the platform as separate processes:
without consent → refused; with consent → opened; revoke → the bank is notified (signed) and
confirms closure (signed); the bank down during the revoke → retried until it confirms."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy import consents
from citizencloud.privacy.models import RevocationNotice
from tests.factories.applications import create_citizen, token_for
from tests.fixtures import ROOT, child_env, free_port, wait_http
from tests.privacy.support import BANK_SECRET, BANK_SEED, register_bank

KYC = ["id_number", "phone", "real_name"]


@dataclass
class Scenario:
    platform: str
    bank: str


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def scenario(transactional_db: None) -> Iterator[Scenario]:
    web_port, bank_port = free_port(), free_port()
    platform, bank = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{bank_port}"
    env = child_env(
        CITIZENCLOUD_PRIVACY_NOTICE_RETRY_BASE_SECONDS="0.5",
        CITIZENCLOUD_PRIVACY_NOTICE_RETRY_CAP_SECONDS="1",
        CITIZENCLOUD_PRIVACY_PUBLIC_BASE_URL=platform,
        CITIZENCLOUD_WORKER_POLL_INTERVAL="0.2",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(web_port)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citizencloud_sim",
            "bank",
            "--port",
            str(bank_port),
            "--platform-url",
            platform,
            "--client-id",
            "test-bank",
            "--client-secret",
            BANK_SECRET,
            "--key-seed",
            BANK_SEED,
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_http(platform + "/healthz", timeout=60)
        wait_http(bank + "/_sim/state")
        register_bank(bank)
        yield Scenario(platform=platform, bank=bank)
    finally:
        _stop(sim)
        _stop(server)


def _wait(predicate, timeout: float = 40.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def _open(s: Scenario, sub: str) -> dict[str, object]:
    return httpx.post(f"{s.bank}/_sim/open", json={"sub": sub}, timeout=20).json()  # type: ignore[no-any-return]


def _grant_and_open(s: Scenario, citizen: object, auth: dict[str, str]) -> str:
    body = {
        "party": "tianfu-bank",
        "purpose": "open_class3_account",
        "items": KYC,
        "actions": ["read", "open_account"],
        "days": 30,
    }
    headers = {"Authorization": auth["HTTP_AUTHORIZATION"]}
    created = httpx.post(f"{s.platform}/api/v1/me/consents", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_refused_without_consent_opened_with_it_closed_and_confirmed_on_revoke(
    scenario: Scenario,
) -> None:
    s = scenario
    citizen = create_citizen(real_name="王五")
    party = register_bank(s.bank)
    sub = consents.subject_ref_for(party, citizen)
    refused = _open(s, sub)
    assert refused["status"] == "refused"
    assert refused["problem"]["code"] == "privacy.consent_required"  # type: ignore[index]
    assert AuditEntry.objects.filter(action="privacy.consent_refused").exists()

    auth = token_for(citizen)
    consent_id = _grant_and_open(s, citizen, auth)
    assert _open(s, sub)["status"] == "opened"
    [account] = httpx.get(f"{s.bank}/_sim/state").json()["accounts"]
    assert account["status"] == "open"
    assert account["holder"] == "王*"

    headers = {"Authorization": auth["HTTP_AUTHORIZATION"]}
    revoked = httpx.delete(f"{s.platform}/api/v1/me/consents/{consent_id}", headers=headers)
    assert revoked.status_code == 204
    _wait(lambda: RevocationNotice.objects.filter(status="confirmed").exists())
    [account] = httpx.get(f"{s.bank}/_sim/state").json()["accounts"]
    assert account["status"] == "closed"
    [row] = httpx.get(f"{s.platform}/api/v1/me/consents", headers=headers).json()
    assert row["status"] == "revoked"
    assert row["party_confirmed"] is True
    assert AuditEntry.objects.filter(action="privacy.revocation_acknowledged").count() == 1
    assert _open(s, sub)["status"] == "refused"  # and no account again without a new consent


def test_the_bank_down_during_the_revoke_is_retried_until_it_confirms(scenario: Scenario) -> None:
    s = scenario
    citizen = create_citizen()
    auth = token_for(citizen)
    consent_id = _grant_and_open(s, citizen, auth)
    party = register_bank(s.bank)
    assert _open(s, consents.subject_ref_for(party, citizen))["status"] == "opened"
    httpx.post(f"{s.bank}/_sim/faults", json={"down": True})
    headers = {"Authorization": auth["HTTP_AUTHORIZATION"]}
    httpx.delete(f"{s.platform}/api/v1/me/consents/{consent_id}", headers=headers)
    _wait(lambda: RevocationNotice.objects.filter(attempts__gte=3).exists())
    notice = RevocationNotice.objects.get()
    assert notice.status == "pending"
    assert notice.last_error == "HTTP 503"
    httpx.post(f"{s.bank}/_sim/faults", json={"down": False})
    _wait(lambda: RevocationNotice.objects.filter(status="confirmed").exists())
    assert httpx.get(f"{s.bank}/_sim/state").json()["accounts"][0]["status"] == "closed"


def test_a_forged_acknowledgement_is_not_accepted_and_is_audited(scenario: Scenario) -> None:
    s = scenario
    citizen = create_citizen()
    auth = token_for(citizen)
    consent_id = _grant_and_open(s, citizen, auth)
    httpx.post(f"{s.bank}/_sim/faults", json={"wrong_signature": True})
    headers = {"Authorization": auth["HTTP_AUTHORIZATION"]}
    httpx.delete(f"{s.platform}/api/v1/me/consents/{consent_id}", headers=headers)
    _wait(lambda: AuditEntry.objects.filter(action="privacy.revocation_ack_rejected").exists())
    assert RevocationNotice.objects.get().status == "pending"
    httpx.post(f"{s.bank}/_sim/faults", json={"wrong_signature": False, "ack": "async"})
    _wait(lambda: RevocationNotice.objects.filter(status="confirmed").exists())
