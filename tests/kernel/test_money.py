"""Fen written as yuan for people to read."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from citizencloud.kernel import money


def test_yuan() -> None:
    assert money.yuan(4680) == "46.80"
    assert money.yuan(1234550) == "12,345.50"
    assert money.yuan(-5) == "-0.05"
    assert money.yuan(0) == "0.00"
    assert money.yuan(17800, drop_zero_fen=True) == "178"
    assert money.yuan(23850, drop_zero_fen=True) == "238.50"
    assert money.yuan(3_999_998_000, drop_zero_fen=True) == "39,999,980"


@given(st.integers(min_value=-(10**15), max_value=10**15), st.booleans())
def test_yuan_reads_back_as_the_same_amount(fen: int, drop: bool) -> None:
    text = money.yuan(fen, drop_zero_fen=drop)
    assert Decimal(text.replace(",", "")) * 100 == fen
    whole = text.lstrip("-").split(".")[0]
    assert whole == f"{int(whole.replace(',', '')):,}"  # grouped by thousands
