"""Group commit: the entries waiting in this process go to storage as one transaction, and the
receipts of what it acknowledged are signed together (one Ed25519 signature per batch).

Each request waits on a future that is resolved only after the batch's COMMIT returned.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from citizencloud.campaigns import passes, store
from citizencloud.campaigns.edge_runtime import Runtime, Signed, log


async def _writer(rt: Runtime) -> None:
    loop = asyncio.get_running_loop()
    while True:
        await rt.wakeup.wait()
        rt.wakeup.clear()
        if rt.config.batch_ms > 0 and len(rt.pending) < rt.config.batch_max:
            await asyncio.sleep(rt.config.batch_ms / 1000)
        batch = rt.pending[: rt.config.batch_max]
        del rt.pending[: len(batch)]
        if rt.pending:
            rt.wakeup.set()
        if not batch:
            continue
        try:
            outcomes = await loop.run_in_executor(
                rt.writer, _write_and_sign, rt, [request for request, _ in batch]
            )
        except Exception as error:  # noqa: BLE001 — logged; every waiter gets the error
            log.exception("campaign batch failed", extra={"entries": len(batch)})
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            continue
        rt.batches += 1
        rt.batched_entries += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def _write_and_sign(rt: Runtime, batch: list[store.EntryRequest]) -> list[Signed]:
    """Commit the batch, then sign the receipts of what it acknowledged (one signature)."""
    outcomes = rt.writes.write(batch)
    return signed(rt, [(r.campaign_id, o) for r, o in zip(batch, outcomes, strict=True)])


def signed(rt: Runtime, outcomes: list[tuple[int, store.Outcome]]) -> list[Signed]:
    """The outcomes with a receipt (JSON text) for each acknowledged one, one signature for
    all of them."""
    acked = [i for i, (_, o) in enumerate(outcomes) if o.status in (store.CREATED, store.REPLAYED)]
    statements = [
        (outcomes[i][0], outcomes[i][1].entry_id, iso(outcomes[i][1].created_at)) for i in acked
    ]
    receipts = passes.receipts_json(rt.signer, rt.key_id, statements)
    result: list[Signed] = [(o, None) for _, o in outcomes]
    for i, receipt in zip(acked, receipts, strict=True):
        result[i] = (outcomes[i][1], receipt)
    return result


def iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else ""


async def submit(rt: Runtime, request: store.EntryRequest) -> Signed:
    """Queue ``request`` for the next batch; the outcome once that batch has committed."""
    if rt.writer_task is None or rt.writer_task.done():
        rt.writer_task = asyncio.get_running_loop().create_task(_writer(rt))
    future: asyncio.Future[Signed] = asyncio.get_running_loop().create_future()
    rt.pending.append((request, future))
    rt.wakeup.set()
    return await future
