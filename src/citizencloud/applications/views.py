"""Pages over the same services as the API: apply, my applications, the case page (timeline,
department, deadline, next action, supplement, withdraw), the staff queue and case view.
Post → Redirect → Get; every page works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from citizencloud.applications import (
    certificates,
    definitions,
    forms,
    prefill,
    presenters,
    selectors,
    services,
)
from citizencloud.applications.models import State
from citizencloud.catalog import selectors as catalog
from citizencloud.kernel.errors import DomainError, NotFound, PermissionDenied
from citizencloud.kernel.masking import mask_id_number


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    # Rendered, not raised: the audit entry of a refused look must survive ATOMIC_REQUESTS.
    template = "404.html" if isinstance(error, NotFound) else "403.html"
    return render(request, template, {"message": error.message}, status=error.status)


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotFound, PermissionDenied) as error:
            return _refused(request, error)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return login_required(wrapper)


def _kind(request: HttpRequest, kind: str) -> None:
    if getattr(request.user, "kind", "") != kind:
        raise PermissionDenied("This page is not for your kind of account.")


def _version(request: HttpRequest) -> int | None:
    """The version the form was rendered with; a tampered value counts as stale (-1)."""
    raw = request.POST.get("version", "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1


def _prefill(user: Any) -> dict[str, str]:
    return {
        "name": str(user.real_name or ""),
        "phone": str(user.phone or ""),
        "id_number": mask_id_number(str(user.id_number or "")),
    }


def _department_prefill(
    user: Any, form_fields: list[forms.Field], request: HttpRequest
) -> tuple[dict[str, str], dict[str, prefill.Prefilled]]:
    """Values departments hold for this form's dotted prefill hints, and where each came from."""
    hinted = {f.name: f.prefill for f in form_fields if "." in f.prefill}
    if not hinted:
        return {}, {}
    found = prefill.lookup(citizen=user, keys=list(hinted.values()), request=request)
    sources = {name: found[key] for name, key in hinted.items() if key in found}
    return {name: item.value for name, item in sources.items()}, sources


def _held_codes(held: list[dict[str, Any]]) -> set[str]:
    return {str(m.get("code")) for m in held if m.get("code")}


# The GET asks departments for prefill (up to QUERY_FETCH_SECONDS): it runs without a request
# transaction so no database lock is held meanwhile (query writes its copies and the ledger in
# one short transaction of its own, ADR 0015); the POST keeps one transaction for its writes.
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "GET":
        return _apply(request, code)
    with transaction.atomic():
        return _apply(request, code)


@_guard
def _apply(request: HttpRequest, code: str) -> HttpResponse:
    _kind(request, "citizen")
    service = catalog.get_service(code)
    spec = definitions.definition(service.code)
    guide = catalog.guide(service.code).get("guide", {})
    held = [m for m in guide.get("materials", []) if m.get("held_by_government")]
    user: Any = request.user
    fields = forms.fields(spec.form)
    from_departments, sources = (
        _department_prefill(user, fields, request) if request.method == "GET" else ({}, {})
    )
    values: dict[str, Any] = {
        **_prefill(user),
        **from_departments,
        **services.draft_answers(citizen=user, service_code=service.code),
    }
    errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("op") == "draft":
        try:
            services.save_draft(
                citizen=user,
                service_code=service.code,
                form=forms.coerce(spec.form, request.POST),
                opened=services.opened_at(request.POST.get("opened", "")),
            )
        except services.DraftAfterSubmission:
            # A late autosave: the form was submitted meanwhile; nothing to keep.
            if request.htmx:  # type: ignore[attr-defined]
                return render(request, "applications/_draft_saved.html", {"submitted": True})
            messages.info(request, _("This form was already submitted; the draft was not kept."))
            return redirect("applications:mine")
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "applications/_draft_saved.html")
        messages.success(request, _("Draft saved."))
        return redirect("applications:apply", code=service.code)
    if request.method == "POST":
        values = forms.coerce(spec.form, request.POST)
        try:
            case = services.submit(
                citizen=request.user, service_code=service.code, form=values, request=request
            )
            for slot in spec.attachments:
                upload = request.FILES.get(f"file_{slot['material']}")
                if upload is not None:
                    services.attach(
                        case=case,
                        name=upload.name or "",
                        content=upload.read(),
                        material=slot["material"],
                    )
            messages.success(request, f"{case.reference}")
            return redirect("applications:case", case_id=case.public_id)
        except DomainError as error:
            if isinstance(error, NotFound | PermissionDenied):
                raise
            errors = dict(error.extra.get("errors", {})) or {"__all__": str(error.message)}
            transaction.set_rollback(True)
    for f in fields:
        f.value = values.get(f.name, "")  # type: ignore[attr-defined]
        f.error = errors.get(f.name, "")  # type: ignore[attr-defined]
        source = sources.get(f.name)
        f.source = source if source and source.value == str(f.value) else None  # type: ignore[attr-defined]
    # Materials a department already holds are never asked for (once-only).
    slots = [
        {**s, "label_text": forms.label(s.get("label"))}
        for s in spec.attachments
        if s.get("material") not in _held_codes(held)
    ]
    return render(
        request,
        "applications/apply.html",
        {
            "service": service,
            "fields": fields,
            "slots": slots,
            "held": held,
            "errors": errors,
            "form_error": errors.get("__all__", ""),
            "masked_id": mask_id_number(str(user.id_number or "")),
            "opened": services.opened_token(),
        },
        # 200 like the other pages' invalid forms: the errors are on the page, not the status.
    )


