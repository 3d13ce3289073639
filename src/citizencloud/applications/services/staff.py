"""The back office: claim (one or many), assign, notes and messages, masked views and reveal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F

from citizencloud.applications import (
    policies,
    selectors,
)
from citizencloud.applications.models import Application, Step
from citizencloud.applications.services.cases import form_answers
from citizencloud.applications.services.common import StaleCase, _stale, payload
from citizencloud.kernel import audit, clock, events
from citizencloud.kernel.errors import DomainError, PermissionDenied
from citizencloud.kernel.masking import (
    mask_address,
    mask_bank_card,
    mask_id_number,
    mask_name,
    mask_phone,
)
from citizencloud.org import selectors as org
from citizencloud.privacy import services as privacy


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


def assign(
    *,
    staff: Any,
    public_id: Any,
    assignee_login: str,
    version: int | None = None,
    request: Any = None,
) -> Application:
    """A supervisor gives a case to a colleague of the same department."""
    case = selectors.get_for_staff(staff, public_id, request=request)
    if not policies.may_assign(scopes=org.staff_scopes(staff.pk), department_id=case.department_id):
        audit.record(action="applications.action_denied", actor=staff, target=case, request=request)
        raise PermissionDenied(
            "Only a supervisor assigns cases.", code="applications.role_forbidden"
        )
    target = get_user_model().objects.filter(username=assignee_login, kind="staff").first()
    if target is None or not policies.may_hold(
        scopes=org.staff_scopes(target.pk), department_id=case.department_id
    ):
        raise DomainError(
            "That person does not handle cases in this department.",
            code="applications.bad_assignee",
            status=422,
        )
    expected = case.version if version is None else version
    updated = Application.objects.filter(
        pk=case.pk, version=expected, state__in=selectors.OPEN_STATES
    ).update(assignee=target, version=F("version") + 1, updated_at=clock.now())
    if updated != 1:
        raise _stale(expected)
    Step.objects.create(
        application=case,
        action="assign",
        actor=staff,
        actor_label=staff.display_name or staff.username,
        department_id=case.department_id,
        details={"assignee": target.username},
        visibility=Step.Visibility.INTERNAL,
    )
    audit.record(
        action="applications.assigned",
        actor=staff,
        target=case,
        details={"assignee": target.pk},
        request=request,
    )
    case.refresh_from_db()
    return case


def release(
    *, staff: Any, public_id: Any, version: int | None = None, request: Any = None
) -> Application:
    """Put a case back in the department's unassigned pool: its holder may, and so may a
    supervisor of the department."""
    case = selectors.get_for_staff(staff, public_id, request=request)
    scopes = org.staff_scopes(staff.pk)
    own = case.assignee_id == staff.pk and policies.may_hold(
        scopes=scopes, department_id=case.department_id
    )
    if not own and not policies.may_assign(scopes=scopes, department_id=case.department_id):
        audit.record(action="applications.action_denied", actor=staff, target=case, request=request)
        raise PermissionDenied(
            "Only the holder or a supervisor releases a case.", code="applications.role_forbidden"
        )
    expected = case.version if version is None else version
    updated = Application.objects.filter(
        pk=case.pk, version=expected, assignee__isnull=False, state__in=selectors.OPEN_STATES
    ).update(assignee=None, version=F("version") + 1, updated_at=clock.now())
    if updated != 1:
        raise _stale(expected)
    Step.objects.create(
        application=case,
        action="release",
        actor=staff,
        actor_label=staff.display_name or staff.username,
        department_id=case.department_id,
        details={"from": case.assignee.username if case.assignee else ""},
        visibility=Step.Visibility.INTERNAL,
    )
    audit.record(
        action="applications.released",
        actor=staff,
        target=case,
        details={"from": case.assignee_id},
        request=request,
    )
    case.refresh_from_db()
    return case


BULK_ACTIONS = ("claim", "assign", "release")
BULK_LIMIT = 100


def bulk(
    *,
    staff: Any,
    action: str,
    public_ids: Sequence[str],
    assignee_login: str = "",
    request: Any = None,
) -> tuple[int, int]:
    """One queue action on many cases (at most 100): (done, skipped). Each case goes through
    the same checks and audit as the single action; one refused or changed case is skipped
    without undoing the others."""
    if action not in BULK_ACTIONS:
        raise DomainError("Unknown bulk action.", code="applications.unknown_action", status=422)
    done = skipped = 0
    for public_id in list(public_ids)[:BULK_LIMIT]:
        try:
            if action == "claim":
                claim(staff=staff, public_id=public_id, request=request)
            elif action == "assign":
                assign(
                    staff=staff,
                    public_id=public_id,
                    assignee_login=assignee_login,
                    request=request,
                )
            else:
                release(staff=staff, public_id=public_id, request=request)
            done += 1
        except DomainError:
            skipped += 1
    return done, skipped


def claim_many(*, staff: Any, public_ids: Sequence[str], request: Any = None) -> tuple[int, int]:
    """Bulk claim from the queue: (claimed, already taken or not allowed)."""
    return bulk(staff=staff, action="claim", public_ids=public_ids, request=request)


def colleagues(staff: Any) -> list[org.Holder]:
    """Who the cases of the staff account's departments may be given to (case-handling roles),
    each once per department."""
    seen: set[tuple[int, int]] = set()
    holders = []
    for holder in org.staff_holding(selectors.department_ids(staff), policies.HOLDING_ROLES):
        if (holder.user_id, holder.department_id) not in seen:
            seen.add((holder.user_id, holder.department_id))
            holders.append(holder)
    return holders


def supervisor_of(department_id: int) -> org.Holder | None:
    """The supervisor who receives a department's escalations: its longest-serving one."""
    found = org.staff_holding({department_id}, (policies.SUPERVISOR,))
    return found[0] if found else None


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
