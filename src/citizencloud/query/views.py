"""The 我的 dashboard: a card per record kind. It renders within the exchange timeout."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from citizencloud.query import presenters, services


# Non-atomic: no transaction (and no SQLite lock) is held while departments answer; the
# service writes the copies, the message log and the ledger in one short transaction after.
@transaction.non_atomic_requests
@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "kind", "") != "citizen":
        return render(request, "403.html", {"message": ""}, status=403)
    cards = [presenters.card(r) for r in services.records(citizen=request.user, request=request)]
    return render(request, "query/dashboard.html", {"cards": cards})