@require_http_methods(["GET", "POST"])
@_guard
def apply_bundle(request: HttpRequest, code: str) -> HttpResponse:
    """一件事一次办: one form, one case per member service."""
    _kind(request, "citizen")
    spec = definitions.bundle(code)
    user: Any = request.user
    values: dict[str, Any] = dict(_prefill(user))
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = forms.coerce(spec.form, request.POST)
        try:
            opened = services.submit_bundle(
                citizen=user, bundle_code=spec.code, form=values, request=request
            )
            return redirect("applications:bundle", reference=opened[0].bundle_reference)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as error:
            transaction.set_rollback(True)
            errors = dict(error.extra.get("errors", {})) or {"__all__": str(error.message)}
    fields = forms.fields(spec.form)
    for f in fields:
        f.value = values.get(f.name, "")  # type: ignore[attr-defined]
        f.error = errors.get(f.name, "")  # type: ignore[attr-defined]
    members = [catalog.get_service(c) for c in spec.services]
    return render(
        request,
        "applications/apply.html",
        {
            "service": {"name": forms.label(spec.name)},
            "members": members,
            "fields": fields,
            "slots": [],
            "held": [],
            "errors": errors,
            "form_error": errors.get("__all__", ""),
            "masked_id": mask_id_number(str(user.id_number or "")),
        },
    )


@require_http_methods(["GET"])
@_guard
def mine(request: HttpRequest) -> HttpResponse:
    _kind(request, "citizen")
    cases = [presenters.item(c) for c in selectors.mine(request.user)[:100]]
    return render(request, "applications/mine.html", {"cases": cases})


@require_http_methods(["GET"])
@_guard
def bundle(request: HttpRequest, reference: str) -> HttpResponse:
    """一件事一次办 after submission: every department's case side by side, with its state,
    deadline and timeline."""
    _kind(request, "citizen")
    cases = selectors.bundle_for_citizen(request.user, reference, request=request)
    return render(request, "applications/bundle.html", {"b": presenters.bundle(cases)})


@require_http_methods(["GET"])
@_guard
def case(request: HttpRequest, case_id: str) -> HttpResponse:
    _kind(request, "citizen")
    found = selectors.get_for_citizen(request.user, case_id, request=request)
    status = presenters.sla_of(found)
    days_left = (status.deadline - services.today()).days
    certificate = getattr(found, "certificate", None)
    qr = ""
    if certificate is not None:
        qr = str(segno.make(verify_url(request, certificate), error="m").svg_data_uri(scale=4))
    return render(
        request,
        "applications/case.html",
        {
            "case": found,
            "d": presenters.detail(found, citizen=True),
            "sla": status,
            "days_left": days_left,
            "certificate": certificate,
            "qr": qr,
        },
    )


@require_POST
@_guard
def supplement(request: HttpRequest, case_id: str) -> HttpResponse:
    _kind(request, "citizen")
    uploads = [(f.name or "", f.read(), "") for f in request.FILES.getlist("files")]
    try:
        services.supply(
            citizen=request.user,
            public_id=case_id,
            uploads=uploads,
            message=request.POST.get("message", "")[:2000],
            request=request,
        )
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        transaction.set_rollback(True)
        messages.error(request, str(error.message))
    return redirect("applications:case", case_id=case_id)


@require_POST
@_guard
def withdraw(request: HttpRequest, case_id: str) -> HttpResponse:
    _kind(request, "citizen")
    try:
        services.withdraw(citizen=request.user, public_id=case_id, request=request)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("applications:case", case_id=case_id)


QUEUE_FILTERS = ("state", "service", "assignee", "sla")


