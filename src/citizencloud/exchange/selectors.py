"""Reads of the exchange: peers (active ones, by code or by key id) and the message log."""

from __future__ import annotations

from django.db.models import QuerySet

from citizencloud.exchange.client import PeerInfo
from citizencloud.exchange.models import Message, Peer

__all__ = ["messages", "peer", "peer_by_key", "peer_info", "peers"]


def peers() -> QuerySet[Peer]:
    return Peer.objects.filter(active=True).order_by("code")


def peer(code: str) -> Peer | None:
    return Peer.objects.filter(code=code, active=True).first()


def peer_by_key(key_id: str) -> Peer | None:
    """The active peer holding the public key ``key_id`` (key ids are unique in practice)."""
    if not key_id or len(key_id) > 64:
        return None
    for candidate in Peer.objects.filter(active=True):
        if key_id in (candidate.public_keys or {}):
            return candidate
    return None


def peer_info(found: Peer) -> PeerInfo:
    return PeerInfo(
        code=found.code,
        endpoint=found.endpoint,
        public_keys=dict(found.public_keys or {}),
        rate=found.rate,
    )


def messages(*, peer_code: str | None = None) -> QuerySet[Message]:
    rows = Message.objects.order_by("-created_at", "-id")
    return rows.filter(peer_code=peer_code) if peer_code else rows
