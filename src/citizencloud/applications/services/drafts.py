"""Drafts: unfinished answers kept (encrypted) until the citizen submits.

The apply page autosaves (htmx, 800 ms after a change), so a save can arrive after the form was
submitted — or race with the submission in another transaction. Every save carries the time its
form was opened (signed into the page): a save from a form opened before the citizen's latest
submission of the service is refused, and a draft that slipped in anyway (the submission not yet
committed when the save looked) is ignored on read, because its ``opened_at`` precedes the
submission. Both checks compare committed facts, so no ordering of the two transactions shows a
stale draft."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.core import signing

from citizencloud.applications import (
    definitions,
)
from citizencloud.applications.models import Application, Draft
from citizencloud.catalog import selectors as catalog
from citizencloud.kernel import clock
from citizencloud.kernel.errors import Conflict, DomainError

MAX_DRAFT_CHARS = 20_000
_SALT = "applications.draft-opened"


class DraftAfterSubmission(Conflict):
    code = "applications.draft_after_submission"


def opened_token() -> str:
    """The signed "form opened at" stamp the apply page carries in a hidden field."""
    return signing.dumps(clock.now().isoformat(), salt=_SALT)


def opened_at(token: str) -> dt.datetime | None:
    """The time a form was opened, from its token; None when absent or tampered with."""
    try:
        return dt.datetime.fromisoformat(str(signing.loads(token, salt=_SALT)))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _submitted_since(citizen: Any, service_id: int, since: dt.datetime) -> bool:
    return Application.objects.filter(
        citizen_id=citizen.pk, service_id=service_id, submitted_at__gte=since
    ).exists()


def save_draft(
    *,
    citizen: Any,
    service_code: str,
    form: Mapping[str, Any],
    opened: dt.datetime | None = None,
) -> Draft:
    """Keep the unfinished answers (not validated) until the citizen submits. ``opened`` is
    when the form was opened; a save from a form already submitted is refused (409)."""
    service = catalog.get_service(service_code)
    properties = definitions.definition(service.code).form.get("properties", {})
    text = json.dumps({k: v for k, v in form.items() if k in properties}, ensure_ascii=False)
    if len(text) > MAX_DRAFT_CHARS:
        raise DomainError("The draft is too long.", code="applications.draft_too_long", status=422)
    opened = opened or clock.now()
    if _submitted_since(citizen, service.pk, opened):
        raise DraftAfterSubmission(
            "This form was already submitted; the draft was not kept.",
        )
    draft = Draft.objects.filter(citizen=citizen, service=service).first() or Draft(
        citizen=citizen, service=service
    )
    draft.data = text
    draft.opened_at = opened
    draft.updated_at = clock.now()
    draft.save()
    return draft


def draft_answers(*, citizen: Any, service_code: str) -> dict[str, Any]:
    """The citizen's draft for the service, unless it is stale (from a form opened before
    their latest submission of it)."""
    draft = Draft.objects.filter(citizen=citizen, service__code=service_code).first()
    if draft is None:
        return {}
    if _submitted_since(citizen, draft.service_id, draft.opened_at or draft.updated_at):
        return {}
    return dict(json.loads(str(draft.data)))
