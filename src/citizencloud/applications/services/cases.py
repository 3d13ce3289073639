"""The applicant's side and the workflow transitions: submit (one service or a bundle), act,
supply, withdraw, attach."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import F

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
from citizencloud.applications.services.common import EVENTS, _reference, _stale, payload, today
from citizencloud.catalog import selectors as catalog
from citizencloud.kernel import audit, clock, events
from citizencloud.kernel.errors import DomainError, PermissionDenied
from citizencloud.org import selectors as org


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


def form_answers(case: Application) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(str(case.form_data))
    return data
