"""query's provider for application forms: values taken from the citizen's records.

Registered into ``applications.prefill`` by the composition root (``citizencloud.wiring``).
Fetching goes through ``services.records`` — the same cache, timeout and ledger as 我的.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest

from citizencloud.query import services

__all__ = ["KEYS", "provide"]


def _first_address(data: dict[str, Any]) -> Any:
    properties = data.get("properties") or []
    return properties[0].get("address") if properties and isinstance(properties[0], dict) else None


# prefill key → (record kind, how to read the value from the record's data)
KEYS: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "housing_fund.balance_yuan": ("housing_fund", lambda d: int(d["balance_fen"]) // 100),
    "housing_fund.account_number": ("housing_fund", lambda d: d.get("account_number")),
    "housing_fund.bank_card": ("housing_fund", lambda d: d.get("bank_card")),
    "real_estate.address": ("real_estate", _first_address),
}


def provide(
    *, citizen: Any, keys: Sequence[str], request: HttpRequest | None = None
) -> dict[str, dict[str, Any]]:
    """Values for the ``keys`` we know, from fresh, cached or stale records; never raises."""
    known = [k for k in keys if k in KEYS]
    kinds = sorted({KEYS[k][0] for k in known})
    if not kinds:
        return {}
    records = {
        r.kind.code: r for r in services.records(citizen=citizen, kinds=kinds, request=request)
    }
    out: dict[str, dict[str, Any]] = {}
    for key in known:
        kind, read = KEYS[key]
        record = records.get(kind)
        if record is None or record.data is None:
            continue
        try:
            value = read(record.data)
        except (KeyError, TypeError, ValueError):
            continue
        if value not in (None, ""):
            out[key] = {"value": value, "source": record.department, "as_of": record.as_of}
    return out
