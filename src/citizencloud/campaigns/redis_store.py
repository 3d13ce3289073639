"""The scale path (DESIGN.md §6): Redis decides, PostgreSQL makes it durable, then the ack.

Per batch and campaign, one Lua call reserves in arrival order — per person ``HSET`` into the
campaign's entrants hash unless already there (dedupe), and for first come ``DECR`` of the stock
counter unless it is zero — so refusals and stock never wait for a database row lock. The
reserved entries are then written to PostgreSQL in the batch's one transaction; the reply goes
out after that COMMIT. The database stays the judge: its unique key and its conditional stock
``UPDATE`` still hold, and if they disagree the batch fails and the reservations are released.

Failure cases, all on the safe side:
* the transaction fails → the batch's reservations are released (``HDEL`` + ``INCRBY``), 503;
* the process dies between reservation and COMMIT → Redis holds a reservation PostgreSQL lacks:
  the person's next request finds it and writes it (same entry id) before answering, so the
  entry becomes durable; if they never come back, that unit of stock stays unsold (never
  oversold) until ``reconcile`` resets the counter from the database;
* Redis loses its data → the stock counter is re-seeded from the locked campaign row and dedupe
  falls back to the unique key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from citizencloud.campaigns import store

RESERVE = """
local kind = ARGV[1]
local seed = ARGV[2]
if kind == 'first_come' then redis.call('SET', KEYS[1], seed, 'NX') end
local out = {}
for i = 3, #ARGV, 3 do
  local user, entry, key = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local held = redis.call('HGET', KEYS[2], user)
  if held then
    out[#out + 1] = 'H|' .. held
  elseif kind == 'first_come' and tonumber(redis.call('GET', KEYS[1])) <= 0 then
    out[#out + 1] = 'S'
  else
    if kind == 'first_come' then redis.call('DECR', KEYS[1]) end
    redis.call('HSET', KEYS[2], user, entry .. '|' .. key)
    out[#out + 1] = 'N'
  end
end
return out
"""

RELEASE = """
local released = 0
for i = 2, #ARGV do
  released = released + redis.call('HDEL', KEYS[2], ARGV[i])
end
if ARGV[1] == 'first_come' and released > 0 then redis.call('INCRBY', KEYS[1], released) end
return released
"""


class RedisPostgresStore(store.PostgresStore):
    def __init__(self, connect: Callable[[], Any], redis_client: Any, prefix: str) -> None:
        super().__init__(connect)
        self.redis = redis_client
        self.prefix = prefix
        self._reserve = redis_client.register_script(RESERVE)
        self._release = redis_client.register_script(RELEASE)
        self._reserved: list[tuple[store.CampaignInfo, list[int]]] = []

    def _lock_campaign(self, cursor: Any, campaign_id: int) -> store.CampaignInfo | None:
        # Lotteries: a shared lock (closing waits for it; batches of other processes run in
        # parallel). First come: exclusive, since the stock UPDATE follows.
        cursor.execute("SELECT kind FROM campaigns_campaign WHERE id = %s", (campaign_id,))
        kind = cursor.fetchone()
        if kind is None:
            return None
        lock = " FOR UPDATE" if kind[0] == "first_come" else " FOR SHARE"
        cursor.execute(self.q_campaign + lock, (campaign_id,))
        row = cursor.fetchone()
        return None if row is None else self._info(row)

    def keys(self, info: store.CampaignInfo) -> list[str]:
        # By public id: a row id can come back (a restored database), a UUID does not.
        base = f"{self.prefix}:campaign:{info.identity}"
        return [base + ":stock", base + ":entrants"]

    def write(self, batch: Sequence[store.EntryRequest]) -> list[store.Outcome]:
        self._reserved = []
        try:
            return super().write(batch)
        except BaseException:
            for info, users in self._reserved:
                self._release(keys=self.keys(info), args=[info.kind, *users])
            raise
        finally:
            self._reserved = []

    def _apply_campaign(
        self, cursor: Any, info: store.CampaignInfo | None, rows: list[store.EntryRequest]
    ) -> list[store.Outcome]:
        if info is None or info.closed:
            return super()._apply_campaign(cursor, info, rows)
        args: list[Any] = [info.kind, info.remaining]
        for r in rows:
            args += [r.user_id, r.entry_id, r.idempotency_key]
        verdicts = [v.decode() if isinstance(v, bytes) else str(v) for v in
                    self._reserve(keys=self.keys(info), args=args)]  # fmt: skip
        new = [r.user_id for r, v in zip(rows, verdicts, strict=True) if v == "N"]
        self._reserved.append((info, new))
        # Everything Redis holds for these people is written (again): a reservation left by a
        # crash becomes durable now, under the same entry id.
        to_write: dict[int, store.EntryRequest] = {}
        for r, v in zip(rows, verdicts, strict=True):
            if v == "N":
                to_write.setdefault(r.user_id, r)
            elif v.startswith("H|"):
                _, entry_id, key = v.split("|", 2)
                held = dataclasses.replace(r, entry_id=entry_id, idempotency_key=key)
                to_write.setdefault(r.user_id, held)
        inserted = self._insert(cursor, info, list(to_write.values()))
        if info.kind == "first_come" and inserted:
            cursor.execute(
                "UPDATE campaigns_campaign SET remaining = remaining - %s "
                "WHERE id = %s AND remaining >= %s",
                (len(inserted), info.id, len(inserted)),
            )
            if cursor.rowcount != 1:
                raise RuntimeError("Redis and PostgreSQL disagree on the stock: batch refused")
        existing = self._existing(cursor, info, [u for u, r in to_write.items()
                                                 if r.entry_id not in inserted])  # fmt: skip
        outcomes: list[store.Outcome] = []
        for r, v in zip(rows, verdicts, strict=True):
            if v == "S":
                outcomes.append(store.Outcome(store.SOLD_OUT))
                continue
            chosen = to_write[r.user_id]
            if chosen is r and r.entry_id in inserted:
                outcomes.append(store.Outcome(store.CREATED, r.entry_id, r.created_at))
                continue
            entry_id, key, created = existing.get(
                r.user_id, (chosen.entry_id, chosen.idempotency_key, chosen.created_at)
            )
            if key == r.idempotency_key:
                outcomes.append(store.Outcome(store.REPLAYED, entry_id, created))
            else:
                outcomes.append(store.Outcome(store.DUPLICATE, entered_key=str(key)))
        return outcomes

    def _insert(
        self, cursor: Any, info: store.CampaignInfo, rows: list[store.EntryRequest]
    ) -> set[str]:
        if not rows:
            return set()
        rows = sorted(rows, key=lambda r: r.user_id)  # fixed lock order across processes
        cursor.execute(
            store._PG_INSERT_MANY,
            (
                info.id,
                [r.user_id for r in rows],
                [r.entry_id for r in rows],
                [r.idempotency_key for r in rows],
                [r.created_at for r in rows],
            ),
        )
        return {str(e) for (e,) in cursor.fetchall()}

    def _existing(
        self, cursor: Any, info: store.CampaignInfo, users: list[int]
    ) -> dict[int, tuple[str, str, Any]]:
        if not users:
            return {}
        cursor.execute(
            "SELECT user_id, entry_id, idempotency_key, created_at FROM campaigns_entry "
            "WHERE campaign_id = %s AND user_id = ANY(%s)",
            (info.id, users),
        )
        return {int(u): (str(e), str(k), c) for u, e, k, c in cursor.fetchall()}

    def reconcile(self, info: store.CampaignInfo) -> None:
        """Reset the stock counter from the database (after a crash left reservations behind)."""
        self.redis.set(self.keys(info)[0], info.remaining)
