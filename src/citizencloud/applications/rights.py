"""Applications' part in the privacy centre's export and erasure (registered from ``ready()``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizencloud.applications.models import Application, Draft
from citizencloud.privacy import rights

REASON = gettext_lazy(
    "Case files are government records, kept by the handling department under the Archives "
    "Law (档案法); they stay encrypted and visible only to that department."
)


def export(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "reference": a.reference,
            "service": a.service.name,
            "state": a.state,
            "submitted_at": a.submitted_at.isoformat(),
            "department": a.department.name,
        }
        for a in Application.objects.filter(citizen=user).select_related("service", "department")
    ]


def erase(user: Any) -> None:
    """Unfinished drafts go; submitted cases stay (see ``retained``)."""
    Draft.objects.filter(citizen=user).delete()


def retained(user: Any) -> list[rights.Retained]:
    count = Application.objects.filter(citizen=user).count()
    return [rights.Retained(str(_("Case files")), count, str(REASON))]


rights.register(
    "applications",
    label=gettext_lazy("Applications"),
    export=export,
    erase=erase,
    retained=retained,
)
