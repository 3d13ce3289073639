"""Template context every page needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "platform_name": settings.PLATFORM_NAME,
        "request_id": getattr(request, "request_id", ""),
    }
