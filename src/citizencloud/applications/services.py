"""Every write to cases, in the user's words: submit, act (accept, request a supplement, approve
…), supply, withdraw, claim, attach, reveal. Services never commit; each transition bumps the
case's ``version`` in one conditional UPDATE (the optimistic lock), appends to the timeline,
emits ``applications.<event>`` and, for staff actions, writes the audit log."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils.translation import gettext as _

from citizencloud.applications import attachments as files
from citizencloud.applications import (
    certificates,
    definitions,
    forms,
    policies,
    selectors,
    workflow,
)
from citizencloud.applications.models import Application, Attachment, Draft, State, Step
from citizencloud.catalog import selectors as catalog
from citizencloud.kernel import audit, clock, events
from citizencloud.kernel.errors import Conflict, DomainError, PermissionDenied
from citizencloud.kernel.masking import (
    mask_address,
    mask_bank_card,
    mask_id_number,
    mask_name,
    mask_phone,
)
from citizencloud.org import selectors as org
from citizencloud.privacy import services as privacy

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENTS: Mapping[workflow.Action, str] = {
    workflow.Action.ACCEPT: "applications.accepted",
    workflow.Action.REFUSE: "applications.not_accepted",
    workflow.Action.START_REVIEW: "applications.review_started",
    workflow.Action.REQUEST_SUPPLEMENT: "applications.supplement_requested",
    workflow.Action.SUPPLY: "applications.supplemented",
    workflow.Action.APPROVE: "applications.decided",
    workflow.Action.REJECT: "applications.decided",
    workflow.Action.COMPLETE: "applications.completed",
    workflow.Action.WITHDRAW: "applications.withdrawn",
}


class StaleCase(Conflict):
    code = "applications.stale"


def _stale(version: int) -> StaleCase:
    return StaleCase(
        _("Someone else changed this case a moment ago; reload it and try again."),
        extra={"expected_version": version},
    )


def today() -> dt.date:
    return clock.now().astimezone(SHANGHAI).date()


def _reference(on: dt.date) -> str:
    return f"{on:%Y%m%d}{secrets.token_hex(4).upper()}"


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


def submit_bundle(
    *, citizen: Any, bundle_code: str, form: Mapping[str, Any], request: Any = None
) -> list[Application]:
    """One form, one case per member service: each department works on its own case in
    parallel; the cases share a ``bundle_reference``."""
    spec = definitions.bundle(bundle_code)
    forms.validate(spec.form, form)
    reference = _reference(today())
    cases = []
    for code in spec.services:
        properties = definitions.definition(code).form.get("properties", {})
        answers = {k: v for k, v in form.items() if k in properties}
        cases.append(
            submit(
                citizen=citizen,
                service_code=code,
                form=answers,
                request=request,
                bundle_reference=reference,
            )
        )
    return cases


def submit(
    *,
    citizen: Any,
    service_code: str,
    form: Mapping[str, Any],
    request: Any = None,
    bundle_reference: str = "",
) -> Application:
    """Validate ``form`` against the service's definition and open a case at its department."""
    service = catalog.get_service(service_code)
    spec = definitions.definition(service.code)
    if "apply" not in service.verb_list():
        raise DomainError("This service does not take applications.", code="applications.no_apply")
    forms.validate(spec.form, form)
    on = today()
    case = Application(
        reference=_reference(on),
        citizen=citizen,
        service=service,
        department_id=service.department_id,
        state=State.SUBMITTED,
        form_data=json.dumps(dict(form), ensure_ascii=False),
        started_on=on,
        sla_days=spec.workflow.sla_days,
        deadline=definitions.calendar().add_working_days(on, spec.workflow.sla_days),
        bundle_reference=bundle_reference,
    )
    case.save()
    Draft.objects.filter(citizen=citizen, service=service).delete()
    Step.objects.create(
        application=case,
        action="submit",
        to_state=State.SUBMITTED,
        actor=citizen,
        actor_label=getattr(citizen, "display_name", ""),
        department_id=case.department_id,
    )
    events.emit("applications.submitted", **payload(case))
    audit.record(action="applications.submitted", actor=citizen, target=case, request=request)
    return case


