"""The exchange's refusals and failures, each with a stable code (docs/exchange.md lists them)."""

from __future__ import annotations

from citizencloud.kernel.errors import DomainError


class ExchangeError(DomainError):
    """A message was refused or could not be exchanged."""

    code = "exchange.failed"
    status = 502


class UnknownPeer(ExchangeError):
    code = "exchange.unknown_peer"
    status = 401


class BadSignature(ExchangeError):
    code = "exchange.bad_signature"
    status = 401


class ClockSkew(ExchangeError):
    code = "exchange.clock_skew"
    status = 401


class Replayed(ExchangeError):
    code = "exchange.replayed"
    status = 409


class BadDigest(ExchangeError):
    code = "exchange.bad_digest"
    status = 400


class Malformed(ExchangeError):
    code = "exchange.malformed"
    status = 400


class Oversized(ExchangeError):
    code = "exchange.oversized"
    status = 413


class PurposeNotAllowed(ExchangeError):
    code = "exchange.purpose_not_allowed"
    status = 403


class RefusedByPeer(ExchangeError):
    code = "exchange.refused_by_peer"
    status = 502


class Unavailable(ExchangeError):
    code = "exchange.unavailable"
    status = 503


class CircuitOpen(Unavailable):
    code = "exchange.circuit_open"
    status = 503


class NoSuchService(ExchangeError):
    code = "exchange.no_such_service"
    status = 404
