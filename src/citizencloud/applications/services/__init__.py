"""Every write to cases, in the user's words: submit, act (accept, request a supplement, approve
…), supply, withdraw, claim, assign, attach, reveal. Services never commit; each transition bumps
the case's ``version`` in one conditional UPDATE (the optimistic lock), appends to the timeline,
emits ``applications.<event>`` and, for staff actions, writes the audit log."""

from citizencloud.applications.services.cases import (
    act,
    attach,
    attachment_bytes,
    form_answers,
    submit,
    submit_bundle,
    supply,
    withdraw,
)
from citizencloud.applications.services.common import (
    EVENTS,
    SHANGHAI,
    StaleCase,
    payload,
    today,
)
from citizencloud.applications.services.drafts import (
    DraftAfterSubmission,
    draft_answers,
    opened_at,
    opened_token,
    save_draft,
)
from citizencloud.applications.services.staff import (
    BULK_ACTIONS,
    assign,
    bulk,
    claim,
    claim_many,
    colleagues,
    masked_answers,
    masked_applicant,
    note,
    release,
    reveal,
    supervisor_of,
)

__all__ = [
    "BULK_ACTIONS",
    "EVENTS",
    "SHANGHAI",
    "DraftAfterSubmission",
    "StaleCase",
    "act",
    "assign",
    "attach",
    "attachment_bytes",
    "bulk",
    "claim",
    "claim_many",
    "colleagues",
    "draft_answers",
    "form_answers",
    "masked_answers",
    "masked_applicant",
    "note",
    "opened_at",
    "opened_token",
    "payload",
    "release",
    "reveal",
    "save_draft",
    "submit",
    "submit_bundle",
    "supervisor_of",
    "supply",
    "today",
    "withdraw",
]