def payload(case: Application, **extra: Any) -> dict[str, Any]:
    return {
        "application_id": str(case.public_id),
        "reference": case.reference,
        # The names the notifications app's routes read (docs/notifications.md on its branch).
        "case_number": case.reference,
        "user_id": str(case.citizen.public_id),
        "citizen_id": case.citizen_id,
        "service": case.service.code,
        "department_id": case.department_id,
        "state": case.state,
        **extra,
    }


def _transition(
    case: Application,
    action: workflow.Action,
    *,
    actor: Any,
    version: int | None,
    details: Mapping[str, Any],
    message: str = "",
) -> Application:
    if version is not None and version != case.version:
        raise _stale(version)
    before = workflow.CaseState(
        kind=workflow.Kind(case.state),
        paused_since=case.paused_since,
        paused_days=case.paused_days,
    )
    cal = definitions.calendar()
    after = workflow.transition(
        before, action, on=today(), working_days_between=cal.working_days_between, details=details
    )
    expected = case.version if version is None else version
    changes: dict[str, Any] = {
        "state": str(after.kind),
        "paused_since": after.paused_since,
        "paused_days": after.paused_days,
        "deadline": cal.add_working_days(case.started_on, case.sla_days + after.paused_days),
        "version": F("version") + 1,
        "updated_at": clock.now(),
    }
    if action == workflow.Action.REQUEST_SUPPLEMENT:
        changes["supplement_items"] = list(details["items"])
    if after.terminal:
        changes["closed_at"] = clock.now()
    updated = Application.objects.filter(pk=case.pk, version=expected).update(**changes)
    if updated != 1:
        raise _stale(expected)
    case.refresh_from_db()
    Step.objects.create(
        application=case,
        action=str(action),
        from_state=str(before.kind),
        to_state=str(after.kind),
        actor=actor,
        actor_label=getattr(actor, "display_name", "") or getattr(actor, "username", ""),
        department_id=case.department_id,
        message=message,
        details={k: v for k, v in details.items() if k in ("reason", "legal_basis", "items")},
    )
    if action == workflow.Action.COMPLETE:
        spec = definitions.definition(case.service.code)
        if spec.workflow.certificate:
            certificates.issue(case, title=spec.workflow.certificate)
    events.emit(EVENTS[action], **payload(case, action=str(action)))
    return case


def act(
    *,
    staff: Any,
    public_id: Any,
    action: str,
    version: int | None = None,
    details: Mapping[str, Any] | None = None,
    message: str = "",
    request: Any = None,
) -> Application:
    """A staff decision or step on a case of their department, under the optimistic lock."""
    case = selectors.get_for_staff(staff, public_id, request=request)
    try:
        chosen = workflow.Action(action)
    except ValueError:
        raise DomainError(
            "Unknown action.", code="applications.unknown_action", status=422
        ) from None
    spec = definitions.definition(case.service.code)
    if not policies.staff_may(
        chosen,
        scopes=org.staff_scopes(staff.pk),
        department_id=case.department_id,
        definition=spec.workflow,
    ):
        audit.record(action="applications.action_denied", actor=staff, target=case, request=request)
        raise PermissionDenied("Your role may not do this.", code="applications.role_forbidden")
    case = _transition(
        case, chosen, actor=staff, version=version, details=details or {}, message=message
    )
    audit.record(
        action=f"applications.{chosen}",
        actor=staff,
        target=case,
        details={"version": case.version},
        request=request,
    )
    return case


def withdraw(*, citizen: Any, public_id: Any, request: Any = None) -> Application:
    """The applicant withdraws a case that is not decided yet."""
    case = selectors.get_for_citizen(citizen, public_id, request=request)
    return _transition(case, workflow.Action.WITHDRAW, actor=citizen, version=None, details={})


def supply(
    *,
    citizen: Any,
    public_id: Any,
    uploads: Sequence[tuple[str, bytes, str]] = (),
    message: str = "",
    request: Any = None,
) -> Application:
    """The applicant answers a supplement request; the SLA clock restarts."""
    case = selectors.get_for_citizen(citizen, public_id, request=request)
    if case.state != State.SUPPLEMENT_REQUESTED:
        raise workflow.IllegalTransition("No supplement was requested for this case.")
    for name, content, material in uploads:
        attach(case=case, name=name, content=content, material=material)
    return _transition(
        case, workflow.Action.SUPPLY, actor=citizen, version=None, details={}, message=message
    )


