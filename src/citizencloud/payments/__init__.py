"""payments (L4, 缴 pay): billers, bills, bound accounts (户号), payment orders, the provider
port, signed callbacks, the double-entry ledger, refunds, reconciliation and receipts.

Public surface for other apps: events ``payments.succeeded``, ``payments.failed``,
``payments.refunded`` (payloads carry ``user_id`` as the payer's ``public_id``). Nothing else.
"""
