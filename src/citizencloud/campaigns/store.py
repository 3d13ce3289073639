"""Entry storage for the hot path: one transaction per batch, raw SQL, no ORM (DESIGN.md §6).

``write(batch)`` takes the entries that arrived together, applies them in arrival order inside
one transaction and returns only after the COMMIT, so the edge acknowledges nothing that is not
durable. The decisions, in arrival order: a person who already entered gets their entry back
with the same idempotency key (a replay) and a 409 with another (a duplicate); nothing is
accepted once the campaign is closed; a first-come campaign grants while stock lasts.

On SQLite (one writer at a time, under ``BEGIN IMMEDIATE``) they are taken set-based per
campaign: one ``SELECT … WHERE user_id IN (…)`` of the people already entered, the decisions in
Python, one ``executemany`` INSERT of the granted entries and one conditional stock ``UPDATE``
(``remaining >= n``, checked by rowcount). On PostgreSQL (several writers; a network round trip
per statement) one ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING`` for the
whole batch, one conditional ``UPDATE`` of the stock by the number granted in arrival order, one
``DELETE`` of the refused rows and one ``SELECT`` of the existing entries behind conflicts.
(``_SqlStore._apply_one`` keeps the plain statement-per-entry form as the reference.)

The campaign row is read first in the transaction (``FOR UPDATE`` on PostgreSQL, where several
processes write; SQLite's ``BEGIN IMMEDIATE`` already serializes writers), so batches of one
campaign never deadlock and nothing is accepted once ``closed_at`` is set. SQLite runs with
``synchronous=FULL`` on this connection: each group commit is fsynced before the replies. The
edge writers of several processes on one SQLite database take turns on a file lock beside it
(``_WriterTurn``, ADR 0023) rather than meeting SQLite's sleeping busy handler.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

CREATED = "created"
REPLAYED = "replayed"
DUPLICATE = "duplicate"
SOLD_OUT = "sold_out"
CLOSED = "closed"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class EntryRequest:
    campaign_id: int
    user_id: int
    idempotency_key: str
    entry_id: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Outcome:
    status: str
    entry_id: str = ""
    created_at: dt.datetime | None = None
    # A duplicate: the idempotency key the person's entry carries. Never sent to anyone; the
    # edge remembers it so the person's next duplicate is refused without a write (ADR 0023).
    entered_key: str = ""


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    kind: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    remaining: int
    closed: bool
    identity: str  # the public id: a new campaign that reuses a row id is another campaign


class Store(Protocol):
    """One connection: the edge opens one store for its writer thread and one for reads."""

    def write(self, batch: Sequence[EntryRequest]) -> list[Outcome]: ...
    def campaign(self, campaign_id: int) -> CampaignInfo | None: ...
    def lookup(self, request: EntryRequest) -> Outcome: ...
    def entrants(self, campaign_id: int) -> dict[int, tuple[str, str, str]]: ...
    def close(self) -> None: ...


_CAMPAIGN = (
    "SELECT id, kind, opens_at, closes_at, remaining, closed_at, public_id "
    "FROM campaigns_campaign WHERE id = {p}"
)
_INSERT = (
    "INSERT INTO campaigns_entry (campaign_id, user_id, entry_id, idempotency_key, created_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (campaign_id, user_id) DO NOTHING RETURNING id"
)
_EXISTING = (
    "SELECT entry_id, idempotency_key, created_at FROM campaigns_entry "
    "WHERE campaign_id = {p} AND user_id = {p}"
)
_ENTRANTS = (
    "SELECT user_id, entry_id, idempotency_key, created_at FROM campaigns_entry "
    "WHERE campaign_id = {p}"
)
_TAKE_ONE = (
    "UPDATE campaigns_campaign SET remaining = remaining - 1 WHERE id = {p} AND remaining > 0"
)
_PG_INSERT_MANY = (
    "INSERT INTO campaigns_entry (campaign_id, user_id, entry_id, idempotency_key, created_at) "
    "SELECT %s, u, e, k, c "
    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[]) "
    "WITH ORDINALITY AS t(u, e, k, c, o) ORDER BY o "
    "ON CONFLICT (campaign_id, user_id) DO NOTHING RETURNING entry_id"
)
_UNDO = "DELETE FROM campaigns_entry WHERE id = {p}"


class _SqlStore:
    placeholder = "?"
    lock_suffix = ""

    def __init__(self) -> None:
        p = self.placeholder
        self.q_campaign = _CAMPAIGN.format(p=p)
        self.q_insert = _INSERT.format(p=p)
        self.q_existing = _EXISTING.format(p=p)
        self.q_take = _TAKE_ONE.format(p=p)
        self.q_undo = _UNDO.format(p=p)
        self.q_entrants = _ENTRANTS.format(p=p)

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Sequence[Any]]:
        raise NotImplementedError

    def campaign(self, campaign_id: int) -> CampaignInfo | None:
        rows = self._rows(self.q_campaign, (campaign_id,))
        return self._info(rows[0]) if rows else None

    def lookup(self, request: EntryRequest) -> Outcome:
        """After closing: the answer for a retry of an entry that may exist (read only)."""
        rows = self._rows(self.q_existing, (request.campaign_id, request.user_id))
        if not rows:
            return Outcome(CLOSED)
        entry_id, key, created = rows[0]
        if key == request.idempotency_key:
            return Outcome(REPLAYED, str(entry_id), self._from_db(created))
        return Outcome(DUPLICATE, entered_key=str(key))

    def entrants(self, campaign_id: int) -> dict[int, tuple[str, str, str]]:
        """Every entrant of a campaign: user id → (entry id, idempotency key, created at)."""
        return {
            int(u): (str(e), str(k), self._from_db(c).isoformat())
            for u, e, k, c in self._rows(self.q_entrants, (campaign_id,))
        }

    def _to_db(self, value: dt.datetime) -> Any:
        return value

    def _from_db(self, value: Any) -> dt.datetime:
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value

    def _info(self, row: Sequence[Any]) -> CampaignInfo:
        return CampaignInfo(
            id=int(row[0]),
            kind=str(row[1]),
            opens_at=self._from_db(row[2]),
            closes_at=self._from_db(row[3]),
            remaining=int(row[4]),
            closed=row[5] is not None,
            identity=str(row[6]),
        )

    def _apply(self, cursor: Any, batch: Sequence[EntryRequest]) -> list[Outcome]:
        campaigns = self._campaigns(cursor, batch)
        return [self._apply_one(cursor, r, campaigns[r.campaign_id]) for r in batch]

    def _campaigns(
        self, cursor: Any, batch: Sequence[EntryRequest]
    ) -> dict[int, CampaignInfo | None]:
        campaigns: dict[int, CampaignInfo | None] = {}
        for campaign_id in sorted({r.campaign_id for r in batch}):  # fixed lock order
            cursor.execute(self.q_campaign + self.lock_suffix, (campaign_id,))
            row = cursor.fetchone()
            campaigns[campaign_id] = None if row is None else self._info(row)
        return campaigns

    def _apply_one(self, cursor: Any, r: EntryRequest, info: CampaignInfo | None) -> Outcome:
        if info is None:
            return Outcome(UNKNOWN)
        cursor.execute(
            self.q_insert,
            (r.campaign_id, r.user_id, r.entry_id, r.idempotency_key, self._to_db(r.created_at)),
        )
        inserted = cursor.fetchone()
        if inserted is None:
            cursor.execute(self.q_existing, (r.campaign_id, r.user_id))
            entry_id, key, created = cursor.fetchone()
            if key == r.idempotency_key:
                return Outcome(REPLAYED, str(entry_id), self._from_db(created))
            return Outcome(DUPLICATE, entered_key=str(key))
        if info.closed:
            cursor.execute(self.q_undo, (inserted[0],))
            return Outcome(CLOSED)
        if info.kind == "first_come":
            cursor.execute(self.q_take, (r.campaign_id,))
            if cursor.rowcount != 1:
                cursor.execute(self.q_undo, (inserted[0],))
                return Outcome(SOLD_OUT)
        return Outcome(CREATED, r.entry_id, r.created_at)


class SqliteStore(_SqlStore):
    """One connection, used by one writer thread at a time."""

    q_insert_many = (
        "INSERT INTO campaigns_entry (campaign_id, user_id, entry_id, idempotency_key, "
        "created_at) VALUES (?, ?, ?, ?, ?)"
    )
    q_existing_many = (
        "SELECT user_id, entry_id, idempotency_key, created_at FROM campaigns_entry "
        "WHERE campaign_id = ? AND user_id IN ({marks})"
    )
    q_take_many = (
        "UPDATE campaigns_campaign SET remaining = remaining - ? WHERE id = ? AND remaining >= ?"
    )

    def __init__(self, path: str, *, timeout: float = 20.0) -> None:
        super().__init__()
        self.conn = sqlite3.connect(
            path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={int(timeout * 1000)}",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self._turn = _WriterTurn(path)

    def _to_db(self, value: dt.datetime) -> Any:
        # Django's SQLite format for aware datetimes under USE_TZ: naive UTC text.
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")

    def _from_db(self, value: Any) -> dt.datetime:
        parsed = dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def _apply(self, cursor: Any, batch: Sequence[EntryRequest]) -> list[Outcome]:
        """Set-based, like PostgreSQL's: per campaign one SELECT of the people already entered,
        the decisions in arrival order here (``BEGIN IMMEDIATE`` holds the only write lock, so
        nothing changes under them), one ``executemany`` INSERT and at most one stock UPDATE —
        instead of two or three statements per entry."""
        campaigns = self._campaigns(cursor, batch)
        by_campaign: dict[int, list[int]] = {}
        for index, r in enumerate(batch):
            by_campaign.setdefault(r.campaign_id, []).append(index)
        outcomes: list[Outcome] = [Outcome(UNKNOWN)] * len(batch)
        for campaign_id, indexes in by_campaign.items():
            info = campaigns[campaign_id]
            if info is None:
                continue
            rows = [batch[i] for i in indexes]
            for index, outcome in zip(indexes, self._decide(cursor, info, rows), strict=True):
                outcomes[index] = outcome
        return outcomes

    def _decide(self, cursor: Any, info: CampaignInfo, rows: list[EntryRequest]) -> list[Outcome]:
        known: dict[int, tuple[str, str, dt.datetime]] = {}
        users = sorted({r.user_id for r in rows})
        for start in range(0, len(users), 500):
            chunk = users[start : start + 500]
            cursor.execute(
                self.q_existing_many.format(marks=",".join("?" * len(chunk))),
                (info.id, *chunk),
            )
            for user_id, entry_id, key, created in cursor.fetchall():
                known[int(user_id)] = (str(entry_id), str(key), self._from_db(created))
        remaining = info.remaining
        granted: list[EntryRequest] = []
        outcomes = []
        for r in rows:
            existing = known.get(r.user_id)
            if existing is not None:
                same = existing[1] == r.idempotency_key
                outcomes.append(
                    Outcome(REPLAYED, existing[0], existing[2])
                    if same
                    else Outcome(DUPLICATE, entered_key=existing[1])
                )
            elif info.closed:
                outcomes.append(Outcome(CLOSED))
            elif info.kind == "first_come" and remaining <= 0:
                outcomes.append(Outcome(SOLD_OUT))
            else:
                remaining -= 1
                granted.append(r)
                known[r.user_id] = (r.entry_id, r.idempotency_key, r.created_at)
                outcomes.append(Outcome(CREATED, r.entry_id, r.created_at))
        if granted:
            cursor.executemany(
                self.q_insert_many,
                [
                    (info.id, r.user_id, r.entry_id, r.idempotency_key, self._to_db(r.created_at))
                    for r in granted
                ],
            )
            if info.kind == "first_come":
                n = len(granted)
                cursor.execute(self.q_take_many, (n, info.id, n))
                if cursor.rowcount != 1:
                    raise RuntimeError("campaign stock changed under the write lock")
        return outcomes

    def write(self, batch: Sequence[EntryRequest]) -> list[Outcome]:
        with self._turn:
            cursor = self.conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                outcomes = self._apply(cursor, batch)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        return outcomes

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Sequence[Any]]:
        return list(self.conn.execute(sql, params).fetchall())

    def close(self) -> None:
        self.conn.close()
        self._turn.close()


class _WriterTurn:
    """The edge writers of one SQLite database take turns on an ``flock``ed file beside it.

    SQLite's own busy handler, which a second writer process meets at ``BEGIN IMMEDIATE``,
    sleeps in steps of up to 100 ms and does not wake when the lock is free, so batches from
    several edge processes would wait far longer than a commit takes. A blocking ``flock`` wakes
    the next writer as soon as the previous one has committed (and is released by the kernel if
    its holder dies). Django's own writers do not take it: they meet the busy handler as before.
    """

    def __init__(self, database: str) -> None:
        self._fd = -1
        if database != ":memory:" and not database.startswith("file:"):
            with contextlib.suppress(OSError):
                self._fd = os.open(database + "-campaign-writer", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class PostgresStore(_SqlStore):
    """A psycopg 3 connection; one transaction (one COMMIT) per batch, set-based statements."""

    placeholder = "%s"
    lock_suffix = " FOR UPDATE"

    def __init__(self, connect: Callable[[], Any]) -> None:
        super().__init__()
        self._connect = connect
        self.conn = connect()

    def _apply(self, cursor: Any, batch: Sequence[EntryRequest]) -> list[Outcome]:
        """Set-based: a handful of statements per campaign in the batch, not three per entry
        (each statement is a network round trip here)."""
        outcomes: list[Outcome | None] = [None] * len(batch)
        by_campaign: dict[int, list[int]] = {}
        for index, r in enumerate(batch):
            by_campaign.setdefault(r.campaign_id, []).append(index)
        for campaign_id in sorted(by_campaign):  # fixed lock order
            info = self._lock_campaign(cursor, campaign_id)
            indexes = by_campaign[campaign_id]
            for index, outcome in zip(
                indexes,
                self._apply_campaign(cursor, info, [batch[i] for i in indexes]),
                strict=True,
            ):
                outcomes[index] = outcome
        return [o if o is not None else Outcome(UNKNOWN) for o in outcomes]

    def _lock_campaign(self, cursor: Any, campaign_id: int) -> CampaignInfo | None:
        cursor.execute(self.q_campaign + self.lock_suffix, (campaign_id,))
        row = cursor.fetchone()
        return None if row is None else self._info(row)

    def _apply_campaign(
        self, cursor: Any, info: CampaignInfo | None, rows: list[EntryRequest]
    ) -> list[Outcome]:
        if info is None:
            return [Outcome(UNKNOWN) for _ in rows]
        cursor.execute(
            _PG_INSERT_MANY,
            (
                info.id,
                [r.user_id for r in rows],
                [r.entry_id for r in rows],
                [r.idempotency_key for r in rows],
                [r.created_at for r in rows],
            ),
        )
        inserted = {str(e) for (e,) in cursor.fetchall()}
        # Arrival order decides who gets the stock; the campaign row is locked, so this count
        # of what is left is exact until the COMMIT.
        accepted = [r for r in rows if r.entry_id in inserted]
        if info.closed:
            granted: set[str] = set()
        elif info.kind == "first_come":
            granted = {r.entry_id for r in accepted[: max(0, info.remaining)]}
            if granted:
                cursor.execute(
                    "UPDATE campaigns_campaign SET remaining = remaining - %s "
                    "WHERE id = %s AND remaining >= %s",
                    (len(granted), info.id, len(granted)),
                )
                if cursor.rowcount != 1:
                    raise RuntimeError("campaign stock changed under its row lock")
        else:
            granted = {r.entry_id for r in accepted}
        refused = [r.entry_id for r in accepted if r.entry_id not in granted]
        if refused:
            cursor.execute("DELETE FROM campaigns_entry WHERE entry_id = ANY(%s)", (refused,))
        existing: dict[int, tuple[str, str, dt.datetime]] = {}
        others = [r.user_id for r in rows if r.entry_id not in inserted]
        if others:
            cursor.execute(
                "SELECT user_id, entry_id, idempotency_key, created_at FROM campaigns_entry "
                "WHERE campaign_id = %s AND user_id = ANY(%s)",
                (info.id, others),
            )
            existing = {int(u): (str(e), str(k), c) for u, e, k, c in cursor.fetchall()}
        closed_or_sold = CLOSED if info.closed else SOLD_OUT
        outcomes = []
        for r in rows:
            if r.entry_id in granted:
                outcomes.append(Outcome(CREATED, r.entry_id, r.created_at))
            elif r.entry_id in inserted:
                outcomes.append(Outcome(closed_or_sold))
            elif r.user_id in existing:
                entry_id, key, created = existing[r.user_id]
                same = key == r.idempotency_key
                outcomes.append(
                    Outcome(REPLAYED, entry_id, created)
                    if same
                    else Outcome(DUPLICATE, entered_key=key)
                )
            else:
                outcomes.append(Outcome(closed_or_sold))  # its twin in this batch was refused
        return outcomes

    def write(self, batch: Sequence[EntryRequest]) -> list[Outcome]:
        if self.conn.closed:
            self.conn = self._connect()
        try:
            with self.conn.transaction(), self.conn.cursor() as cursor:
                return self._apply(cursor, batch)
        except BaseException:
            if self.conn.broken:
                self.conn = self._connect()
            raise

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Sequence[Any]]:
        if self.conn.closed or self.conn.broken:
            self.conn = self._connect()
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def close(self) -> None:
        self.conn.close()


def from_settings(database: dict[str, Any], *, redis_url: str = "", prefix: str = "cc") -> Store:
    """A store for Django's ``DATABASES['default']`` (read once at edge start-up); with a Redis
    URL and PostgreSQL, the Redis-first scale path (``campaigns.redis_store``)."""
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return SqliteStore(
            str(database["NAME"]), timeout=float(database.get("OPTIONS", {}).get("timeout", 20))
        )
    if engine == "django.db.backends.postgresql":
        import psycopg

        kwargs = {
            "dbname": database["NAME"],
            "user": database.get("USER") or None,
            "password": database.get("PASSWORD") or None,
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
        }

        def connect() -> Any:
            return psycopg.connect(
                **{k: v for k, v in kwargs.items() if v is not None}, autocommit=True
            )

        if redis_url:
            import redis

            from citizencloud.campaigns.redis_store import RedisPostgresStore

            return RedisPostgresStore(connect, redis.Redis.from_url(redis_url), prefix)
        return PostgresStore(connect)
    raise ValueError(f"no campaign store for {engine}")
