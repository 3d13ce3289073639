"""Payment receipts as PDF (ReportLab, with the CJK font this app ships) carrying the
e-invoice data: invoice code and number, check code, payer, payee, item, amount in figures and
in Chinese capitals, time and the provider's trade number."""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass

from django.conf import settings
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from citizencloud.kernel import money, pdf
from citizencloud.kernel.masking import mask_name
from citizencloud.payments import selectors
from citizencloud.payments.models import Payment

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_GROUPS = ["", "万", "亿", "兆"]


def amount_in_capitals(fen: int) -> str:
    """12345 → '壹佰贰拾叁元肆角伍分'; 10000 → '壹佰元整' (the form on Chinese invoices)."""
    if fen < 0:
        raise ValueError("no negative amounts on a receipt")
    yuan, jiao, cents = fen // 100, (fen // 10) % 10, fen % 10
    text = _integer_capitals(yuan) + "元" if yuan else ""
    if jiao == 0 and cents == 0:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if cents:
        text += _DIGITS[cents] + "分"
    return text


def _integer_capitals(number: int) -> str:
    groups: list[int] = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        out += _group_capitals(group) + _GROUPS[index]
        zero_pending = False
    return out


def _group_capitals(group: int) -> str:
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = (group // 10**position) % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _UNITS[position]
    return out


@dataclass(frozen=True)
class ReceiptData:
    invoice_code: str
    invoice_number: str
    check_code: str
    payer: str
    payee: str
    item: str
    account_number: str
    amount_fen: int
    paid_at: str
    trade_no: str


def receipt_data(payment: Payment) -> ReceiptData:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), str(payment.public_id).encode(), hashlib.sha256
    ).hexdigest()
    bill, paid = payment.bill, payment.paid_at
    payer = mask_name(str(payment.payer.real_name or "")) or payment.payer.display_name
    return ReceiptData(
        invoice_code=f"5101{paid:%y}{bill.biller.pk:04d}" if paid else "",
        invoice_number=f"{payment.pk:010d}",
        check_code=str(int(digest[:12], 16))[:10],
        payer=payer or "—",
        payee=bill.biller.name,
        item=f"{bill.description or bill.biller.get_kind_display()} {bill.period}".strip(),
        account_number=bill.account_number,
        amount_fen=payment.amount_fen,
        paid_at=selectors.local(paid).strftime("%Y-%m-%d %H:%M:%S") if paid else "",
        trade_no=payment.provider_trade_no,
    )


def render_pdf(payment: Payment) -> bytes:
    """The receipt of a paid order as PDF bytes."""
    data, font = receipt_data(payment), pdf.cjk_font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A5), pageCompression=1)
    width, height = landscape(A5)
    page.setTitle(f"电子缴款凭证 {data.invoice_number}")
    page.setFont(font, 18)
    page.drawCentredString(width / 2, height - 20 * mm, "电子缴款凭证 Electronic payment receipt")
    page.setFont(font, 10)
    rows = [
        ("票据代码 Invoice code", data.invoice_code),
        ("票据号码 Invoice number", data.invoice_number),
        ("校验码 Check code", data.check_code),
        ("缴款人 Payer", data.payer),
        ("收款单位 Payee", data.payee),
        ("项目 Item", data.item),
        ("户号 Account", data.account_number),
        ("金额 Amount", f"¥{money.yuan(data.amount_fen)}"),
        ("金额大写 In words", amount_in_capitals(data.amount_fen)),
        ("缴款时间 Paid at", data.paid_at + " (北京时间)"),
        ("交易号 Trade number", data.trade_no),
    ]
    y = height - 35 * mm
    for label, value in rows:
        page.drawString(20 * mm, y, label)
        page.drawString(75 * mm, y, value)
        y -= 7.5 * mm
    page.setFont(font, 8)
    page.drawString(
        20 * mm, 12 * mm, "本凭证由天府市民云 citizencloud 生成，可凭票据号码与校验码查验。"
    )
    page.showPage()
    page.save()
    return buffer.getvalue()
