"""A readable PDF summary of a data export (ReportLab with the kernel's CJK font)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from citizencloud.kernel import pdf


class _Writer:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=A4)
        self.canvas.setTitle("citizencloud export")
        self.font = pdf.cjk_font()
        self.y = A4[1] - 20 * mm

    def line(self, text: str, size: int = 10, indent: float = 0) -> None:
        if self.y < 20 * mm:
            self.canvas.showPage()
            self.y = A4[1] - 20 * mm
        self.canvas.setFont(self.font, size)
        self.canvas.drawString(20 * mm + indent, self.y, text[:95])
        self.y -= size * 0.5 * mm + 2 * mm

    def bytes(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()


def export_pdf(data: dict[str, Any]) -> bytes:
    """The export as a few readable pages: account, consents, who read what, other records."""
    out = _Writer()
    account = data["account"]
    out.line(_("My data at Citizen Cloud"), size=16)
    out.line(_("Exported at %(at)s") % {"at": data["exported_at"][:19]}, size=9)
    out.line(_("Account"), size=13)
    for label, key in (
        (_("Name"), "real_name"),
        (_("ID number"), "id_number"),
        (_("Mobile phone"), "phone"),
        (_("Joined"), "joined"),
    ):
        out.line(f"{label}: {account.get(key) or '—'}", indent=4 * mm)
    out.line(_("Consents"), size=13)
    for receipt in data["consents"]:
        service = receipt["services"][0]
        state = _("withdrawn") if receipt["revokedAt"] else _("in force")
        out.line(
            f"{service['service']} · {service['purposes'][0]['purpose']} · {state}", indent=4 * mm
        )
    out.line(_("Who looked at my data"), size=13)
    for row in data["data_access"][:200]:
        out.line(
            f"{row['at'][:16]} · {row['who']} · {row['purpose']} · {','.join(row['fields'])}",
            indent=4 * mm,
        )
    out.line(_("Sessions"), size=13)
    out.line(
        _("%(count)s sign-in sessions (details in the JSON file)")
        % {"count": len(data["sessions"])},
        indent=4 * mm,
    )
    for name in sorted(
        set(data)
        - {"format", "exported_at", "account", "consents", "data_access", "sessions", "activity"}
    ):
        value = data[name]
        count = sum(len(v) for v in value.values()) if isinstance(value, dict) else len(value)
        out.line(f"{name}: {count}", indent=4 * mm)
    return out.bytes()
