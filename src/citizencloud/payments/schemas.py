"""Ninja schemas of the payments API. Amounts are integer fen (StrictInt: 1.5 or "100" is 422)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictInt


class BillOut(Schema):
    id: str
    biller: str
    biller_name: str
    account_number: str
    period: str
    description: str
    amount_fen: int
    due_date: dt.date | None
    status: str


class BindingIn(Schema):
    biller: str = Field(max_length=40)
    account_number: str = Field(max_length=40)


class BindingOut(Schema):
    id: str
    biller: str
    account_number: str
    status: str


class PaymentIn(Schema):
    bill_id: str = Field(max_length=64)
    amount_fen: StrictInt = Field(gt=0)


class PaymentOut(Schema):
    id: str
    bill_id: str
    amount_fen: int
    refunded_fen: int
    state: str
    cashier_url: str | None = None
    paid_at: dt.datetime | None = None


class RefundIn(Schema):
    amount_fen: StrictInt = Field(gt=0)
    reason: str = Field(min_length=1, max_length=200)


class RefundOut(Schema):
    id: str
    payment_id: str
    amount_fen: int
    status: str


class BillRowIn(Schema):
    reference: str = Field(max_length=64)
    account_number: str = Field(max_length=40)
    amount_fen: StrictInt
    period: str = Field("", max_length=20)
    due_date: dt.date | None = None
    description: str = Field("", max_length=200)


class BillsIn(Schema):
    bills: list[BillRowIn] = Field(max_length=1000)


class ImportOut(Schema):
    accepted: int
    unchanged: int
    rejected: list[dict[str, object]]


class BindingDecisionIn(Schema):
    confirmed: bool


class CallbackOut(Schema):
    outcome: str


class ReconciliationOut(Schema):
    day: dt.date
    status: str
    settled_count: int
    fixed: list[dict[str, object]]
    issues: list[dict[str, object]]
