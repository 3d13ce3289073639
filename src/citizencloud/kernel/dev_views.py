"""Development-only pages: the messages the development SMS adapter kept (404 in production)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from citizencloud.kernel import sms


def _available() -> None:
    if settings.ENVIRONMENT == "production" or settings.SMS_BACKEND != "development":
        raise Http404


@never_cache
@require_safe
def sms_page(request: HttpRequest) -> HttpResponse:
    """The messages, newest first, as a page."""
    _available()
    return render(request, "kernel/dev_sms.html", {"messages_sent": sms.recent()})


@never_cache
@require_safe
def sms_json(request: HttpRequest) -> HttpResponse:
    """The messages, newest first: ``[{phone, text, code, time}]``."""
    _available()
    return JsonResponse(sms.recent(), safe=False, json_dumps_params={"ensure_ascii": False})
