"""QR codes for authenticator enrolment, as SVG data URIs (no inline script, CSP-safe <img>)."""

from __future__ import annotations

import segno


def svg_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))
