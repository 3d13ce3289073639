"""The privacy centre's pages over the same services as the API: my consents (grant screen,
receipt, one-click withdrawal), who looked at my data (谁查看了我的数据), export, correction,
erasure, promotions and single-sign-on apps. Post → Redirect → Get; no JavaScript needed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import urllib.parse
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from citizencloud.identity import selectors as identity_selectors
from citizencloud.identity.models import Consent as SsoConsent
from citizencloud.identity.services import consent as sso
from citizencloud.identity.web import origin
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.middleware import writes_on_safe_methods
from citizencloud.privacy import consents, items, rights, selectors
from citizencloud.privacy.models import Channel, LegalBasis, ThirdParty
from citizencloud.privacy.report import export_pdf


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    """My consents (with the party's confirmation after a withdrawal) and my rights."""
    rows = selectors.consents_for(request.user)
    return render(
        request,
        "privacy/centre.html",
        {
            "consents": [r for r in rows if r.kind != "sso"],
            "sso_apps": [r for r in rows if r.kind == "sso"],
            "labels": items.ITEMS,
            "action_labels": items.ACTIONS,
        },
    )


def _party_return(party: ThirdParty, return_to: str) -> str:
    """``return_to`` only if it goes back to one of the party's registered redirect hosts."""
    if not return_to or party.application is None:
        return ""
    allowed = {urllib.parse.urlsplit(u).netloc for u in party.application.redirect_uris.split()}
    return return_to if urllib.parse.urlsplit(return_to).netloc in allowed else ""


@login_required
def grant(request: HttpRequest) -> HttpResponse:
    """The consent screen: the party's declared purpose, every item and action unticked."""
    source = request.POST if request.method == "POST" else request.GET
    party = ThirdParty.objects.filter(code=source.get("party", "")).first()
    purpose = source.get("purpose", "")
    declared = party.purposes.get(purpose) if party is not None else None
    if party is None or not isinstance(declared, dict):
        raise DomainError(
            _("No such third party or purpose."), code="privacy.unknown_party", status=404
        )
    error = ""
    if request.method == "POST":
        try:
            days = int(source.get("days", "0") or 0)
        except ValueError:
            days = 0
        try:
            consent = consents.grant(
                citizen=request.user,  # type: ignore[arg-type]
                party_code=party.code,
                purpose=purpose,
                items=source.getlist("items"),
                actions=source.getlist("actions"),
                days=days,
                request=request,
            )
        except DomainError as refused:
            error = refused.message
        else:
            back = _party_return(party, source.get("return_to", ""))
            target = f"{back}?consent={consent.public_id}" if back else ""
            receipt = redirect("privacy:receipt", consent_id=consent.public_id)
            return redirect(target) if target else receipt
    response = render(
        request,
        "privacy/grant.html",
        {
            "party": party,
            "purpose": purpose,
            "declared": declared,
            "items": [(i, items.label(i)) for i in declared.get("items", [])],
            "actions": [(a, items.action_label(a)) for a in declared.get("actions", [])],
            "max_days": declared.get("max_days", 365),
            "return_to": _party_return(party, source.get("return_to", "")),
            "error": error,
        },
        status=422 if error else 200,
    )
    parts = urllib.parse.urlsplit(_party_return(party, source.get("return_to", "")))
    if parts.netloc:  # the form redirects back to the party: CSP form-action covers redirects
        response._csp_update = {  # type: ignore[attr-defined]
            "form-action": ["'self'", f"{parts.scheme}://{parts.netloc}"]
        }
    return response


@login_required
def receipt(request: HttpRequest, consent_id: Any) -> HttpResponse:
    consent = selectors.consent_of(request.user, consent_id)
    data = selectors.receipt(consent)
    if request.GET.get("format") == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return render(
        request,
        "privacy/receipt.html",
        {
            "consent": consent,
            "receipt": data,
            "status": selectors.consent_status(consent),
            "confirmed": selectors.party_confirmed(consent),
            "item_labels": [items.label(i) for i in consent.items],
            "action_labels": [items.action_label(a) for a in consent.actions],
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, consent_id: Any) -> HttpResponse:
    """One click: withdraw (a third party's or a single-sign-on app's consent)."""
    if SsoConsent.objects.filter(public_id=consent_id, user=request.user.pk).exists():
        sso.revoke(user=request.user, consent_id=str(consent_id), origin=origin(request))  # type: ignore[arg-type]
    else:
        consents.revoke(citizen=request.user, consent_id=consent_id, request=request)  # type: ignore[arg-type]
    return redirect("privacy:centre")


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def data_access(request: HttpRequest) -> HttpResponse:
    """谁查看了我的数据: the ledger with filters, as a page or a CSV export."""
    channel, basis = request.GET.get("channel", ""), request.GET.get("legal_basis", "")
    filters: dict[str, Any] = {
        "since": _day(request.GET.get("since", "")),
        "until": _day(request.GET.get("until", "")),
        "channel": channel if channel in Channel.values else "",
        "legal_basis": basis if basis in LegalBasis.values else "",
        "who": request.GET.get("who", "")[:60],
    }
    rows = selectors.access_filters(selectors.accesses_for(request.user), **filters)
    if request.GET.get("format") == "csv":
        return _csv(rows)
    shown = list(rows[:200])
    for row in shown:
        row.field_labels = [items.label(f) for f in row.fields]  # type: ignore[attr-defined]
    return render(
        request,
        "privacy/data_access.html",
        {
            "rows": shown,
            "filters": filters,
            "channels": Channel.choices,
            "bases": LegalBasis.choices,
            "query": request.GET.urlencode(),
        },
    )


def _csv(rows: Any) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Time"),
            _("Department or system"),
            _("Purpose"),
            pgettext("personal data", "Legal basis"),
            _("Fields"),
            _("Channel"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.accessed_at.isoformat(),
                row.accessor_department or row.get_channel_display(),
                row.purpose,
                row.get_legal_basis_display(),
                " ".join(items.label(f) for f in row.fields),
                row.get_channel_display(),
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="who-looked-at-my-data.csv"'
    return response


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """Download all my data: JSON, or a readable PDF summary (``format=pdf``)."""
    if request.POST.get("format") == "pdf":
        data = rights.export_data(user=request.user, request=request)  # type: ignore[arg-type]
        response = HttpResponse(export_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="citizencloud-my-data.pdf"'
        return response
    body = rights.export_json(user=request.user, request=request)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="citizencloud-my-data.json"'
    return response


@login_required
def correct(request: HttpRequest) -> HttpResponse:
    """Where each item of my data comes from and where to correct it; what the platform holds
    (display name, mobile number) is corrected here, shown masked."""
    me = identity_selectors.profile(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "privacy/correct.html",
        {"me": me, "display_name": getattr(request.user, "display_name", "")},
    )


@writes_on_safe_methods
def erase(request: HttpRequest) -> HttpResponse:
    """Erase my account: password and an unticked confirmation; shows what stays and why."""
    if not request.user.is_authenticated:
        return redirect("identity:login")
    error = ""
    if request.method == "POST":
        if not request.POST.get("confirm"):
            error = _("Tick the box to confirm that you want to erase your account.")
        else:
            try:
                kept = rights.erase_account(
                    user=request.user,
                    password=request.POST.get("password", ""),
                    request=request,
                )
            except DomainError as refused:
                error = refused.message
            else:
                logout(request)
                return render(request, "privacy/erased.html", {"retained": kept})
    return render(
        request,
        "privacy/erase.html",
        {"retained": rights.retained(request.user), "error": error},
        status=422 if error else 200,
    )
