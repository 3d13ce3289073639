"""E-certificates: a canonical JSON statement signed with the kernel's Ed25519 key, verified
against the key ring. (A PDF rendering waits for a shared CJK font helper in the kernel.)"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from citizencloud.applications.models import Application, Certificate
from citizencloud.kernel import clock, signing
from citizencloud.kernel.masking import mask_name

__all__ = ["Verification", "canonical", "issue", "signed_document", "verify"]


def canonical(statement: dict[str, Any]) -> bytes:
    return json.dumps(statement, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def issue(case: Application, *, title: str) -> Certificate:
    """Sign and store the certificate of a completed case (once per case)."""
    certificate_id = uuid.uuid4()
    statement = {
        "type": "citizencloud.certificate/1",
        "id": str(certificate_id),
        "title": title,
        "reference": case.reference,
        "service": {"code": case.service.code, "name": case.service.name},
        "department": case.department.name,
        "holder": mask_name(str(case.citizen.real_name or "")),
        "issued_at": clock.now().isoformat(),
    }
    key = signing.current()
    return Certificate.objects.create(
        public_id=certificate_id,
        application=case,
        title=title,
        statement=statement,
        signature=_b64(key.sign(canonical(statement))),
        key_id=key.key_id,
    )


def signed_document(certificate: Certificate) -> dict[str, Any]:
    return {
        "statement": certificate.statement,
        "signature": {"alg": "Ed25519", "kid": certificate.key_id, "value": certificate.signature},
    }


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str


def verify(certificate: Certificate) -> Verification:
    if certificate.revoked_at is not None:
        return Verification(False, "revoked")
    public_key = signing.trusted_public_keys().get(certificate.key_id)
    if public_key is None:
        return Verification(False, "unknown_key")
    raw = certificate.signature + "=" * (-len(certificate.signature) % 4)
    ok = signing.verify(
        public_key, base64.urlsafe_b64decode(raw), canonical(dict(certificate.statement))
    )
    return Verification(ok, "" if ok else "bad_signature")
