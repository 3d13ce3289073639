"""Checks on an uploaded file before it is stored: name, size, type by content, polyglots,
and the virus-scan port (a null adapter unless one is configured)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from citizencloud.kernel.errors import DomainError

__all__ = ["Checked", "NullScanner", "RejectedFile", "Scanner", "check"]

MAX_NAME = 120
SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
# Markup that makes a browser (or a sniffing proxy) treat the bytes as a page: a PDF or image
# that also holds it is a polyglot and is refused.
_MARKUP = re.compile(rb"<\s*(html|script|body|iframe|svg|object|embed|!doctype)\b", re.IGNORECASE)


class RejectedFile(DomainError):
    code = "applications.file_rejected"
    status = 422


class Scanner(Protocol):
    def scan(self, content: bytes) -> str | None:
        """The name of the threat found in ``content``, or None when it is clean."""


class NullScanner:
    def scan(self, content: bytes) -> str | None:
        return None


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str


def scanner() -> Scanner:
    path = getattr(settings, "APPLICATIONS_VIRUS_SCANNER", "")
    return import_string(path)() if path else NullScanner()


def _reject(reason: str, message: str) -> RejectedFile:
    return RejectedFile(message, code=f"applications.file_{reason}", extra={"reason": reason})


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").strip()
    if (
        not name
        or len(name) > MAX_NAME
        or any(c in name for c in "/\\\x00")
        or ".." in name
        or name.startswith(".")
        or any(unicodedata.category(c).startswith("C") for c in name)
    ):
        raise _reject(
            "bad_name", _("The file name is not allowed: use a plain name like scan.pdf.")
        )
    return name


def check(name: str, content: bytes) -> Checked:
    """Accept ``content`` as an attachment or raise ``RejectedFile`` with the reason."""
    clean = _clean_name(name)
    if not content:
        raise _reject("empty", _("The file is empty."))
    limit = int(getattr(settings, "APPLICATIONS_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))
    if len(content) > limit:
        raise _reject(
            "too_large", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    match = next((s for s in SIGNATURES if content.startswith(s[0])), None)
    if match is None or not clean.lower().endswith(match[2]):
        raise _reject("wrong_type", _("Only PDF, PNG and JPEG files are accepted."))
    if _MARKUP.search(content):
        raise _reject("polyglot", _("The file also contains web page code and was refused."))
    threat = scanner().scan(content)
    if threat:
        raise _reject("infected", _("The virus scan refused the file."))
    return Checked(
        name=clean,
        content_type=match[1],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