@require_http_methods(["GET", "POST"])
@_guard
def queue(request: HttpRequest) -> HttpResponse:
    """The department queue: filters (state, service, assignee, SLA colour) and bulk actions
    on the selected cases (claim, assign to a colleague, release)."""
    _kind(request, "staff")
    if request.method == "POST":
        action = request.POST.get("action", "claim")
        try:
            done, skipped = services.bulk(
                staff=request.user,
                action=action,
                public_ids=request.POST.getlist("case"),
                assignee_login=request.POST.get("assignee", ""),
                request=request,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.info(
                request,
                _(
                    "%(action)s: %(done)s done; %(skipped)s were skipped "
                    "(taken, changed or not allowed)."
                )
                % {"action": BULK_LABELS.get(action, action), "done": done, "skipped": skipped},
            )
        kept = QueryDict(request.POST.get("back", ""))
        back = urlencode({k: kept[k] for k in QUEUE_FILTERS if kept.get(k)})
        return redirect(f"{reverse('applications:queue')}?{back}" if back else "applications:queue")
    chosen = {name: request.GET.get(name, "") for name in QUEUE_FILTERS}
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    rows = selectors.queue(
        request.user,
        state=chosen["state"] or None,
        service=chosen["service"] or None,
        assignee=chosen["assignee"] or None,
        sla=chosen["sla"] or None,
    )[(page - 1) * 50 : page * 50 + 1]
    cases = [presenters.queue_item(c) for c in rows]
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(
        request,
        "applications/queue.html",
        {
            "cases": cases[:50],
            "chosen": chosen,
            "query": query,
            "states": [(s, str(State(s).label)) for s in selectors.OPEN_STATES],
            "services": selectors.queue_services(request.user),
            "colleagues": services.colleagues(request.user),
            "bulk_actions": [(a, str(BULK_LABELS[a])) for a in services.BULK_ACTIONS],
            "page": page,
            "more": len(cases) > 50,
        },
    )


BULK_LABELS = {
    "claim": gettext_lazy("Claim"),
    "assign": gettext_lazy("Assign to"),
    "release": gettext_lazy("Release"),
}


@require_http_methods(["GET", "POST"])
@_guard
def staff_case(request: HttpRequest, case_id: str) -> HttpResponse:
    _kind(request, "staff")
    found = selectors.get_for_staff(request.user, case_id, request=request)
    revealed = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "reveal":
                revealed = services.reveal(
                    staff=request.user,
                    public_id=case_id,
                    purpose=request.POST.get("purpose", ""),
                    request=request,
                )
            elif op == "assign":
                services.assign(
                    staff=request.user,
                    public_id=case_id,
                    assignee_login=request.POST.get("assignee", ""),
                    version=_version(request),
                    request=request,
                )
            elif op == "release":
                services.release(
                    staff=request.user,
                    public_id=case_id,
                    version=_version(request),
                    request=request,
                )
            elif op == "claim":
                services.claim(
                    staff=request.user,
                    public_id=case_id,
                    version=_version(request),
                    request=request,
                )
            elif op in ("note", "message"):
                services.note(
                    staff=request.user,
                    public_id=case_id,
                    text=request.POST.get("text", ""),
                    to_citizen=op == "message",
                    request=request,
                )
            else:
                services.act(
                    staff=request.user,
                    public_id=case_id,
                    action=op,
                    version=_version(request),
                    details={
                        "reason": request.POST.get("reason", ""),
                        "legal_basis": request.POST.get("legal_basis", ""),
                        "items": [
                            i.strip()
                            for i in request.POST.get("items", "").splitlines()
                            if i.strip()
                        ],
                    },
                    message=request.POST.get("text", ""),
                    request=request,
                )
            if revealed is None:
                return redirect("applications:staff-case", case_id=case_id)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("applications:staff-case", case_id=case_id)
    return render(
        request,
        "applications/staff_case.html",
        {
            "case": found,
            "d": presenters.detail(found, citizen=False),
            "sla": presenters.sla_of(found),
            "applicant": services.masked_applicant(found),
            "revealed": revealed,
            "actions": presenters.staff_actions(found),
            "colleagues": services.colleagues(request.user),
            "answers": services.form_answers(found) if revealed else None,
        },
    )


@require_http_methods(["GET"])
@_guard
def certificate_json(request: HttpRequest, case_id: str) -> HttpResponse:
    """The signed JSON of the case's certificate, as a download."""
    _kind(request, "citizen")
    found = selectors.get_for_citizen(request.user, case_id, request=request)
    certificate = getattr(found, "certificate", None)
    if certificate is None:
        raise NotFound("No certificate was issued for this case.")
    response = JsonResponse(
        certificates.signed_document(certificate), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{found.reference}.json"'
    return response


@require_http_methods(["GET"])
@_guard
def certificate_pdf(request: HttpRequest, case_id: str) -> HttpResponse:
    """The certificate as a PDF with a QR code to the public verification page."""
    _kind(request, "citizen")
    found = selectors.get_for_citizen(request.user, case_id, request=request)
    certificate = getattr(found, "certificate", None)
    if certificate is None:
        raise NotFound("No certificate was issued for this case.")
    body = certificates.pdf(certificate, verify_url=verify_url(request, certificate))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{found.reference}.pdf"'
    return response


@require_http_methods(["GET"])
def verify(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """Public: is this certificate genuine? Shows no personal data."""
    certificate = selectors.certificate_for_verification(certificate_id)
    result = certificates.verify(certificate) if certificate else None
    return render(
        request,
        "applications/verify.html",
        {"certificate": certificate, "result": result},
        status=200 if certificate else 404,
    )


def verify_url(request: HttpRequest, certificate: Any) -> str:
    return request.build_absolute_uri(f"/verify/{certificate.public_id}/")