def attach(*, case: Application, name: str, content: bytes, material: str = "") -> Attachment:
    """Check and store one file, encrypted, bound to its row."""
    checked = files.check(name, content)
    attachment = Attachment(
        application=case,
        material=material[:64],
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    attachment.content = base64.b64encode(content).decode()
    attachment.save()
    return attachment


def attachment_bytes(attachment: Attachment) -> bytes:
    return base64.b64decode(str(attachment.content))


def claim(
    *, staff: Any, public_id: Any, version: int | None = None, request: Any = None
) -> Application:
    """Take an open case into one's own work (one conditional UPDATE: two claimers, one wins)."""
    case = selectors.get_for_staff(staff, public_id, request=request)
    expected = case.version if version is None else version
    updated = Application.objects.filter(
        pk=case.pk, version=expected, assignee__isnull=True, state__in=selectors.OPEN_STATES
    ).update(assignee=staff, version=F("version") + 1, updated_at=clock.now())
    if updated != 1:
        raise StaleCase("This case was claimed or changed by someone else.")
    Step.objects.create(
        application=case,
        action="claim",
        actor=staff,
        actor_label=staff.display_name or staff.username,
        department_id=case.department_id,
        visibility=Step.Visibility.INTERNAL,
    )
    audit.record(action="applications.claimed", actor=staff, target=case, request=request)
    case.refresh_from_db()
    return case


def note(*, staff: Any, public_id: Any, text: str, to_citizen: bool, request: Any = None) -> Step:
    """An internal note, or a message the applicant sees on the timeline."""
    case = selectors.get_for_staff(staff, public_id, request=request)
    step = Step.objects.create(
        application=case,
        action="message" if to_citizen else "note",
        actor=staff,
        actor_label=staff.display_name or staff.username,
        department_id=case.department_id,
        message=text[:4000],
        visibility=Step.Visibility.CITIZEN if to_citizen else Step.Visibility.INTERNAL,
    )
    if to_citizen:
        events.emit("applications.message", **payload(case))
    return step


def form_answers(case: Application) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(str(case.form_data))
    return data


def masked_answers(case: Application) -> dict[str, Any]:
    """The form answers with personal fields masked, for staff before a reveal. Which fields
    are personal follows the field-name convention of the definitions (name, phone, address,
    bank_card, id_number and their ``*_name`` / ``*_address`` variants)."""
    masked: dict[str, Any] = {}
    for key, value in form_answers(case).items():
        text = str(value)
        if key == "bank_card":
            masked[key] = mask_bank_card(text)
        elif key == "phone":
            masked[key] = mask_phone(text)
        elif key == "id_number":
            masked[key] = mask_id_number(text)
        elif key == "name" or (key.endswith("_name") and key != "business_name"):
            masked[key] = mask_name(text)
        elif key == "address" or key.endswith("_address"):
            masked[key] = mask_address(text)
        else:
            masked[key] = value
    return masked


def masked_applicant(case: Application) -> dict[str, str]:
    citizen = case.citizen
    return {
        "name": mask_name(str(citizen.real_name or "")),
        "id_number": mask_id_number(str(citizen.id_number or "")),
        "phone": mask_phone(str(citizen.phone or "")),
    }


def reveal(*, staff: Any, public_id: Any, purpose: str, request: Any = None) -> dict[str, str]:
    """Unmasked applicant data for a stated purpose; the read goes into the data-access ledger."""
    case = selectors.get_for_staff(staff, public_id, request=request)
    if len(purpose.strip()) < 4:
        raise DomainError(
            "State why you need to see the personal data.",
            code="applications.purpose_required",
            status=422,
        )
    privacy.record_access(
        citizen=case.citizen,
        accessor=staff,
        purpose=purpose.strip()[:200],
        legal_basis="statutory_duty",
        fields=["real_name", "id_number", "phone"],
        channel="staff_console",
        request=request,
    )
    citizen = case.citizen
    return {
        "name": str(citizen.real_name or ""),
        "id_number": str(citizen.id_number or ""),
        "phone": str(citizen.phone or ""),
    }
