"""query (L4): 查 — a citizen's own records held by departments, fetched through ``exchange``.

The 我的 dashboard shows a card per record kind (``kinds``); records are fetched in parallel
through the signed exchange, kept encrypted for a short TTL (``QUERY_CACHE_SECONDS``) and,
when a department is down, shown from the last copy "as of <time>" with the department's
contact. Each fetch is written to the data-access ledger as the citizen's own query.
``prefill`` offers the records to application forms (wired by ``citizencloud.wiring``).
"""
