"""HTTP Message Signatures (RFC 9421) with Ed25519, and Content-Digest (RFC 9530): pure functions.

Only what the exchange needs: one signature labelled ``sig1``, the derived components
``@method``, ``@authority``, ``@path`` and ``@status``, lower-case header fields, and the
parameters ``created``, ``keyid``, ``alg`` and ``nonce``. Parsing is strict: anything else is
refused as malformed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Malformed",
    "ParsedSignature",
    "content_digest",
    "digest_matches",
    "params_text",
    "parse",
    "signature_base",
]

LABEL = "sig1"
_NAME = r'"[a-z0-9@\-]+"'
_INPUT = re.compile(
    rf"^sig1=\((?P<names>(?:{_NAME}(?: {_NAME})*)?)\)"
    r'(?P<params>(?:;[a-z]+=(?:"[^"\\]*"|[0-9]+))*)$'
)
_PARAM = re.compile(r';([a-z]+)=("[^"\\]*"|[0-9]+)')
_SIGNATURE = re.compile(r"^sig1=:(?P<value>[A-Za-z0-9+/=]+):$")


class Malformed(ValueError):
    """A Signature, Signature-Input or Content-Digest field we do not accept."""


@dataclass(frozen=True)
class ParsedSignature:
    names: tuple[str, ...]
    params: dict[str, str | int]
    params_text: str  # exactly as received: it is part of the signature base
    signature: bytes

    @property
    def key_id(self) -> str:
        return str(self.params.get("keyid", ""))

    @property
    def created(self) -> int:
        value = self.params.get("created")
        if not isinstance(value, int):
            raise Malformed("created is missing")
        return value


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` value of ``body`` (SHA-256)."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def digest_matches(header: str, body: bytes) -> bool:
    return header.strip() == content_digest(body)


def params_text(
    names: Sequence[str], *, created: int, key_id: str, nonce: str | None = None
) -> str:
    """The ``@signature-params`` value: the covered components and the parameters."""
    inner = " ".join(f'"{name}"' for name in names)
    text = f'({inner});created={created};keyid="{key_id}";alg="ed25519"'
    if nonce is not None:
        text += f';nonce="{nonce}"'
    return text


def signature_base(values: Mapping[str, str], names: Sequence[str], params: str) -> bytes:
    """The signature base (RFC 9421 §2.5) over ``values`` of the covered component ``names``."""
    lines = []
    for name in names:
        if name not in values:
            raise Malformed(f"the covered component {name} is missing")
        value = values[name]
        if "\n" in value or "\r" in value:
            raise Malformed("component values must be single lines")
        lines.append(f'"{name}": {value.strip()}')
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines).encode()


def parse(signature_input: str, signature: str) -> ParsedSignature:
    """Parse the two header fields of one ``sig1`` signature; raise ``Malformed``."""
    found = _INPUT.match(signature_input.strip())
    value = _SIGNATURE.match(signature.strip())
    if not found or not value:
        raise Malformed("Signature-Input or Signature is not a single sig1 entry")
    names = tuple(n.strip('"') for n in found["names"].split()) if found["names"] else ()
    params: dict[str, str | int] = {}
    for key, raw in _PARAM.findall(found["params"]):
        params[key] = raw.strip('"') if raw.startswith('"') else int(raw)
    if params.get("alg", "ed25519") != "ed25519":
        raise Malformed("only Ed25519 signatures are accepted")
    try:
        raw_signature = base64.b64decode(value["value"], validate=True)
    except ValueError as error:
        raise Malformed("the signature is not base64") from error
    params_raw = signature_input.strip()[len(LABEL) + 1 :]
    return ParsedSignature(names, params, params_raw, raw_signature)
