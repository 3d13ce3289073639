"""Campaign passes and entry receipts: small signed statements (no Django, no I/O).

A pass says "user U may enter campaign C until T"; Django issues it after checking eligibility
and the edge checks it on every entry. Two formats (ADR 0020):

    cp2 (issued now): HMAC-SHA256 under a key derived per campaign from the pass master key
    pass    = "cp2." b64url(payload) "." b64url(HMAC-SHA256(K_c, payload))
    payload = "citizencloud/campaign-pass/v2|<key id>|<campaign id>|<user id>|<expires unix>"
    K_c     = HMAC-SHA256(master, "citizencloud/campaign-pass-key/v2|<campaign id>")

    cp1 (still accepted): Ed25519 over
    payload = "citizencloud/campaign-pass/v1|<key id>|<campaign id>|<user id>|<expires unix>"

Only the platform issues and checks passes, so a MAC is enough: ~2 µs against ~100 µs for an
Ed25519 verification, which was the largest cost of an entry (bench/README.md, Campaigns).

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
import hashlib
import hmac
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from citizencloud.kernel import merkle

PASS_PREFIX = "cp1."  # noqa: S105 (a format tag, not a secret)
PASS_CONTEXT = "citizencloud/campaign-pass/v1"  # noqa: S105
MAC_PREFIX = "cp2."
MAC_CONTEXT = "citizencloud/campaign-pass/v2"
KEY_CONTEXT = b"citizencloud/campaign-pass-key/v2|"
MASTER_CONTEXT = b"citizencloud/campaign-pass-master/v2"
RECEIPT_CONTEXT = "citizencloud/campaign-receipt/v1"
RECEIPT_BATCH_CONTEXT = "citizencloud/campaign-receipt-batch/v1"
MAX_PASS_LENGTH = 400


class InvalidPass(Exception):
    """The pass is malformed, forged, signed by an unknown key or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Pass(NamedTuple):  # a tuple: built on every entry, a third of a frozen dataclass's cost
    campaign_id: int
    user_id: int
    expires_at: int
    key_id: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _unb64(text: str) -> bytes:
    """base64url without padding, decoded as ``base64.urlsafe_b64decode`` does (non-alphabet
    characters discarded) but without its per-call checks: it runs twice on every entry."""
    raw = text.encode("ascii").translate(_FROM_URLSAFE)
    return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))


def issue(
    private: Ed25519PrivateKey, key_id: str, *, campaign_id: int, user_id: int, expires_at: int
) -> str:
    """A pass for ``user_id`` in ``campaign_id``, valid until the Unix time ``expires_at``."""
    payload = f"{PASS_CONTEXT}|{key_id}|{campaign_id}|{user_id}|{expires_at}".encode()
    return PASS_PREFIX + _b64(payload) + "." + _b64(private.sign(payload))


def master_from_seed(seed: bytes) -> tuple[str, bytes]:
    """The pass master key derived from the platform's 32-byte signing seed, and its key id
    (a fingerprint that reveals nothing of the key)."""
    master = hmac.digest(seed, MASTER_CONTEXT, "sha256")
    return hashlib.sha256(b"citizencloud/campaign-pass-kid|" + master).hexdigest()[:16], master


def campaign_key(master: bytes, campaign_id: int) -> bytes:
    """The MAC key of one campaign: a leaked campaign key forges passes for that campaign only."""
    return hmac.digest(master, KEY_CONTEXT + str(campaign_id).encode(), "sha256")


def issue_mac(
    master: bytes, key_id: str, *, campaign_id: int, user_id: int, expires_at: int
) -> str:
    """A ``cp2`` pass (HMAC under the campaign's key derived from ``master``)."""
    payload = f"{MAC_CONTEXT}|{key_id}|{campaign_id}|{user_id}|{expires_at}".encode()
    mac = hmac.digest(campaign_key(master, campaign_id), payload, "sha256")
    return MAC_PREFIX + _b64(payload) + "." + _b64(mac)


def peek_user(token: str) -> int | None:
    """The user id a pass *claims*, unverified: only for answers that reveal nothing (sold out)."""
    try:
        body = token[len(PASS_PREFIX) :].partition(".")[0]
        return int(_unb64(body).decode().split("|")[3])
    except (binascii.Error, ValueError, UnicodeDecodeError, IndexError):
        return None


