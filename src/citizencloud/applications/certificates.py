"""E-certificates: a canonical JSON statement signed with the kernel's Ed25519 key, verified
against the key ring, and its PDF rendering (CJK font from ``kernel.pdf``, QR to /verify/)."""

from __future__ import annotations

import base64
import io
import json
import uuid
from dataclasses import dataclass
from typing import Any

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from citizencloud.applications.models import Application, Certificate
from citizencloud.kernel import clock, signing
from citizencloud.kernel import pdf as kernel_pdf
from citizencloud.kernel.masking import mask_name

__all__ = ["Verification", "canonical", "issue", "pdf", "signed_document", "verify"]


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


def pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """The certificate as an A4 PDF with the CJK font and a QR code to ``verify_url``."""
    font = kernel_pdf.cjk_font()
    statement = dict(certificate.statement)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setTitle(str(statement.get("title", "")))
    page.setFont(font, 22)
    page.drawCentredString(width / 2, height - 40 * mm, str(statement.get("title", "")))
    page.setFont(font, 12)
    lines = [
        f"事项 Service: {statement['service']['name']}",
        f"出具部门 Issued by: {statement['department']}",
        f"办件编号 Case reference: {statement['reference']}",
        f"持有人 Holder: {statement['holder']}",
        f"出具时间 Issued at: {str(statement['issued_at'])[:19].replace('T', ' ')} UTC",
        f"证照编号 Certificate: {statement['id']}",
        f"签名 Signature (Ed25519, {certificate.key_id}):",
    ]
    y = height - 60 * mm
    for line in lines:
        page.drawString(25 * mm, y, line)
        y -= 8 * mm
    page.setFont(font, 7)
    sig = certificate.signature
    for start in range(0, len(sig), 60):
        page.drawString(25 * mm, y, sig[start : start + 60])
        y -= 4 * mm
    # The QR is drawn module by module as vector squares: sharp at any zoom, no image library.
    code = segno.make(verify_url, error="m")
    size = 40 * mm
    module = size / (code.symbol_size(border=2)[0])
    left, top = width - 25 * mm - size, 40 * mm + size
    for row_index, row in enumerate(code.matrix_iter(border=2)):
        for col_index, dark in enumerate(row):
            if dark:
                page.rect(
                    left + col_index * module,
                    top - (row_index + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )
    page.setFont(font, 9)
    page.drawString(25 * mm, 40 * mm, "扫码或访问以下地址验证 Scan or visit to verify:")
    page.drawString(25 * mm, 34 * mm, verify_url)
    page.showPage()
    page.save()
    return buffer.getvalue()
