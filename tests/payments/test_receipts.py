"""Receipts: amounts in Chinese capitals, and a PDF whose Chinese text is embedded in the
shipped font (a fresh machine has no CJK font)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from citizencloud.payments import receipts, services
from citizencloud.payments.providers import Trade
from tests.payments.support import bind, create_bill, create_user


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "零元整"),
        (1, "壹分"),
        (10, "壹角"),
        (100, "壹元整"),
        (4680, "肆拾陆元捌角"),
        (12345, "壹佰贰拾叁元肆角伍分"),
        (10005, "壹佰元零伍分"),
        (100000000, "壹佰万元整"),
        (1000100, "壹万零壹元整"),
        (101000000, "壹佰零壹万元整"),
        (10000000000, "壹亿元整"),
    ],
)
def test_amount_in_capitals(fen: int, words: str) -> None:
    assert receipts.amount_in_capitals(fen) == words


@pytest.mark.django_db
def test_receipt_pdf_embeds_the_cjk_font(tmp_path: Path) -> None:
    user = create_user()
    bill = create_bill(description="水费")
    bind(user, bill)
    payment = services.create_payment(user=user, bill_id=str(bill.public_id), amount_fen=4680)
    services.apply_trade(
        payment=payment, trade=Trade(str(payment.public_id), "TRADE_SUCCESS", "T2026", 4680)
    )
    payment.refresh_from_db()
    pdf = receipts.render_pdf(payment)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) < 200_000
    assert b"/FontFile2" in pdf  # a TrueType font embedded in the document
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "WenQuanYi" in fonts, fonts
        assert " yes " in fonts, fonts  # embedded
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "电子缴款凭证" in text
        assert "肆拾陆元捌角" in text
        assert "成都自来水" in text