class Verifier:
    """Verifies passes: ``cp2`` against the MAC master keys (key id → 32 bytes), ``cp1`` against
    the Ed25519 key ring (key id → public key bytes)."""

    def __init__(self, ring: dict[str, bytes], masters: dict[str, bytes] | None = None) -> None:
        self._keys = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in ring.items()}
        self._masters = dict(masters or {})
        self._campaign_macs: dict[tuple[str, int], hmac.HMAC] = {}

    def verify(self, token: str, *, now: int) -> Pass:
        """The pass's claims if ``token`` is genuine and unexpired at ``now``; else InvalidPass."""
        if len(token) > MAX_PASS_LENGTH:
            raise InvalidPass("malformed")
        if token.startswith(MAC_PREFIX):
            return self._verify_mac(token, now)
        if not token.startswith(PASS_PREFIX):
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

    def _verify_mac(self, token: str, now: int) -> Pass:
        body, _, tag_text = token[len(MAC_PREFIX) :].partition(".")
        try:
            payload, tag = _unb64(body), _unb64(tag_text)
            context, kid, campaign, user, expires = payload.decode().split("|")
            claims = Pass(int(campaign), int(user), int(expires), kid)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidPass("malformed") from None
        keyed = self._campaign_macs.get((kid, claims.campaign_id))
        if keyed is None:
            master = self._masters.get(kid)
            if context != MAC_CONTEXT or master is None:
                raise InvalidPass("unknown_key")
            keyed = hmac.new(campaign_key(master, claims.campaign_id), digestmod=hashlib.sha256)
            if len(self._campaign_macs) > 4096:
                self._campaign_macs.clear()
            self._campaign_macs[(kid, claims.campaign_id)] = keyed
        elif context != MAC_CONTEXT:
            raise InvalidPass("unknown_key")
        # A copy of the keyed HMAC: the key's pads are hashed once per campaign, not per pass.
        computed = keyed.copy()
        computed.update(payload)
        if not hmac.compare_digest(computed.digest(), tag):
            raise InvalidPass("bad_signature")
        if claims.expires_at <= now:
            raise InvalidPass("expired")
        return claims


def receipt_message(campaign_id: int, entry_id: str, created_at: str) -> bytes:
    return f"{RECEIPT_CONTEXT}|{campaign_id}|{entry_id}|{created_at}".encode()


def _tree(leaves: list[bytes]) -> tuple[bytes, list[list[str]]]:
    """The RFC 6962 root over ``leaves`` and every leaf's inclusion proof (hex, leaf to root);
    each node is hashed and hex-encoded once."""
    proofs: list[list[str]] = [[] for _ in leaves]

    def subtree(lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return leaves[lo]
        k = lo + (1 << ((hi - lo - 1).bit_length() - 1))
        left, right = subtree(lo, k), subtree(k, hi)
        left_hex, right_hex = left.hex(), right.hex()
        for i in range(lo, k):
            proofs[i].append(right_hex)
        for i in range(k, hi):
            proofs[i].append(left_hex)
        return merkle.node_hash(left, right)

    return subtree(0, len(leaves)), proofs


def _batch_message(root: bytes, size: int) -> bytes:
    return f"{RECEIPT_BATCH_CONTEXT}|{root.hex()}|{size}".encode()


def _sign_batch(
    private: Ed25519PrivateKey, statements: list[tuple[int, str, str]]
) -> tuple[str, list[list[str]], str]:
    leaves = [merkle.leaf_hash(receipt_message(*s)) for s in statements]
    root, proofs = _tree(leaves)
    return root.hex(), proofs, _b64(private.sign(_batch_message(root, len(leaves))))


def sign_receipts(
    private: Ed25519PrivateKey, key_id: str, statements: list[tuple[int, str, str]]
) -> list[dict[str, object]]:
    """Receipts for ``(campaign id, entry id, created at)`` statements, one signature for all."""
    if not statements:
        return []
    root, proofs, signature = _sign_batch(private, statements)
    return [
        {
            "key_id": key_id,
            "batch_root": root,
            "batch_size": len(proofs),
            "index": index,
            "proof": proof,
            "signature": signature,
        }
        for index, proof in enumerate(proofs)
    ]


def receipts_json(
    private: Ed25519PrivateKey, key_id: str, statements: list[tuple[int, str, str]]
) -> list[str]:
    """The same receipts as ``sign_receipts``, already as JSON text (every value is hex,
    base64url, a number or a key id, so nothing needs escaping): the hot path's replies."""
    if not statements:
        return []
    root, proofs, signature = _sign_batch(private, statements)
    head = '{"key_id":"' + key_id + '","batch_root":"' + root + '","batch_size":'
    head += str(len(proofs)) + ',"index":'
    tail = '],"signature":"' + signature + '"}'
    out = []
    for index, proof in enumerate(proofs):
        path = '"' + '","'.join(proof) + '"' if proof else ""
        out.append(head + str(index) + ',"proof":[' + path + tail)
    return out


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
