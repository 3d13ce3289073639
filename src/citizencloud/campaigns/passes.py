"""Campaign passes and entry receipts: small Ed25519-signed statements (no Django, no I/O).

A pass says "user U may enter campaign C until T"; Django signs it after checking eligibility
and the edge verifies it with the public key ring only, so an edge node holds no secret.

    pass    = "cp1." b64url(payload) "." b64url(signature)
    payload = "citizencloud/campaign-pass/v1|<key id>|<campaign id>|<user id>|<expires unix>"

A receipt is what the client keeps after a 201. The entries acknowledged together (one group
commit) are signed together: their receipt messages are the leaves of an RFC 6962 Merkle tree
and the platform signs the tree's root once; each receipt carries its inclusion proof.

    message   = "citizencloud/campaign-receipt/v1|<campaign id>|<entry id>|<created at ISO>"
    signed    = "citizencloud/campaign-receipt-batch/v1|<root hex>|<batch size>"
    receipt   = {key_id, batch_root, batch_size, index, proof: [hex…], signature}

One Ed25519 signature per batch instead of one per entry (~40 µs each on this machine).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from citizencloud.kernel import merkle

PASS_PREFIX = "cp1."  # noqa: S105 (a format tag, not a secret)
PASS_CONTEXT = "citizencloud/campaign-pass/v1"  # noqa: S105
RECEIPT_CONTEXT = "citizencloud/campaign-receipt/v1"
RECEIPT_BATCH_CONTEXT = "citizencloud/campaign-receipt-batch/v1"
MAX_PASS_LENGTH = 400


class InvalidPass(Exception):
    """The pass is malformed, forged, signed by an unknown key or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pass:
    campaign_id: int
    user_id: int
    expires_at: int
    key_id: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(
    private: Ed25519PrivateKey, key_id: str, *, campaign_id: int, user_id: int, expires_at: int
) -> str:
    """A pass for ``user_id`` in ``campaign_id``, valid until the Unix time ``expires_at``."""
    payload = f"{PASS_CONTEXT}|{key_id}|{campaign_id}|{user_id}|{expires_at}".encode()
    return PASS_PREFIX + _b64(payload) + "." + _b64(private.sign(payload))


def peek_user(token: str) -> int | None:
    """The user id a pass *claims*, unverified: only for answers that reveal nothing (sold out)."""
    try:
        body = token[len(PASS_PREFIX) :].partition(".")[0]
        return int(_unb64(body).decode().split("|")[3])
    except (binascii.Error, ValueError, UnicodeDecodeError, IndexError):
        return None


class Verifier:
    """Verifies passes against a key ring (key id → Ed25519 public key bytes)."""

    def __init__(self, ring: dict[str, bytes]) -> None:
        self._keys = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in ring.items()}

    def verify(self, token: str, *, now: int) -> Pass:
        """The pass's claims if ``token`` is genuine and unexpired at ``now``; else InvalidPass."""
        if len(token) > MAX_PASS_LENGTH or not token.startswith(PASS_PREFIX):
            raise InvalidPass("malformed")
        body, _, signature = token[len(PASS_PREFIX) :].partition(".")
        try:
            payload, sig = _unb64(body), _unb64(signature)
            context, kid, campaign, user, expires = payload.decode().split("|")
            claims = Pass(int(campaign), int(user), int(expires), kid)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidPass("malformed") from None
        key = self._keys.get(kid)
        if context != PASS_CONTEXT or key is None:
            raise InvalidPass("unknown_key")
        try:
            key.verify(sig, payload)
        except InvalidSignature:
            raise InvalidPass("bad_signature") from None
        if claims.expires_at <= now:
            raise InvalidPass("expired")
        return claims


def receipt_message(campaign_id: int, entry_id: str, created_at: str) -> bytes:
    return f"{RECEIPT_CONTEXT}|{campaign_id}|{entry_id}|{created_at}".encode()


def _tree(leaves: list[bytes]) -> tuple[bytes, list[list[bytes]]]:
    """The RFC 6962 root over ``leaves`` and every leaf's inclusion proof, in O(n log n)."""
    n = len(leaves)
    if n == 1:
        return leaves[0], [[]]
    k = 1 << ((n - 1).bit_length() - 1)
    left_root, left = _tree(leaves[:k])
    right_root, right = _tree(leaves[k:])
    proofs = [[*p, right_root] for p in left] + [[*p, left_root] for p in right]
    return merkle.node_hash(left_root, right_root), proofs


def _batch_message(root: bytes, size: int) -> bytes:
    return f"{RECEIPT_BATCH_CONTEXT}|{root.hex()}|{size}".encode()


def sign_receipts(
    private: Ed25519PrivateKey, key_id: str, statements: list[tuple[int, str, str]]
) -> list[dict[str, object]]:
    """Receipts for ``(campaign id, entry id, created at)`` statements, one signature for all."""
    if not statements:
        return []
    leaves = [merkle.leaf_hash(receipt_message(*s)) for s in statements]
    root, proofs = _tree(leaves)
    signature = _b64(private.sign(_batch_message(root, len(leaves))))
    return [
        {
            "key_id": key_id,
            "batch_root": root.hex(),
            "batch_size": len(leaves),
            "index": index,
            "proof": [p.hex() for p in proof],
            "signature": signature,
        }
        for index, proof in enumerate(proofs)
    ]


def verify_receipt(
    public_key: bytes,
    *,
    campaign_id: int,
    entry_id: str,
    created_at: str,
    receipt: dict[str, object],
) -> bool:
    """Whether ``receipt`` proves the platform acknowledged this entry."""
    try:
        leaf = merkle.leaf_hash(receipt_message(campaign_id, entry_id, created_at))
        size = int(str(receipt["batch_size"]))
        proof = [bytes.fromhex(str(h)) for h in receipt["proof"]]  # type: ignore[attr-defined]
        root = merkle.root_from_inclusion(leaf, int(str(receipt["index"])), size, proof)
        if root.hex() != receipt["batch_root"]:
            return False
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            _unb64(str(receipt["signature"])), _batch_message(root, size)
        )
    except (InvalidSignature, ValueError, KeyError, TypeError, binascii.Error):
        return False
    return True
