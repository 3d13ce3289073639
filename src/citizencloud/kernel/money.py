"""Money for display. Amounts are integer fen everywhere (DESIGN.md §4.6); this only writes them
for people to read, and nothing parses its output back."""

from __future__ import annotations


def yuan(fen: int, *, drop_zero_fen: bool = False) -> str:
    """Integer fen as yuan with thousands separators: ``1234550`` → ``12,345.50``, ``-5`` →
    ``-0.05``. With ``drop_zero_fen`` a whole amount loses its ``.00`` (``17800`` → ``178``), for
    prizes and totals that are whole yuan."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    if drop_zero_fen and part == 0:
        return f"{sign}{whole:,}"
    return f"{sign}{whole:,}.{part:02d}"
