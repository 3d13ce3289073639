"""PDFs with Chinese text: the project's embedded CJK font (``fonts/``, WenQuanYi Micro Hei,
GB2312 subset, Apache-2.0 — see fonts/README.md) registered once with ReportLab."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WQYMicroHei"
FONT_FILE = Path(__file__).parent / "fonts" / "WenQuanYiMicroHei-GB2312.ttf"


@functools.cache
def cjk_font() -> str:
    """The name under which the CJK font is registered with ReportLab."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    return FONT_NAME
