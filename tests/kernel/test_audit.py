"""The hash-chained audit log, its signed checkpoints, verification and proofs (kernel.audit)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from citizencloud.identity.models import User
from citizencloud.kernel import audit, clock, merkle, signing
from citizencloud.kernel.chainer import Chainer
from citizencloud.kernel.models import AuditCheckpoint, AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def append(n: int, action: str = "identity.login") -> list[AuditEntry]:
    return [audit.record(action=action, details={"n": i}) for i in range(n)]


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def verify_fails_at() -> int | None:
    report = audit.verify()
    assert not report.ok
    return report.first_bad_seq


# --- appending and chaining ---------------------------------------------------------------------


def test_record_snapshots_actor_target_ip_and_request_id() -> None:
    staff = User.objects.create_user("clerk", "pw-123456789", kind="staff", display_name="李四")
    citizen = User.objects.create_user("citizen", "pw-123456789")
    request = Client().get("/").wsgi_request
    request.request_id = "req-42"  # type: ignore[attr-defined]
    entry = audit.record(
        action="applications.decided",
        actor=staff,
        target=citizen,
        details={"application": "A-1", "decision": "approved"},
        request=request,
    )
    assert (entry.actor_id, entry.actor_kind, entry.actor_name) == (
        str(staff.public_id),
        "staff",
        "李四",
    )
    assert (entry.target_type, entry.target_id) == ("identity.user", str(citizen.public_id))
    assert (entry.ip, entry.request_id) == ("127.0.0.1", "req-42")
    assert entry.seq is None
    assert entry.hash is None


@pytest.mark.parametrize(
    "details",
    [{"phone": "x"}, {"note": "call 13812345678"}, {"who": "51010519900101123X"}],
)
def test_details_refuse_raw_personal_data(details: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="personal data"):
        audit.record(action="identity.updated", details=details)


def test_chaining_assigns_dense_sequences_and_linked_hashes() -> None:
    append(5)
    assert audit.chain_pending() == 5
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    prev = audit.GENESIS
    for entry in entries:
        assert entry.hash == audit.entry_hash(prev, entry)
        prev = entry.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, prev)
    assert audit.verify().ok


def test_checkpoints_every_n_entries_and_after_t_seconds(settings: object) -> None:
    settings.AUDIT_CHECKPOINT_ENTRIES = 4  # type: ignore[attr-defined]
    settings.AUDIT_CHECKPOINT_SECONDS = 60  # type: ignore[attr-defined]
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        append(10)
        audit.chain_pending()
        sizes = list(
            AuditCheckpoint.objects.order_by("tree_size").values_list("tree_size", flat=True)
        )
        assert sizes == [4, 8]  # every 4 entries; the timer has not run out
        append(1)
        audit.chain_pending()
        assert AuditCheckpoint.objects.count() == 2  # 11 entries, not due yet
        advance(dt.timedelta(seconds=61))
        audit.chain_pending()
        assert AuditCheckpoint.objects.order_by("-tree_size").first().tree_size == 11  # type: ignore[union-attr]
    assert audit.verify().ok


def test_checkpoint_roots_are_rfc6962_roots_and_signed() -> None:
    entries = append(7)
    audit.chain_pending(force_checkpoint=True)
    checkpoint = AuditCheckpoint.objects.get()
    leaves = [merkle.leaf_hash(audit.canonical(AuditEntry.objects.get(pk=e.pk))) for e in entries]
    assert checkpoint.root_hash == merkle.root(leaves).hex()
    statement = audit.checkpoint_statement(
        size=7, root=checkpoint.root_hash, head_hash=checkpoint.head_hash, at=checkpoint.created_at
    )
    assert signing.verify(
        bytes.fromhex(checkpoint.public_key), bytes.fromhex(checkpoint.signature), statement
    )
    assert checkpoint.key_id == signing.current().key_id


# --- tamper detection ---------------------------------------------------------------------------


@pytest.fixture
def chained() -> list[AuditEntry]:
    append(8)
    audit.chain_pending(force_checkpoint=True)
    append(4)  # 9..12 after the last checkpoint
    audit.chain_pending()
    assert audit.verify().ok
    return list(AuditEntry.objects.order_by("seq"))


def test_editing_a_row_is_detected_at_its_sequence(chained: list[AuditEntry]) -> None:
    sql("UPDATE kernel_auditentry SET details = %s WHERE seq = 5", json.dumps({"n": 99}))
    assert verify_fails_at() == 5


def test_editing_the_time_or_actor_is_detected(chained: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(seq=3).update(actor_name="someone else")
    assert verify_fails_at() == 3


def test_deleting_a_row_is_detected(chained: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(seq=6).delete()
    report = audit.verify()
    assert report.first_bad_seq == 6
    assert "missing" in report.problems[0]


def test_deleting_the_newest_rows_is_detected(chained: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(seq__gte=11).delete()
    assert verify_fails_at() == 11


def test_reordering_rows_is_detected(chained: list[AuditEntry]) -> None:
    sql("UPDATE kernel_auditentry SET seq = 1000 WHERE seq = 4")
    sql("UPDATE kernel_auditentry SET seq = 4 WHERE seq = 7")
    sql("UPDATE kernel_auditentry SET seq = 7 WHERE seq = 1000")
    assert verify_fails_at() == 4


def test_inserting_a_row_in_the_middle_is_detected(chained: list[AuditEntry]) -> None:
    for seq in range(12, 5, -1):
        sql("UPDATE kernel_auditentry SET seq = %s WHERE seq = %s", seq + 1, seq)
    forged = AuditEntry.objects.create(created_at=clock.now(), action="identity.login", seq=6)
    forged.hash = audit.entry_hash(chained[4].hash or "", forged)
    forged.save()
    assert verify_fails_at() == 7  # the forged entry links, the next one no longer does


def test_appending_a_row_behind_the_chainers_back_is_detected(chained: list[AuditEntry]) -> None:
    forged = AuditEntry.objects.create(created_at=clock.now(), action="identity.login", seq=13)
    forged.hash = audit.entry_hash(chained[-1].hash or "", forged)
    forged.save()
    assert verify_fails_at() == 13


def test_rewriting_every_hash_after_an_edit_is_caught_by_the_signed_checkpoint(
    chained: list[AuditEntry],
) -> None:
    AuditEntry.objects.filter(seq=2).update(action="identity.logout")
    prev = AuditEntry.objects.get(seq=1).hash or ""
    for entry in AuditEntry.objects.filter(seq__gte=2).order_by("seq"):
        entry.hash = audit.entry_hash(prev, entry)
        AuditEntry.objects.filter(pk=entry.pk).update(hash=entry.hash)
        prev = entry.hash
    AuditHead.objects.filter(pk=1).update(hash=prev)
    report = audit.verify()
    assert report.first_bad_seq == 8
    assert "checkpoint" in report.problems[0]


def test_a_forged_checkpoint_signature_is_detected(chained: list[AuditEntry]) -> None:
    checkpoint = AuditCheckpoint.objects.get(tree_size=8)
    checkpoint.signature = "00" * 64
    checkpoint.save()
    assert verify_fails_at() == 8


def test_audit_verify_command_names_the_first_bad_sequence(chained: list[AuditEntry]) -> None:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "12 entries" in out.getvalue()
    sql("UPDATE kernel_auditentry SET action = %s WHERE seq = 9", "identity.forged")
    with pytest.raises(CommandError, match="at sequence 9"):
        call_command("audit", "verify", stdout=io.StringIO())


# --- inclusion proofs ---------------------------------------------------------------------------


def test_prove_prints_a_proof_that_checks_against_the_signed_root(
    chained: list[AuditEntry],
) -> None:
    audit.chain_pending(force_checkpoint=True)
    out = io.StringIO()
    call_command("audit", "prove", "5", stdout=out)
    proof = json.loads(out.getvalue())
    leaf = merkle.leaf_hash(proof["entry"].encode())
    assert leaf.hex() == proof["leaf_hash"]
    path = [bytes.fromhex(node) for node in proof["audit_path"]]
    root = merkle.root_from_inclusion(leaf, proof["leaf_index"], proof["tree_size"], path)
    assert root.hex() == proof["root_hash"]
    checkpoint = proof["checkpoint"]
    assert f"root_hash: {root.hex()}" in checkpoint["statement"]
    assert signing.verify(
        bytes.fromhex(checkpoint["public_key"]),
        bytes.fromhex(checkpoint["signature"]),
        checkpoint["statement"].encode(),
    )


def test_prove_explains_an_entry_no_checkpoint_covers_yet() -> None:
    append(1)
    with pytest.raises(CommandError, match="not in the chained log"):
        call_command("audit", "prove", "1", stdout=io.StringIO())
    audit.chain_pending()  # the first chaining signs a checkpoint at once
    append(1)
    audit.chain_pending()  # not due again yet
    with pytest.raises(CommandError, match="no signed checkpoint covers entry 2"):
        call_command("audit", "prove", "2", stdout=io.StringIO())


def test_consistency_proofs_show_each_checkpoint_extends_the_previous(
    chained: list[AuditEntry],
) -> None:
    audit.chain_pending(force_checkpoint=True)
    roots = dict(AuditCheckpoint.objects.values_list("tree_size", "root_hash"))
    assert sorted(roots) == [8, 12]
    proof = audit.consistency_proof(8, 12)
    assert merkle.verify_consistency(
        8, 12, bytes.fromhex(roots[8]), bytes.fromhex(roots[12]), proof
    )
    assert not merkle.verify_consistency(
        8, 12, merkle.leaf_hash(b"forged"), bytes.fromhex(roots[12]), proof
    )


def test_a_tampered_stored_subtree_is_detected(chained: list[AuditEntry]) -> None:
    from citizencloud.kernel.models import AuditTreeNode

    AuditTreeNode.objects.filter(level=3, index=0).update(hash="00" * 32)  # root of 1..8
    assert verify_fails_at() == 8


# --- retention ----------------------------------------------------------------------------------


def test_pruning_keeps_the_log_verifiable(settings: object) -> None:
    settings.AUDIT_RETENTION_DAYS = 180  # type: ignore[attr-defined]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        append(6)
        audit.chain_pending(force_checkpoint=True)
        advance(dt.timedelta(days=200))
        append(3)
        audit.chain_pending(force_checkpoint=True)
        assert audit.prune_expired() == 6
        audit.chain_pending(force_checkpoint=True)  # the prune itself is audited
    assert not AuditEntry.objects.filter(seq__lte=6).exists()
    report = audit.verify()
    assert report.ok, report.problems
    assert report.entries == 4
    proof = audit.prove(8)  # proofs still work for the entries kept
    leaf = bytes.fromhex(proof["leaf_hash"])
    path = [bytes.fromhex(node) for node in proof["audit_path"]]
    assert merkle.root_from_inclusion(leaf, 7, proof["tree_size"], path).hex() == proof["root_hash"]
    with pytest.raises(LookupError, match="retention"):
        audit.prove(3)
    assert AuditEntry.objects.filter(action="audit.pruned").exists()


def test_retention_defaults_to_at_least_180_days(settings: object) -> None:
    assert settings.AUDIT_RETENTION_DAYS >= 180  # type: ignore[attr-defined]


# --- the worker's chainer and the transparency endpoint -----------------------------------------


def test_the_workers_chainer_thread_chains_within_a_tick() -> None:
    append(3)
    Chainer(interval=0.1).tick()
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 0
    assert AuditCheckpoint.objects.exists()


def test_transparency_endpoint_publishes_signed_checkpoints(client: Client) -> None:
    for _ in range(3):
        append(2)
        audit.chain_pending(force_checkpoint=True)
    response = client.get("/api/v1/transparency/checkpoints?limit=2")
    assert response.status_code == 200
    body = response.json()
    assert [c["tree_size"] for c in body["checkpoints"]] == [6, 4]
    assert body["next_before"] == 4
    import base64

    for item in body["checkpoints"]:
        assert f"time: {item['time']}\n" in item["statement"]
        assert f"tree_size: {item['tree_size']}\n" in item["statement"]
        public_key = base64.b64decode(body["public_keys"][item["key_id"]])
        assert signing.verify(
            public_key, base64.b64decode(item["signature"]), item["statement"].encode()
        )
    older = client.get("/api/v1/transparency/checkpoints?before=4").json()
    assert [c["tree_size"] for c in older["checkpoints"]] == [2]


def test_transparency_endpoint_serves_consistency_proofs(client: Client) -> None:
    append(3)
    audit.chain_pending(force_checkpoint=True)
    append(4)
    audit.chain_pending(force_checkpoint=True)
    body = client.get("/api/v1/transparency/checkpoints").json()
    roots = {c["tree_size"]: bytes.fromhex(c["root_hash"]) for c in body["checkpoints"]}
    response = client.get("/api/v1/transparency/consistency?first=3&second=7")
    assert response.status_code == 200
    proof = [bytes.fromhex(node) for node in response.json()["proof"]]
    assert merkle.verify_consistency(3, 7, roots[3], roots[7], proof)
    wrong = client.get("/api/v1/transparency/consistency?first=5&second=70")
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "transparency.bad_range"
