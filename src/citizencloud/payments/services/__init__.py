"""Every write of the payments app, named in the user's words. Services never commit."""

from citizencloud.payments.services.autopay import give_autopay_consent, run_autopay, set_mandate
from citizencloud.payments.services.bills import (
    ImportReport,
    bind_account,
    decide_binding,
    import_bills_csv,
    receive_bills,
    register_biller,
)
from citizencloud.payments.services.orders import (
    CallbackResult,
    apply_trade,
    create_payment,
    handle_callback,
    query_stale,
)
from citizencloud.payments.services.reconcile import reconcile
from citizencloud.payments.services.refunds import approve_refund, execute_refund, request_refund

__all__ = [
    "CallbackResult",
    "ImportReport",
    "apply_trade",
    "approve_refund",
    "bind_account",
    "create_payment",
    "decide_binding",
    "execute_refund",
    "give_autopay_consent",
    "handle_callback",
    "import_bills_csv",
    "query_stale",
    "receive_bills",
    "reconcile",
    "register_biller",
    "request_refund",
    "run_autopay",
    "set_mandate",
]
