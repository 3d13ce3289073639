"""Drafts: unfinished answers kept (encrypted) until the citizen submits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from citizencloud.applications import (
    definitions,
)
from citizencloud.applications.models import Draft
from citizencloud.catalog import selectors as catalog
from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError

MAX_DRAFT_CHARS = 20_000


def save_draft(*, citizen: Any, service_code: str, form: Mapping[str, Any]) -> Draft:
    """Keep the unfinished answers (not validated) until the citizen submits."""
    service = catalog.get_service(service_code)
    properties = definitions.definition(service.code).form.get("properties", {})
    text = json.dumps({k: v for k, v in form.items() if k in properties}, ensure_ascii=False)
    if len(text) > MAX_DRAFT_CHARS:
        raise DomainError("The draft is too long.", code="applications.draft_too_long", status=422)
    draft = Draft.objects.filter(citizen=citizen, service=service).first() or Draft(
        citizen=citizen, service=service
    )
    draft.data = text
    draft.updated_at = clock.now()
    draft.save()
    return draft


def draft_answers(*, citizen: Any, service_code: str) -> dict[str, Any]:
    draft = Draft.objects.filter(citizen=citizen, service__code=service_code).first()
    return dict(json.loads(str(draft.data))) if draft else {}
