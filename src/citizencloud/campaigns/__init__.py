"""Flash events that hold a crowd (DESIGN.md §6): lottery and first-come campaigns.

Django checks eligibility before the rush and issues a short-lived signed pass (``services``);
the entry itself is taken by the lean ASGI hot path (``edge``, ``store``): verify the pass,
admit, write in group-committed batches, acknowledge after the commit. Lotteries are drawn
verifiably (``lottery``, docs/lottery.md).
"""
